from __future__ import annotations

import os
from pathlib import Path

import pytest

from crackjack.core.runners import snapshot
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


def test_old_files_are_compared_by_their_signature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "RACY_SECONDS", -3600.0)
    (tmp_path / "a").write_text("one\n")
    (tmp_path / "b").write_text("one\n")
    taken = Snapshot.take(tmp_path, ["a", "b"])
    assert taken.digests == {}
    (tmp_path / "b").write_text("two, longer\n")
    assert taken.changed() == ("b",)


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
