"""Building an environment: once, under its lock, in a folder of its own that is linked into
place only when complete.

A second run asking for the same environment waits for the lock, then finds it built and uses
it. A build that is killed leaves a ``<key>.<random>`` folder no link points to: never taken for
an environment, and removed by the next build of that key (under the lock, so never while
another build fills it)."""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from crackjack.core.files.fsutil import describe_os_error, fsync_dir, replace_with_symlink
from crackjack.core.process.run import Cancellation, ProcessRequest, run_process
from crackjack.core.toolenv.env import ToolEnv
from crackjack.core.toolenv.installers import Installer, reason
from crackjack.core.toolenv.lock import env_lock
from crackjack.core.toolenv.marker import write_marker
from crackjack.core.valueclass import value

INSTALL_TIMEOUT = 900.0
"""Seconds one step of a build may take."""


@value(eq=True)
class Built:
    """How ``build`` ended: ``built`` is False when another run had built it meanwhile;
    ``error`` says why it could not be built (one line, naming the requirements)."""

    built: bool = False
    error: str | None = None


def build(env: ToolEnv, installer: Installer, cancellation: Cancellation | None = None) -> Built:
    """Make ``env`` exist, unless it does; never raises for a failed install."""
    home = env.home
    if home is None:
        return Built(error="no folder for tool environments: set CRACKJACK_HOME or HOME")
    try:
        with env_lock(home, env.key, wait=True, cancellation=cancellation) as held:
            if not held:
                return Built(error="not installed: interrupted")
            if env.built():
                return Built()
            problem = _build_locked(env, home, installer, cancellation)
    except OSError as exc:
        problem = f"{home}: {describe_os_error(exc)}"
    if problem is None:
        return Built(built=True)
    return Built(error=f"cannot install {env.spec.shown} ({installer.name}): {problem}")


def _build_locked(
    env: ToolEnv, home: Path, installer: Installer, cancellation: Cancellation | None
) -> str | None:
    """Build ``env`` (its lock held); why it failed, or None."""
    _remove_leftovers(env, home)
    folder = home / f"{env.key}.{secrets.token_hex(4)}"
    steps = installer.steps(env.spec, folder)
    if isinstance(steps, str):
        return steps
    for argv in steps:
        problem = _run_step(argv, home, cancellation)
        if problem is not None:
            shutil.rmtree(folder, ignore_errors=True)
            return problem
    write_marker(folder, env.spec, installer.name)
    replace_with_symlink(home / env.key, os.fsencode(folder.name))
    fsync_dir(home)
    return None


def _run_step(argv: tuple[str, ...], home: Path, cancellation: Cancellation | None) -> str | None:
    environ = {**os.environ, "NO_COLOR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    environ.pop("VIRTUAL_ENV", None)
    request = ProcessRequest(
        argv=argv, cwd=home, env=environ, timeout=INSTALL_TIMEOUT, tail_bytes=64 * 1024
    )
    outcome = run_process(request, cancellation)
    if outcome.cancelled:
        return "interrupted"
    if outcome.timed_out:
        return f"{argv[0]} took longer than {INSTALL_TIMEOUT:g} s"
    if outcome.start_error:
        return outcome.start_error
    if outcome.returncode:
        return reason(outcome.kept.text)
    return None


def _remove_leftovers(env: ToolEnv, home: Path) -> None:
    """What earlier builds of ``env`` left: killed ones (folders no link points to) and a link
    to an environment that is not whole."""
    link = home / env.key
    if link.is_symlink() and not env.built():
        link.unlink()
    elif link.is_dir() and not link.is_symlink():
        shutil.rmtree(link, ignore_errors=True)
    kept = os.readlink(link) if link.is_symlink() else None
    for entry in home.glob(f"{env.key}.*"):
        if entry.name != kept and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
