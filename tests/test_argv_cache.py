"""The argv cache (``cli/argvcache.py``) gives exactly Typer's answer, or nothing.

A hit is compared with Typer's own parse, object for object; every input of the key is changed
in turn and must miss; what Typer does not accept, or answers itself, is never stored; a broken
cache file is a miss, and an unwritable cache folder changes nothing.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from crackjack.cli import argvcache
from crackjack.cli.app import parse
from crackjack.cli.runoptions import RunOptions, run_request
from crackjack.core.valueclass import fields, replace
from tests.project import hook_table, make_project, run_cli, tool, workflow_table

EXCLUDE_TOOLS = 'exclude = [".tools/"]\n'

ARGVS = [
    [],
    ["--fast"],
    ["--staged", "--fast"],
    ["--staged"],
    ["-w", "trivial"],
    ["--workflow", "trivial"],
    ["--ci"],
    ["--no-ci"],
    ["--changed"],
    ["--changed=main"],
    ["--changed-from", "main"],
    ["--all-files"],
    ["--skip-hooks", "--", "-k", "slow"],
    ["--", "--help"],
    ["run", "--fast"],
    ["--hook", "a", "--hook", "b", "--skip", "c"],
    ["-j", "3", "--no-fail-fast"],
    ["--jobs", "2", "--fail-fast"],
    ["--events", "-", "--report", "r.json", "--junit", "j.xml", "--timeline"],
    ["--shard", "1/2", "--quiet"],
    ["--dry-run", "-v"],
    ["--no-cache"],
    ["--staged", "--fast", "--no-cache"],
]


def key(args: list[str]) -> str:
    """The digest ``args`` are stored under (the parser's sources are here to read)."""
    found = argvcache.key(args)
    assert found is not None
    return found


def parsed(args: list[str]) -> RunOptions:
    result = parse(list(args))
    assert isinstance(result, RunOptions), result
    return result


def stored_entries() -> dict[str, object]:
    path = argvcache.cache_file()
    assert path is not None
    if not path.exists():
        return {}
    loaded = json.loads(path.read_bytes())
    assert isinstance(loaded, dict)
    return loaded


@pytest.mark.parametrize("args", ARGVS, ids=" ".join)
def test_a_hit_gives_exactly_typers_options_and_run(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    typers = parsed(args)
    digest = key(args)
    assert argvcache.recall(digest) is None
    argvcache.remember(digest, typers)
    recalled = argvcache.recall(digest)
    assert recalled == typers
    assert recalled is not None
    assert run_request(recalled) == run_request(typers)


def test_every_command_line_has_its_own_key() -> None:
    keys = {key(args) for args in ARGVS}
    assert len(keys) == len(ARGVS)


def test_the_key_changes_with_crackjacks_version_and_the_cache_format(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = key(["--fast"])
    assert key(["--fast"]) == first
    monkeypatch.setattr(argvcache, "__version__", "99.0")
    by_version = key(["--fast"])
    monkeypatch.setattr(argvcache, "FORMAT", argvcache.FORMAT + 1)
    by_format = key(["--fast"])
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    by_python = key(["--fast"])
    assert len({first, by_version, by_format, by_python}) == 4


def test_the_key_changes_with_the_parsers_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "app.py"
    source.write_text("# the parser\n", encoding="utf-8")
    monkeypatch.setattr(argvcache, "SOURCES", (source,))
    first = key(["--fast"])
    source.write_text("# the parser, edited\n", encoding="utf-8")
    assert key(["--fast"]) != first


def test_the_key_changes_with_the_installed_typer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = key(["--fast"])
    other = tmp_path / "typer" / "__init__.py"
    other.parent.mkdir()
    other.write_text("# another Typer\n", encoding="utf-8")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    shadowed = key(["--fast"])
    other.write_text("# another Typer, upgraded\n", encoding="utf-8")
    upgraded = key(["--fast"])
    assert len({first, shadowed, upgraded}) == 3


def test_every_field_of_the_options_has_a_value_check() -> None:
    assert all(str(field.type) in argvcache._VALUE_CHECKS for field in fields(RunOptions))


@pytest.mark.parametrize(
    "entry",
    [
        "not an object",
        {},
        {"fast": True},
        "wrong type",
        "extra field",
        "null in a tuple",
        "a bool for a number",
    ],
)
def test_an_entry_of_the_wrong_shape_is_a_miss(entry: object) -> None:
    digest = key(["--fast"])
    argvcache.remember(digest, parsed(["--fast"]))
    path = argvcache.cache_file()
    assert path is not None
    good = stored_entries()[digest]
    assert isinstance(good, dict)
    spoilt: object = {
        "wrong type": {**good, "fast": "yes"},
        "extra field": {**good, "colour": True},
        "null in a tuple": {**good, "hook": [None]},
        "a bool for a number": {**good, "jobs": True},
    }.get(str(entry), entry)
    path.write_text(json.dumps({digest: spoilt}), encoding="utf-8")
    assert argvcache.recall(digest) is None


@pytest.mark.parametrize("content", [b"", b"{", b"[1, 2]", b"\xff\xfe", b"[" * 100_000])
def test_a_corrupted_cache_file_is_ignored_and_replaced(
    content: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = one_hook_project(tmp_path / "p")
    path = argvcache.cache_file()
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    result = run_cli(["-w", "mine"], root, monkeypatch, capsys)
    assert result.code == 0, result
    assert key(["-w", "mine"]) in stored_entries()


def test_an_unwritable_cache_folder_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = one_hook_project(tmp_path / "p")
    path = argvcache.cache_file()
    assert path is not None
    path.mkdir(parents=True)  # a folder where the file would be: neither read nor replaced
    first = run_cli(["-w", "mine"], root, monkeypatch, capsys)
    second = run_cli(["-w", "mine"], root, monkeypatch, capsys)
    assert first.code == second.code == 0
    assert first.err == second.err == ""


def test_with_no_cache_folder_at_all_the_run_goes_to_typer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = one_hook_project(tmp_path / "p")
    monkeypatch.setattr(argvcache, "user_cache_home", lambda: None)
    assert run_cli(["-w", "mine"], root, monkeypatch, capsys).code == 0
    assert argvcache.cache_file() is None


def one_hook_project(root: Path) -> Path:
    root.mkdir(parents=True)
    return make_project(
        root,
        {"a.txt": "hello\n"},
        config=EXCLUDE_TOOLS
        + workflow_table("mine", ["mine"])
        + hook_table("h", command=tool(root, "h", "print('hello from h')"), phase="mine"),
    )


def timeless(out: str) -> str:
    return re.sub(r"\d+\.\d+s", "#.##s", out)


def test_a_second_run_is_a_hit_and_says_exactly_what_the_first_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = one_hook_project(tmp_path / "p")
    first = run_cli(["-w", "mine", "-v"], root, monkeypatch, capsys)
    assert key(["-w", "mine", "-v"]) in stored_entries()
    second = run_cli(["-w", "mine", "-v"], root, monkeypatch, capsys)
    assert (first.code, timeless(first.out), first.err) == (
        second.code,
        timeless(second.out),
        second.err,
    )
    assert "hello from h" in second.out


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["run", "--help"],
        ["--version"],
        ["--fast", "--version"],
        ["--jobs", "0"],
        ["--fst"],
        ["--fast", "--skip-hooks"],
        ["--quiet", "--verbose"],
        ["--staged", "--all-files"],
        ["instal"],
        ["hooks"],
        ["-w", "no-such-workflow"],
    ],
    ids=" ".join,
)
def test_what_typer_answers_itself_or_refuses_is_never_stored(
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = one_hook_project(tmp_path / "p")
    run_cli(args, root, monkeypatch, capsys)
    stored = stored_entries()
    if args == ["-w", "no-such-workflow"]:  # Typer accepted it: the project refused it
        assert list(stored) == [key(args)]
    else:
        assert stored == {}


def test_a_command_line_with_paths_is_never_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """PATHS depend on the files of the current folder (``a.txt`` is a path, ``instal`` a
    mistyped command), so such a command line always goes to Typer."""
    root = one_hook_project(tmp_path / "p")
    assert run_cli(["-w", "mine", "a.txt"], root, monkeypatch, capsys).code == 0
    digest = key(["a.txt"])
    argvcache.remember(digest, replace(parsed(["--fast"]), paths=("a.txt",)))
    assert stored_entries() == {}


def test_the_oldest_entries_go_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(argvcache, "MAX_ENTRIES", 3)
    options = parsed(["--fast"])
    for name in "abcd":
        argvcache.remember(name, options)
    argvcache.remember("b", options)
    assert list(stored_entries()) == ["c", "d", "b"]


def test_the_cache_file_is_in_the_user_cache_folder() -> None:
    assert argvcache.cache_file() == Path(os.environ["XDG_CACHE_HOME"]) / "crackjack" / "argv.json"


def test_a_changed_value_misses() -> None:
    argvcache.remember(key(["-w", "trivial"]), parsed(["-w", "trivial"]))
    assert argvcache.recall(key(["-w", "trivial"])) == parsed(["-w", "trivial"])
    assert argvcache.recall(key(["-w", "fast"])) is None
    assert argvcache.recall(key(["-w", "trivial", "-q"])) is None


def test_the_entry_runs_what_the_cache_holds_without_asking_typer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Proof that a hit skips the parse: options stored under ``--fast``'s key (which Typer
    itself would never store there) are the ones that run."""
    root = one_hook_project(tmp_path / "p")
    argvcache.remember(key(["--fast"]), parsed(["-w", "mine"]))
    result = run_cli(["--fast"], root, monkeypatch, capsys)
    assert result.code == 0
    assert "== mine" in result.out


def test_without_the_parsers_sources_nothing_is_recalled_or_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An install with no source files (bytecode only) still runs, through Typer every time."""
    monkeypatch.setattr(argvcache, "SOURCES", (tmp_path / "missing.py",))
    assert argvcache.key(["--fast"]) is None


def test_a_cache_that_fails_in_any_way_is_a_miss(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from crackjack.cli import entry

    def broken(digest: str) -> RunOptions | None:
        raise RuntimeError("a bug in the argv cache")

    monkeypatch.setattr(argvcache, "recall", broken)
    assert entry.answer(["--help"]) == 0
    assert "Usage" in capsys.readouterr().out
