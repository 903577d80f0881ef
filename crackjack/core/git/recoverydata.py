"""What the recovery data of hidden unstaged changes is, and where it lives (DESIGN.md 6.6).

While ``crackjack.core.git.hiding`` hides unstaged changes, ``<git-dir>/crackjack/recovery/``
holds everything needed to put them back, written and fsynced before anything in the work tree
is touched (``crackjack.core.git.recoverywrite``):

- ``files/N``: a byte-for-byte copy of each hidden file as the user left it (the primary
  source: no git filter, end-of-line conversion or configuration stands between it and the
  user's bytes);
- ``unstaged.patch``: the same changes as a binary git patch, for people and other tools;
- a commit of the whole work tree's tracked content, pinned by ``refs/crackjack/recovery``
  (``refs/crackjack/recovery-<worktree>`` in a linked worktree) so that ``git gc`` keeps it;
- ``state.json``: what was hidden (path, kind, permissions, SHA-256), the original HEAD, the
  index in use, the time and pid. It is written last, atomically: while it exists, a run is
  unfinished. A folder without it never got as far as touching the work tree.

After the checkout, ``base/N`` and ``base.json`` record what the hooks were given, so that a
hook's edit can be told apart and merged. Content that a restore has to drop (a fixer's edit
that conflicts with the user's) is kept under ``<git-dir>/crackjack/dropped/<time>-<pid>/``.
``crackjack.core.git.recoveryread`` reads it all back; ``crackjack.core.git.restore`` puts the
changes back.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO, Literal

from crackjack.core.digest import file_digest, hexdigest, stream
from crackjack.core.errors import CrackjackError
from crackjack.core.files.fsutil import new_file
from crackjack.core.git.worktree import WorkTree
from crackjack.core.valueclass import record, value

RECOVER_COMMAND = "crackjack recover"
STATE_VERSION = 1
STATE_NAME = "state.json"
BASE_NAME = "base.json"
PATCH_NAME = "unstaged.patch"
_CHUNK = 1024 * 1024

Kind = Literal["file", "symlink", "missing", "other"]


class UnfinishedRun(CrackjackError):
    """An earlier run stopped while unstaged changes were hidden: ``crackjack recover`` puts
    them back. Exit 3."""


class RestoreFailed(UnfinishedRun):
    """Hidden changes could not all be put back; the recovery data is kept. Exit 3."""


class SaveFailed(CrackjackError):
    """The recovery data could not be written, so nothing was hidden or changed. Exit 3."""


class RecoveryDataDamaged(CrackjackError):
    """``state.json`` cannot be read; the pinned commit and the copies are left alone."""


def recovery_dir(tree: WorkTree) -> Path:
    return tree.crackjack_dir / "recovery"


@value(eq=True)
class FileState:
    """What is at a path: its kind, permission bits (files) and the SHA-256 of its content or
    symlink target. Equal states mean equal bytes (modification times are not compared)."""

    kind: Kind
    perms: int = 0
    digest: str = ""


@value
class SavedFile:
    """One hidden path as the user left it: its state, the copy of its bytes (``copy``,
    relative to the recovery folder) or symlink target, and the folders the checkout had to
    create for it (removed again when the user had deleted the file)."""

    path: str
    state: FileState
    copy: str | None = None
    link: bytes | None = None
    made_dirs: tuple[str, ...] = ()


@value
class RecoveryData:
    """What is read back of ``state.json`` (its HEAD and index are for people), and where it
    lives. ``pinned_commit``: the commit of the work tree's tracked content ``ref`` pins."""

    directory: Path
    ref: str
    pinned_commit: str
    created: str
    pid: int
    files: tuple[SavedFile, ...]


@record
class HiddenChanges:
    """What was hidden, where it is saved, and (once ``restored``) how it was given back.

    ``files``: the tracked files whose unstaged changes were hidden (relative to the top of the
    work tree); empty when there was nothing to hide, and then nothing was written.
    ``recovery_dir``: where they are saved while hidden. After the restore: ``merged``: files
    changed while hidden (by a hook, or another program) whose change was kept beside the
    user's; ``rolled_back``: files whose change conflicted with the user's and was dropped (kept
    in ``dropped_dir``) so that the user's edit is kept; ``unbased``: those of them rolled back
    because nothing recorded what the hooks were given (the run stopped before it was written).
    ``by_hooks``: the files the run's hooks reported changing (None when unknown, as after a
    killed run), to say who changed what.
    """

    files: tuple[str, ...]
    recovery_dir: Path | None = None
    restored: bool = False
    merged: tuple[str, ...] = ()
    rolled_back: tuple[str, ...] = ()
    unbased: tuple[str, ...] = ()
    dropped_dir: Path | None = None
    by_hooks: frozenset[str] | None = None


def observe(path: Path) -> FileState:
    """The state of ``path`` in the work tree, without following a symlink."""
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return FileState("missing")
    if stat.S_ISLNK(info.st_mode):
        return FileState("symlink", digest=hexdigest(os.fsencode(os.readlink(path))))
    if stat.S_ISREG(info.st_mode):
        return FileState("file", stat.S_IMODE(info.st_mode), digest_file(path))
    return FileState("other")


def digest_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return file_digest(handle, "sha256").hexdigest()


def copy_bytes(source: Path, target: Path, *, sync: bool) -> str:
    """Copy a file to a new private file, optionally fsynced; return the SHA-256 copied."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with new_file(target) as writer:
        digest = copy_into(source, writer)
        writer.flush()
        if sync:
            os.fsync(writer.fileno())
    return digest


def copy_into(source: Path, writer: BinaryIO) -> str:
    """Copy the bytes of ``source`` into ``writer``; return their SHA-256."""
    digest = stream("sha256")
    with open(source, "rb") as reader:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            writer.write(chunk)
    return digest.hexdigest()
