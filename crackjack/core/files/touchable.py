"""The files a run may hand to hooks: the one place that says so, for every selection.

Never a file inside a virtual environment (a folder holding ``pyvenv.cfg`` or ``conda-meta``),
under ``.git``, a symlink, anything under a symlinked folder, nor one of crackjack's own output
files. Every folder between the project root and a file must be a real directory (``lstat``),
so a path that passes cannot resolve outside the root and no write lands outside the project.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

VENV_MARKERS = ("pyvenv.cfg", "conda-meta")
"""What makes a folder a virtual environment (venv, virtualenv, conda)."""


class Touchable:
    """The rule for the project at ``root`` (absolute), minus ``outputs`` (paths relative to
    it); each folder is looked at once, whatever the number of files in it."""

    def __init__(self, root: Path, outputs: Iterable[str] = ()) -> None:
        self._root = os.fspath(root)
        self._base = os.path.join(self._root, "")
        self._outputs = frozenset(outputs)
        self._folders: dict[str, bool] = {"": True}

    def __call__(self, name: str) -> bool:
        """Whether ``name`` (posix, relative to the root) may be handed to a hook."""
        folder, _, base = name.rpartition("/")
        return (
            base != ".git"
            and name not in self._outputs
            and self.folder(folder)
            and not os.path.islink(self._base + name)
        )

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
