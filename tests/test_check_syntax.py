from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crackjack.core.errors import ConfigError
from crackjack.core.runners.inprocess import CheckOutcome
from crackjack.hooks.checks import yamlparse
from crackjack.hooks.checks.syntax import check_toml, check_yaml


def _check(
    tmp_path: Path, name: str, data: bytes, *, yaml_args: tuple[str, ...] = ()
) -> CheckOutcome:
    (tmp_path / name).write_bytes(data)
    if name.endswith(".toml"):
        return check_toml([name], root=tmp_path, args=(), fix=False)
    return check_yaml([name], root=tmp_path, args=yaml_args, fix=False)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b'[tool.x]\nname = "caf\xc3\xa9"\r\nlist = [1, 2]\n',
        b"a = 1",
    ],
)
def test_valid_toml_passes(tmp_path: Path, data: bytes) -> None:
    assert _check(tmp_path, "ok.toml", data) == CheckOutcome(failed=False)


@pytest.mark.parametrize(
    ("data", "output"),
    [
        (b"x = 1\ny = @\n", "bad.toml:2:5: Invalid value"),
        (b"[a]\nb = 1\n[a]\n", "bad.toml:3:3: Cannot declare ('a',) twice"),
        (b"a = [1,", "bad.toml:1:8: Invalid value"),
        (b'a = 1\nb = "\xff"\n', "bad.toml:2:6: not valid UTF-8: invalid start byte"),
        (b"a = " + b"[" * 5000 + b"]" * 5000, "bad.toml: nested too deeply to parse"),
    ],
)
def test_invalid_toml_is_reported_with_its_position(
    tmp_path: Path, data: bytes, output: str
) -> None:
    assert _check(tmp_path, "bad.toml", data) == CheckOutcome(failed=True, output=output)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"a: 1\nb: [x, y]\n",
        b"---\na: 1\n---\nb: 2\n",
        "name: caf\u00e9 \u2603\r\n".encode(),
        "a: 1\n".encode("utf-16"),
    ],
)
@pytest.mark.parametrize("args", [(), ("--unsafe",), ("-m",), ("--allow-multiple-documents",)])
def test_valid_yaml_passes(tmp_path: Path, data: bytes, args: tuple[str, ...]) -> None:
    assert _check(tmp_path, "ok.yaml", data, yaml_args=args) == CheckOutcome(failed=False)


@pytest.mark.parametrize(
    ("data", "output"),
    [
        (b"a: 1\nb: c: d\n", "bad.yaml:2:5: mapping values are not allowed"),
        (b"- a\nb: c\n", "bad.yaml:2:1: while parsing a block collection: "),
        (b"k: !Ref x\n", "bad.yaml:1:4: could not determine a constructor for the tag '!Ref'"),
        (b"{[1]: 2}\n", "bad.yaml:1:2: while constructing a mapping: found unhashable key"),
        (b"when: 2020-13-45\n", "bad.yaml: cannot load: month must be in 1..12"),
        (b"a: \xff\n", "bad.yaml: unacceptable character #x00ff: "),
        (b"a: \x00\n", "bad.yaml: unacceptable character #x0000: "),
    ],
)
@pytest.mark.parametrize("loader", [yaml.SafeLoader, yaml.CSafeLoader])
def test_invalid_yaml_is_reported_with_its_position(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    data: bytes,
    output: str,
    loader: type[yaml.SafeLoader],
) -> None:
    monkeypatch.setattr(yamlparse, "_YamlLoader", loader)

    outcome = _check(tmp_path, "bad.yaml", data)

    assert outcome.failed
    assert outcome.output.startswith(output)
    assert "\n" not in outcome.output


def test_the_c_loader_is_used_when_available() -> None:
    assert vars(yamlparse)["_YamlLoader"] is yaml.CSafeLoader


@pytest.mark.parametrize(
    "data", [b"k: !Ref x\n", b"a: !reference [.setup, script]\n", b"when: 2020-13-45\n"]
)
def test_unsafe_checks_the_syntax_only(tmp_path: Path, data: bytes) -> None:
    outcome = _check(tmp_path, "ci.yaml", data, yaml_args=("--unsafe",))

    assert outcome == CheckOutcome(failed=False)


def test_unsafe_still_reports_syntax_errors(tmp_path: Path) -> None:
    outcome = _check(tmp_path, "ci.yaml", b"a: [1,\n", yaml_args=("--unsafe",))

    assert outcome.failed
    assert outcome.output.startswith("ci.yaml:")


def test_several_files_are_reported_in_order(tmp_path: Path) -> None:
    for name, data in {"b.toml": b"x =", "a.toml": b"ok = 1", "c.toml": b"[["}.items():
        (tmp_path / name).write_bytes(data)

    outcome = check_toml(["b.toml", "a.toml", "c.toml"], root=tmp_path, args=(), fix=True)

    assert [line.partition(":")[0] for line in outcome.output.splitlines()] == ["b.toml", "c.toml"]


def test_check_toml_takes_no_arguments(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"^unknown argument '--x' \(this check takes no arguments\)$"
    ):
        check_toml([], root=tmp_path, args=["--x"], fix=False)


def test_check_yaml_names_the_arguments_it_accepts(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="accepted: --unsafe"):
        check_yaml([], root=tmp_path, args=["--unsafe", "--bogus"], fix=False)
