"""Detecting an earlier run that stopped while it had unstaged changes hidden (DESIGN.md 6.6),
and stopping what such a run left behind before anything is restored: its hooks, still running
in their own process groups, and its temporary files beside the user's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crackjack.core.files.fsutil import remove_temporaries
from crackjack.core.git.lock import process_alive
from crackjack.core.git.recoverydata import (
    RECOVER_COMMAND,
    STATE_NAME,
    RecoveryData,
    RecoveryDataDamaged,
    UnfinishedRun,
    recovery_dir,
)
from crackjack.core.git.recoveryread import read_recovery_data
from crackjack.core.git.status import staged_files
from crackjack.core.git.worktree import WorkTree
from crackjack.core.process import groups


def running_dir(tree: WorkTree) -> Path:
    """Where a run records the process groups it has running (``<git dir>/crackjack/running``)."""
    return tree.crackjack_dir / "running"


def stop_what_is_left(tree: WorkTree, data: RecoveryData | None) -> None:
    """Kill what is left of the process groups of runs that were killed, and wait until they
    are gone; then remove crackjack's temporary files in the folders of the paths ``data`` hid
    and of the staged files (which the hooks fixed). Call it holding the run lock, before
    anything is restored. LeftOverProcesses if a process does not die."""
    groups.stop_left_over(running_dir(tree))
    if data is not None:
        staged = staged_files(tree, tree.top)
        paths = [*staged, *(saved.path for saved in data.files)]
        remove_temporaries({(tree.top / path).parent for path in paths})


@contextmanager
def guarded_run(tree: WorkTree | None) -> Iterator[None]:
    """What a run does first under its lock (nothing outside a work tree): stop what a killed
    run left behind (``stop_what_is_left``), then record the process groups the block starts
    where the next run finds them, should this one be killed too."""
    if tree is None:
        yield
        return
    try:
        data = read_recovery_data(tree)
    except RecoveryDataDamaged:
        data = None  # check_no_unfinished_run says so
    stop_what_is_left(tree, data)
    with groups.recording(running_dir(tree)):
        yield


def check_no_unfinished_run(tree: WorkTree) -> None:
    """Raise UnfinishedRun if an earlier run left hidden changes to put back."""
    if not (recovery_dir(tree) / STATE_NAME).is_file():
        return
    try:
        data = read_recovery_data(tree)
    except RecoveryDataDamaged as exc:
        ref = tree.recovery_ref
        raise UnfinishedRun(
            f"an earlier crackjack run was stopped while it had hidden unstaged changes, and "
            f"its recovery data is damaged ({exc}). Your changes are also in the commit "
            f"{ref} (`git show --stat {ref}`)."
        ) from exc
    if data is not None:
        raise UnfinishedRun(_message(tree, data))


def _message(tree: WorkTree, data: RecoveryData) -> str:
    count = len(data.files)
    running = data.pid != os.getpid() and process_alive(data.pid)
    still = " If that process is still running, let it finish first." if running else ""
    return (
        f"an earlier crackjack run (pid {data.pid}, started {data.created}) was stopped while "
        f"it had hidden unstaged changes to {count} file{'s' if count != 1 else ''}. They are "
        f"saved in {data.directory} and in the commit {data.ref}. Run `{RECOVER_COMMAND}` in "
        f"{tree.top} to put them back.{still}"
    )
