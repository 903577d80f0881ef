"""Where the result cache is, its size, and clearing it."""

from __future__ import annotations

from pathlib import Path

from crackjack.core.cache.location import cache_folder, clear
from crackjack.core.files.fsutil import tree_size


def test_by_default_the_cache_is_in_the_shared_git_directory(tmp_path: Path) -> None:
    common = tmp_path / ".git"
    assert cache_folder(None, tmp_path, common) == common / "crackjack" / "cache"


def test_outside_a_repository_with_nothing_configured_there_is_no_cache(tmp_path: Path) -> None:
    assert cache_folder(None, tmp_path, None) is None


def test_a_relative_cache_dir_is_relative_to_the_project_root(tmp_path: Path) -> None:
    assert cache_folder(".cj", tmp_path, tmp_path / ".git") == tmp_path / ".cj"


def test_an_absolute_cache_dir_is_taken_as_it_is(tmp_path: Path) -> None:
    elsewhere = tmp_path / "shared"
    assert cache_folder(str(elsewhere), tmp_path / "p", None) == elsewhere


def test_size_counts_every_file_and_clear_empties_it(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    (folder / "ab").mkdir(parents=True)
    (folder / "ab" / "entry").write_bytes(b"x" * 10)
    (folder / "top").write_bytes(b"y" * 5)
    assert tree_size(folder) == 15
    clear(folder)
    assert not folder.exists()
    assert tree_size(folder) == 0
    clear(folder)


def test_clearing_a_symlinked_cache_folder_keeps_what_it_points_at(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (target / "keep").write_bytes(b"k")
    link = tmp_path / "cache"
    link.symlink_to(target)
    clear(link)
    assert not link.exists()
    assert (target / "keep").read_bytes() == b"k"
