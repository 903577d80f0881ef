"""Hide unstaged changes while hooks run, and always give them back (DESIGN.md 6.6, 6.9).

``unstaged_changes_hidden(tree)`` makes every tracked file with unstaged changes match the
index (``GIT_INDEX_FILE`` when git set it, as ``git commit -a`` and ``git commit <paths>`` do),
so hooks see what will be committed, and puts the user's changes back on exit, whatever
happened inside. In order:

1. refuse: not a work tree, an unfinished earlier run (UnfinishedRun), unmerged paths, or a
   hidden path where a folder, a special file or a non-folder parent stands in the way
   (git would delete it);
2. list the unstaged changes (``crackjack.core.git.status``), leaving out intent-to-add files
   (they stay in the work tree untouched, like untracked files) and submodules (never touched);
3. write and fsync the recovery data (see ``crackjack.core.git.recoverydata``): copies of the
   files, the patch, a commit of the work tree pinned by a ref, then ``state.json``. Any
   failure so far removes what was written and raises: the work tree and index are untouched;
4. ``git checkout-index -f -- <paths>``: the only destructive step. It writes files, never the
   index;
5. run the body (the hooks);
6. put everything back (a 3-way merge of a hook's edit with the user's, the user's version on
   conflict), verify it byte for byte, and only then delete the recovery data.

Git's ``apply --3way`` is not used to put changes back: in git 2.39 it implies ``--index``,
so it stages the user's changes, and it refuses any file a hook changed ("does not match
index"), which is exactly the case it would be needed for. ``git merge-file`` over the work
tree bytes does the same 3-way merge without touching the index or converting line endings.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from crackjack.core.errors import RepositoryStateError
from crackjack.core.files.batching import partition
from crackjack.core.git.commands import GitError, git, git_argv
from crackjack.core.git.recoverydata import HiddenChanges
from crackjack.core.git.recoverywrite import save_base, save_recovery_data
from crackjack.core.git.refusals import refuse_unmerged
from crackjack.core.git.restore import finish, restore
from crackjack.core.git.status import working_state
from crackjack.core.git.unfinished import check_no_unfinished_run
from crackjack.core.git.worktree import WorkTree

_EMPTY_BLOBS = (
    b"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
    b"473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813",
)
_INTENT_TO_ADD = 1 << 29
"""``CE_INTENT_TO_ADD`` in the flags ``git ls-files --debug`` prints."""


@contextmanager
def unstaged_changes_hidden(tree: WorkTree) -> Iterator[HiddenChanges]:
    """Hide the unstaged changes of the work tree ``tree`` inside the block.

    Raises RepositoryStateError (refused, nothing done), UnfinishedRun (an earlier run must be
    recovered first), SaveFailed (the recovery data could not be written; nothing was
    changed) on entry, and RestoreFailed on exit if a file could not be put back (the
    recovery data is kept and the message says how to recover). Enter it where stop signals
    do not raise (``crackjack.core.run.signals.stop_signals_to``), so nothing cuts the restore
    short.
    """
    check_no_unfinished_run(tree)
    refuse_unmerged(tree)
    paths = unstaged_paths(tree)
    if not paths:
        yield HiddenChanges(files=())
        return
    refuse_unsafe_paths(tree, paths)
    data = save_recovery_data(tree, paths)
    hidden = HiddenChanges(files=tuple(paths), recovery_dir=data.directory)
    try:
        try:
            checkout_index(tree, paths)
        finally:  # also after a failed checkout: what it did change is then put back, not kept
            with contextlib.suppress(OSError):  # without it, hooks' edits are saved, not merged
                save_base(tree, data)
        yield hidden
    finally:
        given_back = restore(tree, data)
        finish(tree, data)
        hidden.restored = True
        hidden.merged = given_back.merged
        hidden.rolled_back = given_back.rolled_back
        hidden.unbased = given_back.unbased
        hidden.dropped_dir = given_back.dropped_dir


# --- what to hide ---------------------------------------------------------------------------


def unstaged_paths(tree: WorkTree) -> list[str]:
    """Tracked paths whose work tree differs from the index, except intent-to-add files and
    submodules, in git's order."""
    changes = working_state(tree).unstaged
    paths = [change.path for change in changes if change.status != "A"]
    maybe_intent = [
        change.path
        for change in changes
        if change.status == "D" and change.index_oid.encode("ascii") in _EMPTY_BLOBS
    ]
    intent = intent_to_add(tree, maybe_intent)
    return [path for path in paths if path not in intent]


def intent_to_add(tree: WorkTree, paths: Sequence[str]) -> set[str]:
    """Which of ``paths`` are intent-to-add entries (``git add -N``) of the index.

    Only ``ls-files --debug`` shows the flag; its ``-z`` form is each name, a NUL, then five
    lines of stat data ending with ``flags: <hex>``.
    """
    base = ("--literal-pathspecs", "ls-files", "-z", "--debug", "--")
    found: set[str] = set()
    for batch in partition(git_argv(*base), paths):
        out = git(*base, *batch, cwd=tree.top)
        position = 0
        while position < len(out):
            end = out.index(b"\0", position)
            name = os.fsdecode(out[position:end])
            position = end + 1
            for _ in range(5):
                position = out.index(b"\n", position) + 1
            flags = int(out[:position].rstrip(b"\n").rsplit(b"flags: ", 1)[1], 16)
            if flags & _INTENT_TO_ADD:
                found.add(name)
    return found


def refuse_unsafe_paths(tree: WorkTree, paths: Sequence[str]) -> None:
    """Refuse paths where the checkout would delete something that is not saved: a folder or
    special file at the path, or a file or symlink where git needs a parent folder."""
    checked: set[Path] = set()
    for path in paths:
        kind = _kind(tree.top / path)
        if kind not in ("file", "symlink", None):
            _refuse(path, path, kind)
        for parent in Path(path).parents[:-1]:
            if parent in checked:
                break
            checked.add(parent)
            kind = _kind(tree.top / parent)
            if kind not in ("folder", None):
                _refuse(path, str(parent), kind)


def _kind(path: Path) -> str | None:
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISDIR(mode):
        return "folder"
    return "special file"


def _refuse(path: str, where: str, kind: str) -> None:
    raise RepositoryStateError(
        f"cannot hide the unstaged change to {path!r}: {where!r} is a {kind} in the work tree "
        f"where git has a tracked {'file' if where == path else 'folder'}, and hiding the "
        f"change would delete it. Stage the change (`git add -A -- {where}`) or move "
        f"{where!r} away, then run crackjack again"
    )


# --- hiding it ------------------------------------------------------------------------------


def checkout_index(tree: WorkTree, paths: Sequence[str]) -> None:
    """Make the work tree's ``paths`` match the index. Writes files only: without ``-u``,
    ``checkout-index`` never writes the index. Names are literal, not pathspecs.

    A checkout that fails half-way (a file it cannot replace: immutable, in a read-only folder)
    is refused as a RepositoryStateError (exit 2) that says so; ``unstaged_changes_hidden``
    puts back what it had changed before the message reaches anyone (a failed restore raises
    its own instead).
    """
    base = (
        *("-c", "submodule.recurse=0", "-c", "core.hooksPath=/dev/null"),
        *("checkout-index", "-f", "--"),
    )
    for batch in partition(git_argv(*base), paths):
        try:
            git(*base, *batch, cwd=tree.top)
        except GitError as exc:
            raise RepositoryStateError(
                f"could not hide the unstaged changes: git checkout-index failed ({exc.detail});"
                " the hooks did not run and every unstaged change was put back as it was: fix"
                " the cause, then run again"
            ) from exc
