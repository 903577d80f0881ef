"""The project's git calls, all through the ``run_process`` chokepoint.

Every call runs ``git -c core.quotepath=off`` and asks for NUL-separated output where git lists
paths, so a user's configuration cannot change what we parse.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from crackjack.core.errors import CrackjackError
from crackjack.core.process import ProcessRequest, run_process

_GIT = ("git", "-c", "core.quotepath=off")


class GitError(CrackjackError):
    """A git command failed, or git could not be started."""


class GitNotFoundError(GitError):
    """The git program could not be started (not installed, or not on ``PATH``)."""


def git(*args: str, cwd: Path) -> bytes:
    """Run ``git <args>`` in ``cwd`` and return its stdout; raise GitError unless it exits 0."""
    if not cwd.is_dir():
        raise GitError(f"cannot run {_describe(args)}: {cwd} is not a directory")
    outcome = run_process(
        ProcessRequest(argv=(*_GIT, *args), cwd=cwd, tail_bytes=None, merge_stderr=False)
    )
    if outcome.start_error is not None:
        raise GitNotFoundError(
            f"cannot run {_describe(args)}: {outcome.start_error} (is git installed and on PATH?)"
        )
    if outcome.returncode != 0:
        detail = _first_line(outcome.stderr)
        status = _status(outcome.returncode)
        raise GitError(f"{_describe(args)} {status}" + (f": {detail}" if detail else ""))
    return outcome.output


def repo_root(path: Path) -> Path | None:
    """The top of the work tree containing ``path``; None outside one (or in ``.git``, bare).

    Also None when git is not installed: crackjack then works on the plain directory.
    """
    try:
        out = git("rev-parse", "--show-toplevel", cwd=_existing_dir(path))
    except GitError:
        return None
    top = os.fsdecode(out.removesuffix(b"\n"))
    return Path(top) if top else None


def list_files(root: Path) -> list[str]:
    """Tracked and untracked-but-not-ignored files under ``root``, relative to it, sorted.

    Paths git knows but the work tree lacks (deleted, sparse) are dropped; submodules and
    untracked nested repositories are kept as paths (type filtering drops directories).
    """
    out = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=root)
    names = {os.fsdecode(raw).removesuffix("/") for raw in out.split(b"\0") if raw}
    return sorted(name for name in names if _lexists(root / name))


def _existing_dir(path: Path) -> Path:
    """``path`` if it is a directory, else its nearest existing ancestor directory."""
    candidate = path.absolute()
    while not candidate.is_dir() and candidate != candidate.parent:
        candidate = candidate.parent
    return candidate


def _lexists(path: Path) -> bool:
    try:
        os.lstat(path)
    except (OSError, ValueError):
        return False
    return True


def _describe(args: tuple[str, ...]) -> str:
    return shlex.join(("git", *args))


def _status(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        return f"was killed by signal {-returncode}"
    return f"exited {returncode}"


def _first_line(data: bytes) -> str:
    lines = (line.strip() for line in data.decode("utf-8", "replace").splitlines())
    return next((line for line in lines if line), "")
