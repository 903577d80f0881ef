"""``crackjack install``, ``uninstall``, ``recover`` and ``git-hook``: crackjack as a git hook."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crackjack.cli.console import make_console
from crackjack.cli.runner import RunRequest, load, run
from crackjack.core.errors import ConfigError
from crackjack.core.files.selection import ChangedFiles, StagedFiles
from crackjack.core.git import install as installer
from crackjack.core.git.lock import lock_dir_for, run_lock
from crackjack.core.git.refusals import require_work_tree
from crackjack.core.git.restore import RecoveryReport, recover


def install(hook_type: str, force: bool) -> int:
    report = installer.install(require_work_tree(Path.cwd()), hook_type, force=force)
    _say(report.lines())
    return 0


def uninstall(hook_type: str) -> int:
    report = installer.uninstall(require_work_tree(Path.cwd()), hook_type)
    _say(report.lines())
    return 0


def recover_command() -> int:
    top = require_work_tree(Path.cwd())
    with run_lock(lock_dir_for(top)):  # never under the feet of a run that is still going
        report = recover(top)
    _say(recovery_lines(report))
    return 0


def recovery_lines(report: RecoveryReport) -> tuple[str, ...]:
    if not report.found:
        return (f"nothing to recover ({report.location} holds no interrupted run)",)
    lines = [f"restored the unstaged changes to {len(report.files)} files from {report.location}"]
    if report.rolled_back:
        lines.append(
            "hook fixes to " + ", ".join(report.rolled_back) + " conflicted with your changes"
            f" and were set aside in {report.dropped_dir}"
        )
    return tuple(lines)


def git_hook(hook_type: str, settings: Mapping[str, Any]) -> int:
    """What the installed git hook runs: pre-commit checks the staged files with unstaged
    changes hidden; pre-push runs the ``pre-push`` workflow if the project has one (else the
    fast one) on the files changed since the upstream."""
    if hook_type == "pre-commit":
        return run(
            RunRequest(workflow="fast", settings=settings, files=StagedFiles(), hide_unstaged=True)
        )
    if hook_type == "pre-push":
        _, catalogue = load(Path.cwd(), settings)
        workflow = "pre-push" if "pre-push" in catalogue.workflows else "fast"
        return run(RunRequest(workflow=workflow, settings=settings, files=ChangedFiles()))
    supported = ", ".join(installer.SUPPORTED_HOOK_TYPES)
    raise ConfigError(f"unsupported git hook {hook_type!r} (supported: {supported})")


def _say(lines: tuple[str, ...]) -> None:
    console = make_console()
    for line in lines:
        console.print(f"crackjack: {line}")
