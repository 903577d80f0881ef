from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from crackjack.core.runners.snapshot import Snapshot


def test_no_change_is_no_change(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("one\n")
    assert Snapshot.take(tmp_path, ["a"]).changed() == ()


def test_a_same_size_edit_within_one_timestamp_tick_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "a"
    path.write_text("one\n")
    stamp = path.stat().st_mtime_ns
    taken = Snapshot.take(tmp_path, ["a"])
    path.write_text("two\n")
    os.utime(path, ns=(stamp, stamp))
    assert taken.changed() == ("a",)


def _looked_at(monkeypatch: pytest.MonkeyPatch, after: Path, seconds: float) -> None:
    """The clock as ``seconds`` after ``after``'s last change (its ctime: the kernel's own)."""
    at = os.stat(after).st_ctime_ns + int(seconds * 1e9)
    monkeypatch.setattr(time, "time_ns", lambda: at)


def test_old_files_are_compared_by_their_signature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").write_text("one\n")
    (tmp_path / "b").write_text("one\n")
    _looked_at(monkeypatch, tmp_path / "b", 3600.0)
    taken = Snapshot.take(tmp_path, ["a", "b"])
    assert taken.digests == {}
    (tmp_path / "b").write_text("two, longer\n")
    assert taken.changed() == ("b",)


@pytest.mark.parametrize(("seconds", "hashed"), [(0.05, ["a", "b"]), (0.5, [])])
def test_files_changed_within_a_timestamp_tick_or_so_are_hashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seconds: float, hashed: list[str]
) -> None:
    """Fine file times settle after ``stamps.SETTLED_NS``, not after seconds: a project's
    files a fixer or git has just written are hashed by the next hook, those of a moment
    before are not."""
    (tmp_path / "a").write_text("one\n")
    (tmp_path / "b").write_text("one\n")
    _looked_at(monkeypatch, tmp_path / "b", seconds)
    assert sorted(Snapshot.take(tmp_path, ["a", "b"]).digests) == hashed


def test_deleted_created_and_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "gone").write_text("x\n")
    taken = Snapshot.take(tmp_path, ["gone", "new"])
    (tmp_path / "gone").unlink()
    (tmp_path / "new").write_text("x\n")
    assert taken.changed() == ("gone", "new")


def test_a_folder_in_place_of_a_file_has_no_digest(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    taken = Snapshot.take(tmp_path, ["d"])
    assert taken.digests == {}
    assert taken.changed() == ()
