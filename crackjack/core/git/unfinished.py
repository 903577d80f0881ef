"""Detecting an earlier run that stopped while it had unstaged changes hidden (DESIGN.md 6.6)."""

from __future__ import annotations

import os

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
from crackjack.core.git.worktree import WorkTree


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
