"""The environments folder as a whole: how big it is (``crackjack cache``), and removing every
environment in it (``crackjack cache clear --envs``)."""

from __future__ import annotations

import contextlib
import shutil
from collections import defaultdict
from pathlib import Path

from crackjack.core.files.fsutil import tree_size
from crackjack.core.toolenv.location import LOCKS, envs_home
from crackjack.core.toolenv.lock import env_lock
from crackjack.core.valueclass import value


@value(eq=True)
class EnvsUsage:
    """The environments folder (None: no place for one), how many environments are built in
    it, and the bytes it takes."""

    folder: Path | None
    environments: int
    size: int


@value(eq=True)
class EnvsRemoved:
    """What ``remove_envs`` did: environments removed, bytes freed, and the keys left alone
    because a build of theirs is under way."""

    folder: Path | None
    removed: int
    freed: int
    busy: tuple[str, ...]


def envs_usage() -> EnvsUsage:
    home = envs_home()
    if home is None or not home.is_dir():
        return EnvsUsage(home, 0, 0)
    built = sum(1 for entry in home.iterdir() if entry.is_symlink())
    return EnvsUsage(home, built, tree_size(home))


def remove_envs() -> EnvsRemoved:
    """Remove every environment (and what killed builds left), but for those being built right
    now by another run."""
    home = envs_home()
    if home is None or not home.is_dir():
        return EnvsRemoved(home, 0, 0, ())
    by_key: dict[str, list[Path]] = defaultdict(list)
    for entry in home.iterdir():
        if entry.name != LOCKS:
            by_key[entry.name.split(".")[0]].append(entry)
    removed = freed = 0
    busy: list[str] = []
    for key, entries in sorted(by_key.items()):
        with env_lock(home, key, wait=False) as held:
            if not held:
                busy.append(key)
                continue
            for entry in entries:
                freed += tree_size(entry)
                removed += entry.is_symlink()
                _remove(entry)
    return EnvsRemoved(home, removed, freed, tuple(busy))


def _remove(entry: Path) -> None:
    if entry.is_symlink() or not entry.is_dir():
        with contextlib.suppress(FileNotFoundError):
            entry.unlink()
    else:
        shutil.rmtree(entry, ignore_errors=True)
