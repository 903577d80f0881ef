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
from tests.gitrepo import commit_all, run_git, write
from tests.project import run_cli


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
        ([], LargeFilesOptions(500)),
        (["--maxkb=1000"], LargeFilesOptions(1000)),
        (["--maxkb", "1000"], LargeFilesOptions(1000)),
        (["--maxkb=0"], LargeFilesOptions(0)),
        (["--enforce-all", "--maxkb", " 7 "], LargeFilesOptions(7, enforce_all=True)),
        (["--maxkb=1", "--maxkb=2"], LargeFilesOptions(2)),
    ],
)
def test_parse_large_files_args(args: list[str], expected: LargeFilesOptions) -> None:
    assert parse_large_files_args(args) == expected


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


# --- only files being added, as pre-commit-hooks' check-added-large-files ------------------


def _flagged(root: Path, *names: str, args: tuple[str, ...] = ("--maxkb=1",)) -> list[str]:
    outcome = large_files(names, root=root, args=args, fix=False)
    return [line.split(":")[0] for line in outcome.output.splitlines()]


def test_committed_files_are_not_flagged_unless_enforce_all(repo: Path) -> None:
    """Issue 11: check-large-files failed projects on images committed years ago."""
    for name in ("old.png", "sub/old dir/é.bin", "grown.txt"):
        write(repo / name, b"x" * 2048)
    write(repo / "small.txt", b"x")
    commit_all(repo)
    write(repo / "grown.txt", b"x" * 4096)
    write(repo / "new.png", b"x" * 2048)
    write(repo / "staged.png", b"x" * 2048)
    run_git(repo, "add", "staged.png")
    names = ("old.png", "sub/old dir/é.bin", "grown.txt", "new.png", "staged.png", "small.txt")
    assert _flagged(repo, *names) == ["new.png", "staged.png"]
    assert _flagged(repo / "sub", "old dir/é.bin") == []
    assert _flagged(repo, *names, args=("--maxkb=1", "--enforce-all")) == list(names[:-1])


def test_before_the_first_commit_and_outside_git_every_file_is_added(
    repo: Path, plain: Path
) -> None:
    write(repo / "a.bin", b"x" * 2048)
    run_git(repo, "add", "a.bin")
    write(plain / "b.bin", b"x" * 2048)
    assert _flagged(repo, "a.bin") == ["a.bin"]
    assert _flagged(plain, "b.bin") == ["b.bin"]


def test_files_git_lfs_stores_never_count(repo: Path) -> None:
    write(repo / ".gitattributes", "*.psd filter=lfs diff=lfs merge=lfs -text\n")
    write(repo / "art.psd", b"x" * 2048)
    write(repo / "art.png", b"x" * 2048)
    assert _flagged(repo, "art.psd", "art.png") == ["art.png"]
    assert _flagged(repo, "art.psd", args=("--enforce-all", "--maxkb=1")) == []


def test_many_large_files_are_asked_about_in_batches(repo: Path) -> None:
    write(repo / "base", b"x")
    commit_all(repo)
    names = [f"{'d' * 200}/{i:05d}.bin" for i in range(1500)]
    for name in names:
        write(repo / name, b"x" * 1025)
    assert _flagged(repo, *names) == names


def test_a_staged_run_passes_on_old_large_files_and_fails_on_a_new_one(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo / "pyproject.toml", CONFIG)
    write(repo / "old.png", b"x" * 2048)
    commit_all(repo)
    write(repo / "old.png", b"y" * 2048)
    run_git(repo, "add", "old.png")
    assert run_cli(["--fast", "--staged"], repo, monkeypatch, capsys).code == 0
    assert run_cli(["--fast"], repo, monkeypatch, capsys).code == 0
    write(repo / "new.png", b"x" * 2048)
    assert run_cli(["--fast", "--staged"], repo, monkeypatch, capsys).code == 0
    result = run_cli(["--fast"], repo, monkeypatch, capsys)
    assert result.code == 1
    assert "new.png: 2 KB exceeds the limit of 1 KB" in result.out
    run_git(repo, "add", "new.png")
    assert run_cli(["--fast", "--staged"], repo, monkeypatch, capsys).code == 1


CONFIG = """\
[tool.crackjack.hooks.check-large-files]
args = ["--maxkb=1"]
"""
