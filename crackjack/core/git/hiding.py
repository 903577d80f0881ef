"""Hide unstaged changes while hooks run, and always give them back (DESIGN.md 6.6, 6.9).

``unstaged_changes_hidden(repo)`` makes every tracked file with unstaged changes match the
index (``GIT_INDEX_FILE`` when git set it, as ``git commit -a`` and ``git commit <paths>`` do),
so hooks see what will be committed, and puts the user's changes back on exit, whatever
happened inside. In order:

1. refuse: not a work tree, an unfinished earlier run (UnfinishedRun), unmerged paths, or a
   hidden path where a folder, a special file or a non-folder parent stands in the way
   (git would delete it);
2. list the unstaged changes (``git diff --raw -z``), leaving out intent-to-add files (they stay
   in the work tree untouched, like untracked files) and submodules (never touched);
3. write and fsync the recovery data (see ``crackjack.core.git.recovery``): copies of the files,
   the patch, a snapshot commit pinned by a ref, then ``state.json``. Any failure so far
   removes what was written and raises: the work tree and index are untouched;
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
import shutil
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from crackjack.core.errors import RepositoryStateError
from crackjack.core.files.batching import partition
from crackjack.core.git.commands import GitError, git, head_commit, run_git
from crackjack.core.git.recovery import (
    PATCH_NAME,
    STATE_NAME,
    RecoveryData,
    SaveFailed,
    UnfinishedRun,
    Worktree,
    check_no_unfinished_run,
    check_tree,
    fsync_dir,
    locate,
    now_text,
    save_base,
    save_file,
    state_content,
    write_json_atomically,
)
from crackjack.core.git.refusals import refuse_unmerged
from crackjack.core.git.restore import discard_partial, finish, recover, restore

__all__ = [
    "Hidden",
    "SaveFailed",
    "UnfinishedRun",
    "check_no_unfinished_run",
    "recover",
    "unstaged_changes_hidden",
]

_GIT_PREFIX = ("git", "-c", "core.quotepath=off")
_GITLINK = b"160000"
_EMPTY_BLOBS = (
    b"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
    b"473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813",
)
_INTENT_TO_ADD = 1 << 29
"""``CE_INTENT_TO_ADD`` in the flags ``git ls-files --debug`` prints."""
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW
_IDENTITY = {
    "GIT_AUTHOR_NAME": "crackjack",
    "GIT_AUTHOR_EMAIL": "crackjack@localhost",
    "GIT_COMMITTER_NAME": "crackjack",
    "GIT_COMMITTER_EMAIL": "crackjack@localhost",
}


@dataclass(slots=True)
class Hidden:
    """What ``unstaged_changes_hidden`` hid, and after the block how it was given back.

    ``files``: the tracked files whose unstaged changes were hidden (relative to the top of the
    work tree); empty when there was nothing to hide, and then nothing was written.
    ``recovery_dir`` and ``snapshot_ref``: where the saved changes are while hidden (print
    them). After the block: ``restored``; ``merged``: files where a hook's edit was kept
    beside the user's; ``rolled_back``: files where a hook's edit conflicted with the user's
    and was dropped (saved in ``dropped_dir``) so that the user's edit is kept.
    """

    files: tuple[str, ...]
    recovery_dir: Path | None = None
    snapshot_ref: str | None = None
    restored: bool = False
    merged: tuple[str, ...] = ()
    rolled_back: tuple[str, ...] = ()
    dropped_dir: Path | None = None

    @property
    def patch(self) -> Path | None:
        """The binary patch of the hidden changes (``git apply`` can use it)."""
        return None if self.recovery_dir is None else self.recovery_dir / PATCH_NAME


@contextmanager
def unstaged_changes_hidden(repo: Path) -> Iterator[Hidden]:
    """Hide the unstaged changes of the work tree around ``repo`` inside the block.

    Raises RepositoryStateError (refused, nothing done), UnfinishedRun (an earlier run must be
    recovered first), SaveFailed (the recovery data could not be written; nothing was
    changed) on entry, and RestoreFailed on exit if a file could not be put back (the
    recovery data is kept and the message says how to recover). Enter it where stop signals
    do not raise (``crackjack.core.run.signals.stop_signals_to``), so nothing cuts the restore
    short.
    """
    tree = locate(repo)
    check_tree(tree)
    refuse_unmerged(tree.top)
    paths = unstaged_paths(tree)
    if not paths:
        yield Hidden(files=())
        return
    refuse_unsafe_paths(tree, paths)
    data = save_recovery_data(tree, paths)
    hidden = Hidden(files=tuple(paths), recovery_dir=data.directory, snapshot_ref=data.ref)
    try:
        checkout_index(tree, paths)
        with contextlib.suppress(OSError):  # without it, hooks' edits are saved, not merged
            save_base(tree, data)
        yield hidden
    finally:
        outcome = restore(tree, data)
        finish(tree, data)
        hidden.restored = True
        hidden.merged = outcome.merged
        hidden.rolled_back = outcome.rolled_back
        hidden.dropped_dir = outcome.dropped_dir


# --- what to hide ---------------------------------------------------------------------------


def unstaged_paths(tree: Worktree) -> list[str]:
    """Tracked paths whose work tree differs from the index, except intent-to-add files and
    submodules, in git's order."""
    out = git(
        "--no-optional-locks",
        "diff",
        "--raw",
        "-z",
        "--no-abbrev",
        "--no-ext-diff",
        "--no-textconv",
        "--no-color",
        "--no-renames",
        "--ignore-submodules",
        "--no-relative",
        "--",
        cwd=tree.top,
    )
    fields = out.split(b"\0")
    paths: list[str] = []
    maybe_intent: list[str] = []
    for header, raw_path in zip(fields[0::2], fields[1::2], strict=False):
        src_mode, dst_mode, src_oid, _, status = header.lstrip(b":").split(b" ")
        path = os.fsdecode(raw_path)
        if status == b"A" or _GITLINK in (src_mode, dst_mode):
            continue
        if status == b"D" and src_oid in _EMPTY_BLOBS:
            maybe_intent.append(path)
        paths.append(path)
    intent = intent_to_add(tree, maybe_intent)
    return [path for path in paths if path not in intent]


def intent_to_add(tree: Worktree, paths: Sequence[str]) -> set[str]:
    """Which of ``paths`` are intent-to-add entries (``git add -N``) of the index.

    Only ``ls-files --debug`` shows the flag; its ``-z`` form is each name, a NUL, then five
    lines of stat data ending with ``flags: <hex>``.
    """
    base = ("--literal-pathspecs", "ls-files", "-z", "--debug", "--")
    found: set[str] = set()
    for batch in partition((*_GIT_PREFIX, *base), paths):
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


def refuse_unsafe_paths(tree: Worktree, paths: Sequence[str]) -> None:
    """Refuse paths where the checkout would delete something that is not saved: a folder or
    special file at the path, or a file or symlink where git needs a parent folder."""
    checked: set[Path] = set()
    for path in paths:
        kind = _kind(tree.top / path)
        if kind not in ("file", "symlink", None):
            _refuse(path, path, kind)
        parent = Path(path).parent
        while parent != Path(".") and parent not in checked:
            checked.add(parent)
            kind = _kind(tree.top / parent)
            if kind not in ("folder", None):
                _refuse(path, str(parent), kind)
            parent = parent.parent


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


# --- saving it ------------------------------------------------------------------------------


def save_recovery_data(tree: Worktree, paths: Sequence[str]) -> RecoveryData:
    """Write and fsync everything needed to put ``paths`` back; ``state.json`` last.

    On any failure, whatever was written is removed and the error raised (SaveFailed for an
    OS or git error): nothing has touched the work tree or the index yet.
    """
    directory = tree.recovery_dir
    discard_partial(tree)
    snapshot: str | None = None
    try:
        (directory / "files").mkdir(mode=0o700, parents=True)
        files = tuple(
            save_file(tree.top, directory, number, path, sync=True)
            for number, path in enumerate(paths)
        )
        fsync_dir(directory / "files")
        write_unstaged_patch(tree, paths, directory / PATCH_NAME)
        head = head_commit(tree.top)
        snapshot = snapshot_commit(tree, directory, head)
        data = RecoveryData(
            directory=directory,
            ref=tree.ref,
            snapshot=snapshot,
            head=head,
            index_file=str(tree.index_file),
            created=now_text(),
            pid=os.getpid(),
            files=files,
        )
        write_json_atomically(directory / STATE_NAME, state_content(data))
        fsync_dir(tree.crackjack_dir)
        fsync_dir(tree.git_dir)
    except BaseException as exc:
        _unsave(tree, snapshot)
        if isinstance(exc, OSError | GitError):
            raise SaveFailed(
                f"could not save the unstaged changes before hiding them ({exc}), so nothing "
                f"was hidden or changed. Check that {directory} can be written (free space, "
                "permissions), or stage or stash the changes yourself"
            ) from exc
        raise
    return data


def _unsave(tree: Worktree, snapshot: str | None) -> None:
    if snapshot is not None:
        run_git(["update-ref", "--no-deref", "-d", tree.ref, snapshot], tree.top)
    directory = tree.recovery_dir
    if directory.is_dir() and not directory.is_symlink():
        shutil.rmtree(directory, ignore_errors=True)


def write_unstaged_patch(tree: Worktree, paths: Sequence[str], target: Path) -> None:
    """Write ``git diff --binary`` of ``paths`` to ``target`` and fsync it. Immune to the
    configuration that changes a diff's output (external diff, textconv, colour, prefixes,
    renames, relative paths, end-of-line conversion). Git writes each batch to a file
    (``--output``), so a huge binary change never sits in memory."""
    part = target.with_name(f"{target.name}.part")
    base = (
        *("-c", "core.autocrlf=false", "-c", "core.safecrlf=false"),
        *("--no-optional-locks", "--literal-pathspecs", "diff", "--binary", "--full-index"),
        *("--no-ext-diff", "--no-textconv", "--no-color", "--no-renames"),
        *("--ignore-submodules", "--no-relative", "--src-prefix=a/", "--dst-prefix=b/"),
        *(f"--output={part}", "--"),
    )
    with open(os.open(target, _NEW_FILE, 0o600), "wb") as out:
        for batch in partition((*_GIT_PREFIX, *base), paths):
            git(*base, *batch, cwd=tree.top)
            with open(part, "rb") as written:
                shutil.copyfileobj(written, out)
            os.unlink(part)
        out.flush()
        os.fsync(out.fileno())


def snapshot_commit(tree: Worktree, directory: Path, head: str | None) -> str:
    """A commit of the work tree's tracked content, pinned by ``tree.ref``.

    Made in a copy of the index (``git add -u`` with ``GIT_INDEX_FILE`` pointing at it), so the
    real index is never written; it includes intent-to-add files' content. Its parent is HEAD
    (none in a repository without commits).
    """
    index = directory / "snapshot.index"
    if tree.index_file.is_file():
        shutil.copyfile(tree.index_file, index)
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}
    no_hooks = ("-c", "core.hooksPath=/dev/null", "-c", "core.splitIndex=false")
    git(*no_hooks, "-c", "core.safecrlf=false", "add", "-u", cwd=tree.top, env=env)
    tree_oid = git("write-tree", cwd=tree.top, env=env).decode("ascii").strip()
    index.unlink()
    message = f"crackjack: work tree before hiding unstaged changes (pid {os.getpid()})"
    parents = ["-p", head] if head is not None else []
    identity = {**os.environ, **_IDENTITY}
    commit = git(
        "commit-tree",
        "--no-gpg-sign",
        "-m",
        message,
        *parents,
        tree_oid,
        cwd=tree.top,
        env=identity,
    )
    snapshot = commit.decode("ascii").strip()
    git("update-ref", "--no-deref", "-m", message, tree.ref, snapshot, cwd=tree.top)
    return snapshot


# --- hiding it ------------------------------------------------------------------------------


def checkout_index(tree: Worktree, paths: Sequence[str]) -> None:
    """Make the work tree's ``paths`` match the index. Writes files only: without ``-u``,
    ``checkout-index`` never writes the index. Names are literal, not pathspecs."""
    base = (
        *("-c", "submodule.recurse=0", "-c", "core.hooksPath=/dev/null"),
        *("checkout-index", "-f", "--"),
    )
    for batch in partition((*_GIT_PREFIX, *base), paths):
        git(*base, *batch, cwd=tree.top)
