"""crackjack's own output files (``--report``, ``--junit``, ``--events``), remembered so that
no later run hands them to a hook.

They are recorded, relative to the top of the work tree, in ``outputs.json`` in crackjack's
folder of the git directory, merged with what is there; content that cannot be read as such a
record is ignored. Outside git nothing is remembered: only the run that writes them skips them.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from crackjack.core.files.fsutil import atomic_write, read_json_object
from crackjack.core.files.selection import path_inside
from crackjack.core.git.worktree import WorkTree

RECORD = "outputs.json"


def own_outputs(root: Path, tree: WorkTree | None, current: Sequence[Path]) -> frozenset[str]:
    """The output files, relative to ``root``: ``current`` (this run's) and the remembered
    ones that still exist, those under ``root`` only."""
    remembered = [] if tree is None else _existing(tree, _recorded(tree))
    inside = (_relative(path, root) for path in [*current, *remembered])
    return frozenset(name for name in inside if name is not None)


def remember_outputs(tree: WorkTree | None, current: Sequence[Path]) -> None:
    """Add ``current`` (those inside the work tree) to the record; forget files that are gone.

    A record that cannot be written (a read-only ``.git``) is not an error: this run leaves
    ``current`` out all the same."""
    if tree is None:
        return
    recorded = _recorded(tree)
    known = {_relative(path, tree.top) for path in [*current, *_existing(tree, recorded)]}
    names = sorted(name for name in known if name is not None)
    if names != sorted(recorded):
        folder = tree.crackjack_dir
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write(folder / RECORD, json.dumps({"paths": names}).encode())


def _existing(tree: WorkTree, recorded: Iterable[str]) -> list[Path]:
    return [tree.top / name for name in recorded if os.path.lexists(tree.top / name)]


def _recorded(tree: WorkTree) -> list[str]:
    data = read_json_object(tree.crackjack_dir / RECORD) or {}
    paths = data.get("paths")
    if not isinstance(paths, list):
        return []
    return [path for path in paths if isinstance(path, str) and path]


def _relative(path: Path, base: Path) -> str | None:
    """``path`` relative to ``base`` (``path_inside``); None outside it or for ``base``."""
    relative = path_inside(os.path.abspath(path), os.path.abspath(base))
    return None if relative in (None, ".") else relative
