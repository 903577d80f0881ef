"""Which files a run looks at: git's view in a work tree, a filtered walk elsewhere."""

from __future__ import annotations

import os
from pathlib import Path, PurePath

from crackjack.core import git

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "node_modules",
        "build",
        "dist",
    }
)


def discover(root: Path) -> list[str]:
    """Every candidate file under ``root``, as sorted posix paths relative to it.

    In a git work tree these are git's tracked and untracked-not-ignored files; elsewhere a walk
    that skips version-control, cache, build and virtualenv directories. Symlinks are listed as
    paths and never followed, as git does.
    """
    if git.repo_root(root) is not None:
        return git.list_files(root)
    return walk(root)


def walk(root: Path) -> list[str]:
    """The files under ``root`` outside the directories no project wants checked."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        base = PurePath(os.path.relpath(dirpath, root))
        kept = []
        for name in dirnames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                filenames.append(name)
            elif not _skipped(name, path):
                kept.append(name)
        dirnames[:] = kept
        found.extend((base / name).as_posix() for name in filenames)
    return sorted(found)


def _skipped(name: str, path: str) -> bool:
    if name in SKIPPED_DIRS or name.endswith(".egg-info"):
        return True
    return os.path.exists(os.path.join(path, "pyvenv.cfg"))
