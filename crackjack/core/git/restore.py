"""Putting hidden unstaged changes back (DESIGN.md 6.6), from the recovery data
``crackjack.core.git.recoverydata`` describes: after a run, or with ``crackjack recover`` after
a run that was stopped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path

from crackjack.core.digest import hexdigest
from crackjack.core.files.fsutil import fsync_dir, replace_with_symlink, replaced
from crackjack.core.git.commands import GitError, git, run_git
from crackjack.core.git.recoverydata import (
    RECOVER_COMMAND,
    STATE_NAME,
    FileState,
    HiddenChanges,
    RecoveryData,
    RestoreFailed,
    SavedFile,
    copy_bytes,
    copy_into,
    observe,
)
from crackjack.core.git.recoveryread import HookBase, digest_or_none, read_bases, read_recovery_data
from crackjack.core.git.recoverywrite import discard_partial
from crackjack.core.git.unfinished import stop_what_is_left
from crackjack.core.git.worktree import WorkTree
from crackjack.core.valueclass import field, record

# --- recover --------------------------------------------------------------------------------


def recover(tree: WorkTree) -> HiddenChanges | None:
    """Stop what the unfinished run left running, then put back everything it hid (as
    ``restore`` does) and delete its recovery data; None when there was nothing to recover.
    Idempotent: a file already back is left alone. Raises RestoreFailed (data kept) if any
    file cannot be put back."""
    data = read_recovery_data(tree)
    stop_what_is_left(tree, data)
    if data is None:
        discard_partial(tree)
        return None
    given_back = restore(tree, data)
    finish(tree, data)
    return given_back


# --- putting things back --------------------------------------------------------------------


class _Problem(Exception):
    """One file that could not be put back."""


@record
class _Tally:
    """What a restore did, path by path; ``dropped``: where it keeps content it replaces
    (created on first use); ``problems``: why a path could not be put back."""

    dropped: Path
    merged: list[str] = field(default_factory=list)
    rolled_back: list[str] = field(default_factory=list)
    unbased: list[str] = field(default_factory=list)
    expected: dict[str, FileState] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    def drop(self, top: Path, path: str, state: FileState) -> None:
        if state.kind not in ("file", "symlink"):
            return
        source = top / path
        target = self.dropped / path
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if state.kind == "symlink":
            os.symlink(os.readlink(source), target)
        else:
            copy_bytes(source, target, sync=True)
            os.chmod(target, state.perms)


def restore(tree: WorkTree, data: RecoveryData) -> HiddenChanges:
    """Put every hidden path back, then verify it; RestoreFailed (data kept) otherwise.

    For each path: already the user's version: nothing to do. Unchanged since the checkout:
    the user's version is written back. Changed by a hook: a 3-way merge (``git merge-file``,
    base = what the hook was given, ours = the hook's result, theirs = the user's version);
    when it is clean both edits are kept, otherwise the hook's edit is saved under
    ``dropped/`` and rolled back for the user's version. With no record of what the hooks were
    given, whatever differs from the user's version is saved and rolled back the same way.
    """
    bases = read_bases(data)
    stamp = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{os.urandom(2).hex()}"
    tally = _Tally(dropped=tree.crackjack_dir / "dropped" / stamp)
    touched: set[Path] = set()
    for saved in data.files:
        try:
            _restore_one(tree.top, data, saved, bases.get(saved.path), tally)
        except (_Problem, OSError, GitError) as exc:
            tally.problems[saved.path] = str(exc)
        touched.add((tree.top / saved.path).parent)
    for directory in touched:
        with contextlib.suppress(OSError):
            fsync_dir(directory)
    _verify(tree.top, tally)
    if tally.problems:
        raise RestoreFailed(_failed_message(tree, data, tally.problems))
    return HiddenChanges(
        files=tuple(saved.path for saved in data.files),
        recovery_dir=data.directory,
        restored=True,
        merged=tuple(tally.merged),
        rolled_back=tuple(tally.rolled_back),
        unbased=tuple(tally.unbased),
        dropped_dir=tally.dropped if tally.dropped.exists() else None,
    )


def _restore_one(
    top: Path,
    data: RecoveryData,
    saved: SavedFile,
    base: HookBase | None,
    tally: _Tally,
) -> None:
    path = top / saved.path
    current = observe(path)
    want = saved.state
    tally.expected[saved.path] = want
    if current == want:
        _remove_made_dirs(top, saved)
        return
    if current.kind == "other":
        raise _Problem(
            f"it is now a folder or a special file; move it away, then run `{RECOVER_COMMAND}`"
        )
    if base is not None and current == base.state:
        _put_back(top, data, saved)
        return
    if base is not None and base.copy is not None and want.kind == current.kind == "file":
        merged = _merge(top, path, base.copy, _checked_copy(data, saved))
        if merged is not None:
            perms = want.perms if want.perms != base.state.perms else current.perms
            result = FileState("file", perms, hexdigest(merged))
            with replaced(path) as handle:
                handle.write(merged)
                os.fchmod(handle.fileno(), perms)
            tally.expected[saved.path] = result
            if result != want:
                tally.merged.append(saved.path)
            return
    tally.drop(top, saved.path, current)
    _put_back(top, data, saved)
    tally.rolled_back.append(saved.path)
    if base is None:
        tally.unbased.append(saved.path)


_NOTES = {
    ("rolled_back", "hooks"): "the fixes of hooks to {paths} conflicted with your unstaged changes"
    " and were rolled back (kept in {kept}); your changes are as you left them",
    ("rolled_back", "others"): "{paths} changed during the run, not by a hook, and conflicted"
    " with your unstaged changes: your version is kept; the other content is in {kept}",
    ("rolled_back", "unknown"): "{paths} changed while your changes were hidden (by a hook or"
    " another program) and conflicted with them: your version is kept; the other content is in"
    " {kept}",
    ("merged", "hooks"): "the fixes of hooks to {paths} were merged with your unstaged changes:"
    " review them before committing",
    ("merged", "others"): "changes made to {paths} during the run, not by a hook, were merged"
    " with your unstaged changes: review them before committing",
    ("merged", "unknown"): "changes made to {paths} while your changes were hidden (by a hook or"
    " another program) were merged with them: review them before committing",
    ("unbased", "unknown"): "nothing recorded what the hooks were given of {paths} (the run"
    " stopped before it was written, or it could not be written): what was there is kept in"
    " {kept}, and your version is back",
}


def restore_notes(hidden: HiddenChanges) -> tuple[str, ...]:
    """What became of the files changed while they were hidden, one clause per kind of outcome
    and author: hooks (``hidden.by_hooks``), something else, or unknown (after a killed run);
    empty when nothing was changed."""
    notes = []
    for outcome, paths in (
        ("rolled_back", [path for path in hidden.rolled_back if path not in hidden.unbased]),
        ("merged", hidden.merged),
        ("unbased", hidden.unbased),
    ):
        by_hooks = None if outcome == "unbased" else hidden.by_hooks
        authors = {
            "hooks": [path for path in paths if by_hooks is not None and path in by_hooks],
            "others": [path for path in paths if by_hooks is not None and path not in by_hooks],
            "unknown": list(paths) if by_hooks is None else [],
        }
        for author, chosen in authors.items():
            if chosen:
                text = _NOTES[outcome, author]
                notes.append(text.format(paths=", ".join(chosen), kept=hidden.dropped_dir))
    return tuple(notes)


def _merge(top: Path, current: Path, base: Path, theirs: Path) -> bytes | None:
    """``git merge-file`` of the hook's result with the user's version; None on conflict or
    when git cannot merge (binary files)."""
    outcome = run_git(
        ["merge-file", "-p", "-q", "--", str(current), str(base), str(theirs)], cwd=top
    )
    return outcome.output if outcome.returncode == 0 else None


def _checked_copy(data: RecoveryData, saved: SavedFile) -> Path:
    copy = _copy_path(data, saved)
    if digest_or_none(copy) != saved.state.digest:
        raise _Problem(f"its saved copy {copy} is damaged (SHA-256 differs)")
    return copy


def _copy_path(data: RecoveryData, saved: SavedFile) -> Path:
    if saved.copy is None:
        raise _Problem("the recovery data has no copy of it")
    return data.directory / saved.copy


def _put_back(top: Path, data: RecoveryData, saved: SavedFile) -> None:
    path = top / saved.path
    if saved.state.kind == "file":
        copy = _copy_path(data, saved)
        path.parent.mkdir(parents=True, exist_ok=True)
        with replaced(path) as handle:  # checked as it is copied, before it takes the path
            if copy_into(copy, handle) != saved.state.digest:
                raise _Problem(f"its saved copy {copy} is damaged (SHA-256 differs)")
            os.fchmod(handle.fileno(), saved.state.perms)
    elif saved.state.kind == "symlink":
        if saved.link is None:
            raise _Problem("the recovery data has no symlink target for it")
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_with_symlink(path, saved.link)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        _remove_made_dirs(top, saved)


def _remove_made_dirs(top: Path, saved: SavedFile) -> None:
    """Remove the folders the checkout created for a file the user had deleted, if empty."""
    for name in reversed(saved.made_dirs):
        with contextlib.suppress(OSError):
            os.rmdir(top / name)


def _verify(top: Path, tally: _Tally) -> None:
    """Read every restored path back: it must be exactly what the restore meant to leave."""
    for path, expected in tally.expected.items():
        if path not in tally.problems and observe(top / path) != expected:
            tally.problems[path] = "it does not hold the expected content after the restore"


def _failed_message(tree: WorkTree, data: RecoveryData, reasons: dict[str, str]) -> str:
    problems = [f"{path}: {reason}" for path, reason in reasons.items()]
    shown = "; ".join(problems[:5]) + (
        f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
    )
    return (
        f"could not put back all hidden unstaged changes ({shown}). Nothing is lost: they are "
        f"saved in {data.directory} and in the commit {data.ref}. Fix the problem, then run "
        f"`{RECOVER_COMMAND}` in {tree.top}."
    )


# --- cleaning up ----------------------------------------------------------------------------


def finish(tree: WorkTree, data: RecoveryData) -> None:
    """Delete the recovery data of a verified restore: ``state.json`` first (from then on the
    run counts as finished), then the pinning ref and the rest, best effort."""
    (data.directory / STATE_NAME).unlink()
    with contextlib.suppress(OSError):
        fsync_dir(data.directory)
    with contextlib.suppress(GitError):
        git("update-ref", "--no-deref", "-d", data.ref, data.pinned_commit, cwd=tree.top)
    shutil.rmtree(data.directory, ignore_errors=True)
