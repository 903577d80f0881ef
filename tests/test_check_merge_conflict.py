from __future__ import annotations

from pathlib import Path

import pytest

from crackjack.core.runners.inprocess import CheckOutcome
from crackjack.hooks.checks.merge_conflict import find_markers, merge_conflict

OURS, SPLIT, THEIRS = b"<" * 7, b"=" * 7, b">" * 7
CONFLICT = b"before\n%s HEAD\nours\n%s\ntheirs\n%s feature\nafter\n" % (OURS, SPLIT, THEIRS)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            CONFLICT,
            [(2, "'<<<<<<<'"), (4, "'======='"), (6, "'>>>>>>>'")],
            id="conflict",
        ),
        pytest.param(
            CONFLICT.replace(b"\n", b"\r\n"),
            [(2, "'<<<<<<<'"), (4, "'======='"), (6, "'>>>>>>>'")],
            id="crlf",
        ),
        pytest.param(
            b"<<<<<<< ours\na\n||||||| base\nb\n=======\nc\n>>>>>>> theirs\n",
            [(1, "'<<<<<<<'"), (3, "'|||||||'"), (5, "'======='"), (7, "'>>>>>>>'")],
            id="diff3",
        ),
        pytest.param(b"\xff\xfe\n<<<<<<< a\n\x00\n", [(2, "'<<<<<<<'")], id="binary"),
        pytest.param(b"x\n>>>>>>> b\n=======", [(2, "'>>>>>>>'"), (3, "'======='")], id="eof"),
        pytest.param(b"Title\n=======\n", [], id="rst-underline-alone"),
        pytest.param(b"Title\n=======\n<<<<<<<\n", [], id="marker-without-space"),
        pytest.param(b"x = '<<<<<<< '\n  >>>>>>> x\n", [], id="not-at-line-start"),
        pytest.param(b"<<<<<<< a\n========\n", [(1, "'<<<<<<<'")], id="eight-equals"),
        pytest.param(b"", [], id="empty"),
        pytest.param("caf\u00e9\n".encode(), [], id="utf8"),
    ],
)
def test_markers(tmp_path: Path, data: bytes, expected: list[tuple[int, str]]) -> None:
    (tmp_path / "f.txt").write_bytes(data)

    outcome = merge_conflict(["f.txt"], root=tmp_path, args=(), fix=False)

    lines = [f"f.txt:{line}: merge conflict marker {marker}" for line, marker in expected]
    assert outcome == CheckOutcome(failed=bool(expected), output="\n".join(lines))


def test_find_markers_skips_files_without_outer_markers() -> None:
    assert find_markers(b"=======\n") == []
