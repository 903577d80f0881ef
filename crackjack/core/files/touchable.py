"""The files a run may hand to hooks: the one place that says so, for every selection.

Each file is looked at once (``FileModes``: one ``lstat``, shared by this rule and the hooks'
type filter), and one that does not exist (deleted, sparse) is never handed over.

Never a file inside a virtual environment (a folder holding ``pyvenv.cfg`` or ``conda-meta``),
under ``.git``, a symlink, anything under a symlinked folder, nor one of crackjack's own output
files. Every folder between the project root and a file must be a real directory (``lstat``),
so a path that passes cannot resolve outside the root and no write lands outside the project.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterable
from pathlib import Path

VENV_MARKERS = ("pyvenv.cfg", "conda-meta")
"""What makes a folder a virtual environment (venv, virtualenv, conda)."""


class FileModes:
    """Each file under ``root`` as ``lstat`` gives it (None: it does not exist or cannot be
    looked at), looked at once: a run's selection, its planning and the result cache's first
    look at each file (``ContentIds``) ask about the same files, before any hook changes one.
    ``made``: when it was made (``time.time_ns()``), before any of its looks."""

    __slots__ = ("_base", "_looks", "made", "root")

    def __init__(self, root: Path) -> None:
        self.root = root
        self.made = time.time_ns()
        self._base = os.path.join(root, "")
        self._looks: dict[str, os.stat_result | None] = {}

    def of(self, name: str) -> int | None:
        """The mode of ``name`` (relative to the root)."""
        info = self.stat(name)
        return None if info is None else info.st_mode

    def path(self, name: str) -> str:
        """The path of ``name`` (relative to the root), as a string."""
        return self._base + name

    def stat(self, name: str) -> os.stat_result | None:
        """What ``lstat`` gave for ``name`` (relative to the root) when first asked."""
        try:
            return self._looks[name]
        except KeyError:
            pass
        try:
            info: os.stat_result | None = os.lstat(self.path(name))
        except (OSError, ValueError):
            info = None
        self._looks[name] = info
        return info


class Touchable:
    """The rule for the project at ``root`` (absolute), minus ``outputs`` (paths relative to
    it); each folder is looked at once, whatever the number of files in it, and each file once
    (``modes``, shared with the run's planning)."""

    def __init__(
        self, root: Path, outputs: Iterable[str] = (), modes: FileModes | None = None
    ) -> None:
        self._root = os.fspath(root)
        self._outputs = frozenset(outputs)
        self._folders: dict[str, bool] = {"": True}
        self._modes = FileModes(root) if modes is None else modes

    def __call__(self, name: str) -> bool:
        """Whether ``name`` (posix, relative to the root) exists and may be handed to a hook."""
        folder, _, base = name.rpartition("/")
        if base == ".git" or name in self._outputs or not self.folder(folder):
            return False
        mode = self._modes.of(name)
        return mode is not None and not stat.S_ISLNK(mode)

    def keep(self, names: Iterable[str]) -> list[str]:
        return [name for name in names if self(name)]

    def folder(self, folder: str) -> bool:
        """Whether files under ``folder`` (posix, relative to the root; ``""`` is the root)
        may be touched."""
        known = self._folders.get(folder)
        if known is None:
            parent, _, base = folder.rpartition("/")
            path = os.path.join(self._root, folder)
            known = self.folder(parent) and base != ".git" and _plain_folder(path)
            self._folders[folder] = known
        return known


def _plain_folder(path: str) -> bool:
    """A real directory (not a symlink) that is not a virtual environment."""
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            return False
    except OSError:
        return False
    return not any(os.path.lexists(os.path.join(path, marker)) for marker in VENV_MARKERS)
