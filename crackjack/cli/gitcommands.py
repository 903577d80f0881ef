"""``crackjack install``, ``uninstall``, ``recover`` and ``git-hook``: crackjack as a git hook."""

from __future__ import annotations

import sys
from pathlib import Path

from crackjack.cli.console import Printer
from crackjack.cli.escape import safe_name
from crackjack.cli.runner import RunRequest, run
from crackjack.cli.theme import files
from crackjack.core.errors import ConfigError
from crackjack.core.files.selection import ChangedFiles, FileSelection, GivenFiles, StagedFiles
from crackjack.core.git import install as installer
from crackjack.core.git.lock import lock_dir_for, run_lock
from crackjack.core.git.prepush import parse_updates, pushed
from crackjack.core.git.recoverydata import HiddenChanges, recovery_dir
from crackjack.core.git.restore import recover, restore_notes
from crackjack.core.git.worktree import find_work_tree
from crackjack.core.run.session import SessionRequest


def install(hook_type: str, force: bool) -> int:
    report = installer.install(find_work_tree(Path.cwd()), hook_type, force=force)
    _say(report.lines())
    return 0


def uninstall(hook_type: str) -> int:
    report = installer.uninstall(find_work_tree(Path.cwd()), hook_type)
    _say(report.lines())
    return 0


def recover_command() -> int:
    tree = find_work_tree(Path.cwd())
    with run_lock(lock_dir_for(tree.top, tree)):  # never under the feet of a run still going
        given_back = recover(tree)
    if given_back is None:
        _say((f"nothing to recover ({recovery_dir(tree)} holds no interrupted run)",))
    else:
        _say(recovery_lines(given_back))
    return 0


def recovery_lines(given_back: HiddenChanges) -> tuple[str, ...]:
    count = files(len(given_back.files))
    restored = f"restored the unstaged changes to {count} from {given_back.recovery_dir}"
    return (restored, *restore_notes(given_back))


def git_hook(hook_type: str, args: tuple[str, ...] = ()) -> int:
    """What the installed git hook runs, with git's arguments ``args``: pre-commit checks the
    staged files with unstaged changes hidden; pre-push runs the ``pre-push`` workflow if the
    project has one (else the fast one) on what is pushed (``_pre_push``)."""
    cwd = Path.cwd()
    if hook_type == "pre-commit":
        staged = SessionRequest(
            workflows=("fast",), files=StagedFiles(), hide_unstaged=True, cwd=cwd
        )
        return run(RunRequest(session=staged))
    if hook_type == "pre-push":
        return _pre_push(cwd, args)
    supported = ", ".join(installer.SUPPORTED_HOOK_TYPES)
    raise ConfigError(f"unsupported git hook {hook_type!r} (supported: {supported})")


def _pre_push(cwd: Path, args: tuple[str, ...]) -> int:
    """From git (the remote as first argument, the refs on stdin): the files of the commits the
    remote does not have yet (``crackjack.core.git.prepush``); deleting a branch checks nothing.
    By hand, with no arguments: the files changed since the branch's upstream or ``main``."""
    selection: FileSelection = ChangedFiles()
    if args:
        remote = args[0]
        find_work_tree(cwd)
        found = pushed(cwd, remote, parse_updates(sys.stdin.read() if sys.stdin else ""))
        _say(tuple(f"deleting {ref} on {remote}: nothing to check" for ref in found.deleted))
        if not found.commits:
            if not found.deleted:
                _say((f"nothing to check: every commit being pushed is already on {remote}",))
            return 0
        commits = f"{found.commits} commit{'s' if found.commits != 1 else ''}"
        _say((f"checking the {files(len(found.files))} of {commits} not yet on {remote}",))
        selection = GivenFiles(found.files, cwd=cwd)
    request = SessionRequest(workflows=("pre-push", "fast"), files=selection, cwd=cwd)
    return run(RunRequest(session=request))


def _say(lines: tuple[str, ...]) -> None:
    printer = Printer()
    for line in lines:
        printer.print(f"crackjack: {safe_name(line)}")
