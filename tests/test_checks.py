"""The contract every in-process check keeps, and the two fixers (whitespace, end of file)."""

from __future__ import annotations

import codecs
import errno
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from crackjack.core.errors import ConfigError
from crackjack.core.runners.inprocess import CheckOutcome, InProcess, InProcessCheck
from crackjack.hooks.catalogue import BUILTIN_HOOKS
from crackjack.hooks.checks.common import is_text, read_tail, read_whole
from crackjack.hooks.checks.end_of_file import end_of_file, fix_end_of_file
from crackjack.hooks.checks.whitespace import strip_trailing, trailing_whitespace
from tests.project import run_cli

# The catalogue's checks, as runs call them.
ALL_CHECKS: dict[str, InProcessCheck] = {
    hook.id: hook.runner.check for hook in BUILTIN_HOOKS if isinstance(hook.runner, InProcess)
}
READING_CHECKS = {name: check for name, check in ALL_CHECKS.items() if name != "check-large-files"}


def test_the_catalogue_has_every_check() -> None:
    assert set(ALL_CHECKS) == {
        "debug-statements",
        "check-merge-conflict",
        "check-large-files",
        "check-toml",
        "check-yaml",
        "trailing-whitespace",
        "end-of-file",
    }


FIXERS: dict[str, InProcessCheck] = {
    "trailing_whitespace": trailing_whitespace,
    "end_of_file": end_of_file,
}


def _write(root: Path, name: str, data: bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def _run(check: InProcessCheck, root: Path, *files: str, fix: bool = False) -> CheckOutcome:
    return check(files, root=root, args=(), fix=fix)


# --- every check ---------------------------------------------------------------------------


@pytest.mark.parametrize("check", ALL_CHECKS.values(), ids=ALL_CHECKS.keys())
@pytest.mark.parametrize("fix", [False, True])
def test_no_files_pass(tmp_path: Path, check: InProcessCheck, fix: bool) -> None:
    assert _run(check, tmp_path, fix=fix) == CheckOutcome(failed=False)


@pytest.mark.parametrize("check", ALL_CHECKS.values(), ids=ALL_CHECKS.keys())
def test_a_vanished_file_is_an_error_line(tmp_path: Path, check: InProcessCheck) -> None:
    outcome = _run(check, tmp_path, "gone.py", fix=True)

    assert outcome == CheckOutcome(
        failed=True, output="gone.py: cannot read: No such file or directory"
    )


@pytest.mark.parametrize("check", READING_CHECKS.values(), ids=READING_CHECKS.keys())
def test_a_directory_is_an_error_line(tmp_path: Path, check: InProcessCheck) -> None:
    (tmp_path / "sub.py").mkdir()

    outcome = _run(check, tmp_path, "sub.py")

    assert outcome == CheckOutcome(failed=True, output="sub.py: cannot read: Is a directory")


@pytest.mark.parametrize("check", ALL_CHECKS.values(), ids=ALL_CHECKS.keys())
def test_unknown_arguments_are_config_errors(tmp_path: Path, check: InProcessCheck) -> None:
    with pytest.raises(ConfigError, match="--frobnicate"):
        check([], root=tmp_path, args=["--frobnicate"], fix=False)


@pytest.mark.parametrize("check", ALL_CHECKS.values(), ids=ALL_CHECKS.keys())
@pytest.mark.parametrize(
    "data", [b"", b"\n", b"x\n", "caf\u00e9 = '\u2603'\n".encode(), b"\xff\xfe\x00\x01\x80"]
)
def test_odd_content_never_raises(tmp_path: Path, check: InProcessCheck, data: bytes) -> None:
    _write(tmp_path, "odd.py", data)

    outcome = _run(check, tmp_path, "odd.py", fix=True)

    assert isinstance(outcome, CheckOutcome)


@pytest.mark.parametrize("check", ALL_CHECKS.values(), ids=ALL_CHECKS.keys())
def test_checks_run_concurrently_with_the_same_results(
    tmp_path: Path, check: InProcessCheck
) -> None:
    names = [f"f{i}.py" for i in range(16)]
    for index, name in enumerate(names):
        _write(tmp_path, name, b"import pdb  \n<<<<<<< a\n=======\n>>>>>>> b\n" * index)
    expected = [_run(check, tmp_path, name) for name in names]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda name: _run(check, tmp_path, name), names))

    assert results == expected


# --- both fixers -------------------------------------------------------------------------------


@pytest.mark.parametrize("check", FIXERS.values(), ids=FIXERS.keys())
def test_check_mode_writes_nothing(tmp_path: Path, check: InProcessCheck) -> None:
    path = _write(tmp_path, "bad.txt", b"trailing \n\n\n")
    before = _snapshot(path)

    outcome = _run(check, tmp_path, "bad.txt")

    assert outcome.failed
    assert outcome.modified == ()
    assert "would fix" in outcome.output
    assert _snapshot(path) == before


@pytest.mark.parametrize("check", FIXERS.values(), ids=FIXERS.keys())
def test_fix_then_check_is_clean(tmp_path: Path, check: InProcessCheck) -> None:
    _write(tmp_path, "a.txt", b"one \r\ntwo\t\r\n\r\n")
    _write(tmp_path, "clean.txt", b"fine\n")
    path = _write(tmp_path, "b.md", b"hard  \nbreak   \nend")
    path.chmod(0o751)

    fixed = _run(check, tmp_path, "a.txt", "clean.txt", "b.md", fix=True)

    assert fixed.failed
    assert fixed.modified == ("a.txt", "b.md")
    assert path.stat().st_mode & 0o777 == 0o751
    assert _run(check, tmp_path, "a.txt", "clean.txt", "b.md") == CheckOutcome(failed=False)


@pytest.mark.parametrize("check", FIXERS.values(), ids=FIXERS.keys())
def test_a_failed_write_is_an_error_line_and_keeps_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check: InProcessCheck
) -> None:
    path = _write(tmp_path, "full.txt", b"x \n\n")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)

    outcome = _run(check, tmp_path, "full.txt", fix=True)

    assert outcome == CheckOutcome(
        failed=True, output="full.txt: cannot write: No space left on device"
    )
    assert path.read_bytes() == b"x \n\n"


# --- trailing whitespace -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "before", "after", "lines"),
    [
        pytest.param("a.py", b"x = 1  \ny\t\nz\n", b"x = 1\ny\nz\n", [1, 2], id="lf"),
        pytest.param("a.py", b"a \r\nb\r\nc\t \r\n", b"a\r\nb\r\nc\r\n", [1, 3], id="crlf"),
        pytest.param("a.py", b"a \rb\r c \r", b"a\rb\r c\r", [1, 3], id="cr"),
        pytest.param("a.py", b"a \nb\r\nc \rd \n", b"a\nb\r\nc\rd\n", [1, 3, 4], id="mixed"),
        pytest.param("a.py", b"a\nb  ", b"a\nb", [2], id="no-final-newline"),
        pytest.param("a.py", b" \t \n\n  \n", b"\n\n\n", [1, 3], id="blank-lines"),
        pytest.param("a.py", b"a  b\n", b"a  b\n", [], id="inner-spaces"),
        pytest.param(
            "a.py", "caf\u00e9 \u2603 \n".encode(), "caf\u00e9 \u2603\n".encode(), [1], id="utf8"
        ),
        pytest.param("a.py", b"\xa0\n", b"\xa0\n", [], id="nbsp-byte-kept"),
        pytest.param("a.py", b"", b"", [], id="empty"),
        pytest.param("a.txt", b"hard  \n", b"hard\n", [1], id="text-not-markdown"),
        pytest.param(
            "doc.md",
            b"hard  \nthree   \ntab\t  \n  \nend \n  \n",
            b"hard  \nthree  \ntab  \n\nend\n\n",
            [2, 3, 4, 5, 6],
            id="markdown",
        ),
        pytest.param("R.MARKDOWN", b"x  \r\ny \r\n", b"x  \r\ny\r\n", [2], id="markdown-crlf"),
        pytest.param("doc.md", b"  \nx", b"\nx", [1], id="markdown-blank-first-line"),
    ],
)
def test_trailing_whitespace(
    tmp_path: Path, name: str, before: bytes, after: bytes, lines: list[int]
) -> None:
    path = _write(tmp_path, name, before)
    mtime = path.stat().st_mtime_ns

    checked = _run(trailing_whitespace, tmp_path, name)
    assert checked.failed == bool(lines)
    assert checked.output == "\n".join(f"{name}:{n}: would fix trailing whitespace" for n in lines)
    assert _snapshot(path) == (before, mtime)

    fixed = _run(trailing_whitespace, tmp_path, name, fix=True)
    assert fixed.failed == bool(lines)
    assert fixed.modified == ((name,) if lines else ())
    assert fixed.output == "\n".join(f"{name}:{n}: fixed trailing whitespace" for n in lines)
    assert path.read_bytes() == after


def test_trailing_whitespace_reports_in_file_order(tmp_path: Path) -> None:
    _write(tmp_path, "b.py", b"x \n")
    _write(tmp_path, "a.py", b"ok\ny \nz \n")

    outcome = _run(trailing_whitespace, tmp_path, "b.py", "a.py")

    assert outcome.output.splitlines() == [
        "b.py:1: would fix trailing whitespace",
        "a.py:2: would fix trailing whitespace",
        "a.py:3: would fix trailing whitespace",
    ]


def test_strip_trailing_leaves_clean_data_alone() -> None:
    data = b"clean\nlines\r\n"
    assert strip_trailing(data) == (data, [])
    assert strip_trailing(data)[0] is data


# --- end of file -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "problem"),
    [
        pytest.param(b"a", b"a\n", "missing line break at end of file", id="missing"),
        pytest.param(b"a\r\nb", b"a\r\nb\r\n", "missing line break at end of file", id="crlf"),
        pytest.param(b"a\rb", b"a\rb\r", "missing line break at end of file", id="cr"),
        pytest.param(b"a\n\n\n", b"a\n", "extra line breaks at end of file", id="extra"),
        pytest.param(b"a\r\n\r\n", b"a\r\n", "extra line breaks at end of file", id="extra-crlf"),
        pytest.param(b"a\r\r", b"a\r", "extra line breaks at end of file", id="extra-cr"),
        pytest.param(b"a\n\r\n", b"a\n", "extra line breaks at end of file", id="extra-mixed"),
        pytest.param(b"\n\n", b"", "file containing only line breaks", id="only-newlines"),
        pytest.param(b"\r\n", b"", "file containing only line breaks", id="only-crlf"),
        pytest.param(
            "\u2603".encode(), "\u2603\n".encode(), "missing line break at end of file", id="utf8"
        ),
        pytest.param(b"", b"", None, id="empty"),
        pytest.param(b"a\n", b"a\n", None, id="clean"),
        pytest.param(b"a\r\n", b"a\r\n", None, id="clean-crlf"),
        pytest.param(b"a\r", b"a\r", None, id="clean-cr"),
        pytest.param(b" \n", b" \n", None, id="blank-line-is-content"),
    ],
)
def test_end_of_file(tmp_path: Path, before: bytes, after: bytes, problem: str | None) -> None:
    path = _write(tmp_path, "f.txt", before)
    mtime = path.stat().st_mtime_ns

    checked = _run(end_of_file, tmp_path, "f.txt")
    assert checked.failed == (problem is not None)
    assert checked.output == (f"f.txt: would fix {problem}" if problem else "")
    assert _snapshot(path) == (before, mtime)

    fixed = _run(end_of_file, tmp_path, "f.txt", fix=True)
    assert fixed.output == (f"f.txt: fixed {problem}" if problem else "")
    assert fixed.modified == (("f.txt",) if problem else ())
    assert path.read_bytes() == after
    assert fix_end_of_file(after) is None


ENDINGS = [b"", b"\n", b"\n\n", b"\r\n", b"\r\n\r\n", b"\r", b"\r\r", b"\n\r\n", b"\n" * 9]
BODIES = [b"x" * 100, b"line\n" * 40 + b"last", b"a\r\nb\r\n" * 30 + b"c", b"\n" * 50]


@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize("body", BODIES)
def test_end_of_file_reads_a_file_whole_whenever_its_last_bytes_say_it_may_be_wrong(
    tmp_path: Path, body: bytes, ending: bytes
) -> None:
    """The check looks at a file's last bytes first: its verdict and its fix are still those
    of the whole content, for every ending on every kind of body."""
    data = body + ending
    path = _write(tmp_path, "f.txt", data)
    whole = fix_end_of_file(data)

    fixed = _run(end_of_file, tmp_path, "f.txt", fix=True)

    assert fixed.modified == (() if whole is None else ("f.txt",))
    assert path.read_bytes() == (data if whole is None else whole[0])


def test_read_whole_reads_on_past_what_the_stat_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that grew after its stat (here: a stat that says it is empty) is read whole."""
    data = os.urandom(200_000)
    path = _write(tmp_path, "grown.bin", data)
    real = os.fstat
    monkeypatch.setattr(os, "fstat", lambda fd: os.stat_result((*real(fd)[:6], 0, *real(fd)[7:])))

    with path.open("rb") as stream:
        assert os.fstat(stream.fileno()).st_size == 0
    assert read_whole(str(path)) == data


def test_read_whole_and_read_tail(tmp_path: Path) -> None:
    data = os.urandom(300_000)
    path = _write(tmp_path, "big.bin", data)
    _write(tmp_path, "empty", b"")

    assert read_whole(str(path)) == data
    assert read_whole(str(tmp_path / "empty")) == b""
    assert read_tail(str(path), 4) == data[-4:]
    assert read_tail(str(tmp_path / "empty"), 4) == b""
    _write(tmp_path, "short", b"ab")
    assert read_tail(str(tmp_path / "short"), 4) == b"ab"


@pytest.mark.parametrize(
    "data",
    [b"a \n", b"a\t\n", b"a \r\n", b"a\t\r", b"tab\there \n", b"cr\rx ", b"end\t", b"x\n "],
)
def test_trailing_whitespace_is_found_with_and_without_tabs_and_carriage_returns(
    data: bytes,
) -> None:
    assert strip_trailing(b"clean\n" * 20 + data)[1]


# --- text fixers skip what is not text (issue 11 point 1, issue 12 point 9) ----------------

TEXT_FIXERS: dict[str, InProcessCheck] = {
    hook.id: hook.runner.check
    for hook in BUILTIN_HOOKS
    if hook.fixer and isinstance(hook.runner, InProcess)
}
_DIRTY = "line with trailing spaces   \r\nlast line\t"
NOT_TEXT = {
    "utf-16-le": codecs.BOM_UTF16_LE + _DIRTY.encode("utf-16-le"),
    "utf-16-be": codecs.BOM_UTF16_BE + _DIRTY.encode("utf-16-be"),
    "utf-32-le": codecs.BOM_UTF32_LE + _DIRTY.encode("utf-32-le"),
    "utf-32-be": codecs.BOM_UTF32_BE + _DIRTY.encode("utf-32-be"),
    "nul": b"a \x00 b  \nc",
    "latin-1": "caf\u00e9  \nna\u00efve".encode("latin-1"),
    "truncated-utf-8": "\u2603  \n".encode()[:-4] + b" \n",
}


def test_every_in_process_fixer_is_known() -> None:
    assert set(TEXT_FIXERS) == {"trailing-whitespace", "end-of-file"}


@pytest.mark.parametrize("hook_id", sorted(TEXT_FIXERS))
@pytest.mark.parametrize("fix", [True, False])
def test_text_fixers_leave_files_that_are_not_text_alone(
    tmp_path: Path, hook_id: str, fix: bool
) -> None:
    for name, data in NOT_TEXT.items():
        _write(tmp_path, f"{name}.txt", data)
    names = [f"{name}.txt" for name in NOT_TEXT]

    outcome = _run(TEXT_FIXERS[hook_id], tmp_path, *names, fix=fix)

    assert outcome == CheckOutcome(failed=False)
    assert {name: (tmp_path / f"{name}.txt").read_bytes() for name in NOT_TEXT} == NOT_TEXT


def test_is_text() -> None:
    assert all(is_text(data) for data in (b"", "caf\u00e9 \u2603\r\n".encode(), b"\xef\xbb\xbfa"))
    assert not any(is_text(data) for data in NOT_TEXT.values())


def test_a_fast_run_never_changes_a_utf16_file(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """identify calls UTF-16 files text: every fixer of the fast workflow gets them."""
    for name, data in NOT_TEXT.items():
        _write(repo, f"{name}.txt", data)
        _write(repo, f"{name}.py", data)
    _write(repo, "dirty.txt", b"a  \nb")
    before = {path.name: path.read_bytes() for path in repo.iterdir() if path.is_file()}

    result = run_cli(["--fast"], repo, monkeypatch, capsys)

    assert result.code == 1
    assert "trailing-whitespace modified: dirty.txt" in result.out
    assert "end-of-file modified: dirty.txt" in result.out
    after = {path.name: path.read_bytes() for path in repo.iterdir() if path.is_file()}
    assert after == before | {"dirty.txt": b"a\nb\n"}
