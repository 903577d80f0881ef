"""The argument parsers of the in-process checks: pure, callable before anything runs, and
the ones the checks themselves use. Their messages are one line without a key path (the caller
that knows the hook adds ``tool.crackjack.hooks.ID.args: ``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from crackjack.core.errors import ConfigError
from crackjack.core.runners.inprocess import InProcessCheck
from crackjack.hooks.checks.common import no_arguments
from crackjack.hooks.checks.debug_statements import debug_statements
from crackjack.hooks.checks.end_of_file import end_of_file
from crackjack.hooks.checks.large_files import (
    LargeFilesOptions,
    large_files,
    parse_large_files_args,
)
from crackjack.hooks.checks.merge_conflict import merge_conflict
from crackjack.hooks.checks.syntax import (
    YamlOptions,
    check_toml,
    check_yaml,
    parse_check_yaml_args,
)
from crackjack.hooks.checks.whitespace import trailing_whitespace

Parser = Callable[[Sequence[str]], object]

NO_ARGUMENTS: dict[str, InProcessCheck] = {
    "debug-statements": debug_statements,
    "end-of-file": end_of_file,
    "check-merge-conflict": merge_conflict,
    "trailing-whitespace": trailing_whitespace,
    "check-toml": check_toml,
}
EVERY_CHECK: dict[str, tuple[InProcessCheck, Parser]] = {
    **{name: (check, no_arguments) for name, check in NO_ARGUMENTS.items()},
    "check-large-files": (large_files, parse_large_files_args),
    "check-yaml": (check_yaml, parse_check_yaml_args),
}


def test_no_arguments_accepts_none() -> None:
    no_arguments(())


@pytest.mark.parametrize("args", [["--x"], ["--x", "y"], [""]])
def test_no_arguments_refuses_any(args: list[str]) -> None:
    expected = f"unknown argument {args[0]!r} (this check takes no arguments)"
    with pytest.raises(ConfigError) as caught:
        no_arguments(args)
    assert str(caught.value) == expected


@pytest.mark.parametrize("name", NO_ARGUMENTS)
def test_checks_without_arguments_refuse_them_alike(tmp_path: Path, name: str) -> None:
    check = NO_ARGUMENTS[name]
    assert not check([], root=tmp_path, args=(), fix=False).failed
    with pytest.raises(ConfigError, match=r"^unknown argument '--fix' \(this check takes no"):
        check([], root=tmp_path, args=["--fix"], fix=False)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), YamlOptions(unsafe=False)),
        (("--unsafe",), YamlOptions(unsafe=True)),
        (("-m", "--allow-multiple-documents"), YamlOptions(unsafe=False)),
        (("--allow-multiple-documents", "--unsafe"), YamlOptions(unsafe=True)),
    ],
)
def test_parse_check_yaml_args(args: tuple[str, ...], expected: YamlOptions) -> None:
    assert parse_check_yaml_args(args) == expected


def test_parse_check_yaml_args_names_what_it_accepts() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_check_yaml_args(["--unsafe", "--bogus"])
    assert str(caught.value) == (
        "unknown argument '--bogus' (accepted: --unsafe, --allow-multiple-documents, -m)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--maxkb"], "--maxkb needs a value in KB (accepted: --maxkb=N, --enforce-all)"),
        (
            ["--maxkb=lots"],
            "--maxkb expects a whole number of KB, got 'lots' (accepted: --maxkb=N, --enforce-all)",
        ),
        (["-x"], "unknown argument '-x' (accepted: --maxkb=N, --enforce-all)"),
    ],
)
def test_parse_large_files_args_says_what_is_wrong_and_accepted(
    args: list[str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_large_files_args(args)
    assert str(caught.value) == message


def test_parse_large_files_args_defaults() -> None:
    assert parse_large_files_args(()) == LargeFilesOptions(max_kb=500)


@pytest.mark.parametrize("name", EVERY_CHECK)
@pytest.mark.parametrize("args", [["--frobnicate"], ["--maxkb"], ["--maxkb=x"]])
def test_each_check_refuses_what_its_parser_refuses(
    tmp_path: Path, name: str, args: list[str]
) -> None:
    check, parse = EVERY_CHECK[name]
    with pytest.raises(ConfigError) as parsed:
        parse(args)
    message = str(parsed.value)
    assert "\n" not in message
    assert "tool.crackjack" not in message
    with pytest.raises(ConfigError) as ran:
        check([], root=tmp_path, args=args, fix=False)
    assert str(ran.value) == message
