from __future__ import annotations

from pathlib import Path

import pytest

from crackjack.core.errors import ConfigError
from crackjack.core.runners.inprocess import CheckOutcome
from crackjack.hooks.checks.large_files import (
    LargeFilesOptions,
    large_files,
    parse_large_files_args,
)


def _sized(root: Path, name: str, size: int) -> None:
    with (root / name).open("wb") as handle:
        handle.truncate(size)


@pytest.mark.parametrize(
    ("size", "output"),
    [
        (0, ""),
        (500 * 1024, ""),
        (500 * 1024 + 1, "big.bin: 501 KB exceeds the limit of 500 KB"),
        (3 * 1024 * 1024, "big.bin: 3072 KB exceeds the limit of 500 KB"),
    ],
)
def test_default_limit(tmp_path: Path, size: int, output: str) -> None:
    _sized(tmp_path, "big.bin", size)

    outcome = large_files(["big.bin"], root=tmp_path, args=(), fix=True)

    assert outcome == CheckOutcome(failed=bool(output), output=output)


def test_limit_from_args_and_file_order(tmp_path: Path) -> None:
    _sized(tmp_path, "b.bin", 2048 + 1)
    _sized(tmp_path, "a.bin", 2048)
    _sized(tmp_path, "c.bin", 4096)

    outcome = large_files(["b.bin", "a.bin", "c.bin"], root=tmp_path, args=["--maxkb=2"], fix=False)

    assert outcome.output.splitlines() == [
        "b.bin: 3 KB exceeds the limit of 2 KB",
        "c.bin: 4 KB exceeds the limit of 2 KB",
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], 500),
        (["--maxkb=1000"], 1000),
        (["--maxkb", "1000"], 1000),
        (["--maxkb=0"], 0),
        (["--enforce-all", "--maxkb", " 7 "], 7),
        (["--maxkb=1", "--maxkb=2"], 2),
    ],
)
def test_parse_large_files_args(args: list[str], expected: int) -> None:
    assert parse_large_files_args(args) == LargeFilesOptions(max_kb=expected)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--maxkb"], "--maxkb needs a value in KB"),
        (["--maxkb="], "expects a whole number of KB, got ''"),
        (["--maxkb=abc"], "expects a whole number of KB, got 'abc'"),
        (["--maxkb", "-1"], "expects a whole number of KB, got '-1'"),
        (["--maxkb=1.5"], "expects a whole number of KB, got '1.5'"),
        (["--maxkb=\u00b2"], "expects a whole number of KB"),
        (["1000"], "unknown argument '1000'"),
        (["--max-kb=3"], "unknown argument '--max-kb=3'"),
    ],
)
def test_bad_args_are_config_errors(tmp_path: Path, args: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        large_files([], root=tmp_path, args=args, fix=False)
