"""Writing the recovery data of unstaged changes before they are hidden (the layout is in
``crackjack.core.git.recoverydata``): everything fsynced, ``state.json`` last."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from crackjack.core.errors import RepositoryStateError
from crackjack.core.files.batching import partition
from crackjack.core.files.fsutil import fsync_dir, new_file, replaced
from crackjack.core.git.commands import HARDENED_DIFF, GitError, git, git_argv, run_git
from crackjack.core.git.recoverydata import (
    BASE_NAME,
    PATCH_NAME,
    RECOVER_COMMAND,
    STATE_NAME,
    STATE_VERSION,
    FileState,
    RecoveryData,
    SavedFile,
    SaveFailed,
    copy_bytes,
    observe,
    recovery_dir,
)
from crackjack.core.git.worktree import WorkTree

_IDENTITY = {
    "GIT_AUTHOR_NAME": "crackjack",
    "GIT_AUTHOR_EMAIL": "crackjack@localhost",
    "GIT_COMMITTER_NAME": "crackjack",
    "GIT_COMMITTER_EMAIL": "crackjack@localhost",
}


def save_recovery_data(tree: WorkTree, paths: Sequence[str]) -> RecoveryData:
    """Write and fsync everything needed to put ``paths`` back; ``state.json`` last.

    On any failure, whatever was written is removed and the error raised (SaveFailed for an
    OS or git error): nothing has touched the work tree or the index yet.
    """
    directory = recovery_dir(tree)
    discard_partial(tree)
    pinned: str | None = None
    try:
        (directory / "files").mkdir(mode=0o700, parents=True)
        files = tuple(
            save_file(tree.top, directory, number, path) for number, path in enumerate(paths)
        )
        fsync_dir(directory / "files")
        write_unstaged_patch(tree, paths, directory / PATCH_NAME)
        pinned = pin_work_tree(tree, directory)
        data = RecoveryData(
            directory=directory,
            ref=tree.recovery_ref,
            pinned_commit=pinned,
            created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            pid=os.getpid(),
            files=files,
        )
        write_json(directory / STATE_NAME, _state_content(tree, data))
        fsync_dir(tree.crackjack_dir)
        fsync_dir(tree.git_dir)
    except BaseException as exc:
        _unsave(tree, pinned)
        if isinstance(exc, OSError | GitError):
            raise SaveFailed(
                f"could not save the unstaged changes before hiding them ({exc}), so nothing "
                f"was hidden or changed. Check that {directory} can be written (free space, "
                "permissions), or stage or stash the changes yourself"
            ) from exc
        raise
    return data


def discard_partial(tree: WorkTree) -> None:
    """Remove a recovery folder without ``state.json``: a run stopped before it touched the
    work tree (or after it had put everything back) left it."""
    directory = recovery_dir(tree)
    if directory.is_dir() and not directory.is_symlink() and not (directory / STATE_NAME).exists():
        shutil.rmtree(directory, ignore_errors=True)


def _unsave(tree: WorkTree, pinned: str | None) -> None:
    if pinned is not None:
        run_git(["update-ref", "--no-deref", "-d", tree.recovery_ref, pinned], tree.top)
    directory = recovery_dir(tree)
    if directory.is_dir() and not directory.is_symlink():
        shutil.rmtree(directory, ignore_errors=True)


def save_file(top: Path, directory: Path, number: int, path: str) -> SavedFile:
    """Copy the work tree's ``path`` into ``directory/files/N`` (or record its symlink target,
    or its absence). The state is taken from the bytes copied, not from a second read."""
    source = top / path
    state = observe(source)
    if state.kind == "other":
        raise RepositoryStateError(
            f"cannot hide the unstaged changes to {path!r}: it is not a file, a symlink or "
            "absent in the work tree; stage or undo that change first"
        )
    if state.kind == "symlink":
        return SavedFile(path, state, link=os.fsencode(os.readlink(source)))
    if state.kind == "missing":
        return SavedFile(path, state, made_dirs=_missing_dirs(top, path))
    name = f"files/{number}"
    digest = copy_bytes(source, directory / name, sync=True)
    return SavedFile(path, FileState("file", state.perms, digest), copy=name)


def _missing_dirs(top: Path, path: str) -> tuple[str, ...]:
    """The folders above ``path`` that do not exist, outermost first."""
    parents = reversed(Path(path).parents[:-1])
    return tuple(str(parent) for parent in parents if not (top / parent).is_dir())


def write_unstaged_patch(tree: WorkTree, paths: Sequence[str], target: Path) -> None:
    """Write ``git diff --binary`` of ``paths`` to ``target`` and fsync it. Immune to the
    configuration that changes a diff's output (external diff, textconv, colour, prefixes,
    renames, relative paths, end-of-line conversion). Git writes each batch to a file
    (``--output``), so a huge binary change never sits in memory."""
    part = target.with_name(f"{target.name}.part")
    base = (
        *("-c", "core.autocrlf=false", "-c", "core.safecrlf=false"),
        *("--no-optional-locks", "--literal-pathspecs", "diff", "--binary", "--full-index"),
        *HARDENED_DIFF,
        *("--ignore-submodules", "--no-relative", "--src-prefix=a/", "--dst-prefix=b/"),
        *(f"--output={part}", "--"),
    )
    with new_file(target) as out:
        for batch in partition(git_argv(*base), paths):
            git(*base, *batch, cwd=tree.top)
            with open(part, "rb") as written:
                shutil.copyfileobj(written, out)
            os.unlink(part)
        out.flush()
        os.fsync(out.fileno())


def pin_work_tree(tree: WorkTree, directory: Path) -> str:
    """A commit of the work tree's tracked content, pinned by ``tree.recovery_ref``.

    Made in a copy of the index (``git add -u`` with ``GIT_INDEX_FILE`` pointing at it), so the
    real index is never written; it includes intent-to-add files' content. Its parent is HEAD
    (none in a repository without commits).
    """
    index = directory / "pinned.index"
    if tree.index_file.is_file():
        shutil.copyfile(tree.index_file, index)
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}
    no_hooks = ("-c", "core.hooksPath=/dev/null", "-c", "core.splitIndex=false")
    git(*no_hooks, "-c", "core.safecrlf=false", "add", "-u", cwd=tree.top, env=env)
    tree_oid = git("write-tree", cwd=tree.top, env=env).decode("ascii").strip()
    index.unlink()
    message = f"crackjack: work tree before hiding unstaged changes (pid {os.getpid()})"
    parents = ["-p", tree.head] if tree.head is not None else []
    commit = git(
        *("commit-tree", "--no-gpg-sign", "-m", message, *parents, tree_oid),
        cwd=tree.top,
        env={**os.environ, **_IDENTITY},
    )
    pinned = commit.decode("ascii").strip()
    git("update-ref", "--no-deref", "-m", message, tree.recovery_ref, pinned, cwd=tree.top)
    return pinned


def save_base(tree: WorkTree, data: RecoveryData) -> None:
    """Record what the checkout left at each hidden path (``base.json`` and ``base/N``).

    Not fsynced: a base whose copy does not match its digest is ignored, which only makes a
    restore roll back (and save) a hook's edit instead of merging it.
    """
    entries = []
    for number, saved in enumerate(data.files):
        path = tree.top / saved.path
        state = observe(path)
        copy = None
        if state.kind == "file":
            copy = f"base/{number}"
            digest = copy_bytes(path, data.directory / copy, sync=False)
            state = FileState("file", state.perms, digest)
        entries.append(_entry(saved.path, state, copy))
    write_json(data.directory / BASE_NAME, {"files": entries})


def write_json(path: Path, content: Mapping[str, Any]) -> None:
    """Write JSON to ``path`` at once (``replaced``), then make the rename durable."""
    with replaced(path) as handle:
        handle.write(json.dumps(content, indent=1, sort_keys=True).encode("ascii"))
    fsync_dir(path.parent)


def _state_content(tree: WorkTree, data: RecoveryData) -> dict[str, Any]:
    return {
        "version": STATE_VERSION,
        "created": data.created,
        "pid": data.pid,
        "ref": data.ref,
        "snapshot": data.pinned_commit,
        "head": tree.head,
        "index_file": str(tree.index_file),
        "patch": PATCH_NAME,
        "recover": RECOVER_COMMAND,
        "files": [_file_content(saved) for saved in data.files],
    }


def _file_content(saved: SavedFile) -> dict[str, Any]:
    return {
        **_entry(saved.path, saved.state, saved.copy),
        "path": saved.path.encode("utf-8", "replace").decode("utf-8"),
        "link_bytes": None if saved.link is None else saved.link.hex(),
        "made_dirs_bytes": [os.fsencode(name).hex() for name in saved.made_dirs],
    }


def _entry(path: str, state: FileState, copy: str | None) -> dict[str, Any]:
    """What ``state.json`` and ``base.json`` both say of a path."""
    return {
        "path_bytes": os.fsencode(path).hex(),
        "kind": state.kind,
        "perms": state.perms,
        "sha256": state.digest,
        "copy": copy,
    }
