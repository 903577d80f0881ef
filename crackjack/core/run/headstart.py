"""A head start for the longest hook: its program started from the last run's plan of it, before
this run has read its settings or planned, then adopted by the engine or killed.

The longest hook (mypy, say) is the run's critical path, and everything before its program
starts (the imports, the settings, git, the plan) is on it. So a run records how its first
early hook's program starts (a :class:`Launch`: argv, folder, the hook's own variables, its
files and the fixers a gate holds it for), in a file the command line and its folder name.
The next run of that command line in that folder starts the program from the record at once,
through a gate for the same fixers (``runners.gate``), and plans meanwhile.

Until the run adopts it, the gate holds its first look at anything outside its interpreter's
own installation (the ``AHEAD`` bit of ``runners.gate``): it starts and imports, and reads no
project or configuration file, writes none, starts no program. The engine adopts it only when
the plan starts that hook early, before any hook has changed a file, with the same launch and
the same fixers to hold it for (``matches``); its runner then takes its snapshot and lets it
go (``release``), under the run's lock and after the result cache has read the configuration,
as for any program it starts. Any other run kills it (its group, SIGKILL: it has touched
nothing) as soon as that is known, and whatever ends the run first kills it too (``abandon``).
So it never changes a verdict. Only Python scripts, which a gate can hold, and only where it
dies with crackjack (``PR_SET_PDEATHSIG``): started before the run records its process groups,
it is not among them.

Never in git-hook mode (``--staged``): there the hook must not look at the work tree before the
unstaged changes are hidden.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from crackjack import __version__
from crackjack.core.files.fsutil import read_json_object, replaced
from crackjack.core.process.run import (
    ProcessOutcome,
    ProcessRequest,
    Running,
    can_die_with_parent,
    start_process,
)
from crackjack.core.runners.gate import AHEAD, Gate, holds
from crackjack.core.runners.request import hook_environment
from crackjack.core.valueclass import value

FORMAT = 1

Fixers = tuple[tuple[str, tuple[str, ...]], ...]


@value(eq=True)
class Launch:
    """How a hook's program starts: its argv (not through a gate), in ``cwd`` (the project's
    root), with the hook's own variables and pinned environment (``venv``) over the run's; its
    ``files`` (what its snapshot watches) and the ``fixers`` its gate holds it for."""

    hook: str
    argv: tuple[str, ...]
    cwd: str
    hook_env: tuple[tuple[str, str], ...]
    venv: str | None
    executable: str | None
    files: tuple[str, ...]
    fixers: Fixers

    def environment(self) -> dict[str, str]:
        return hook_environment(dict(self.hook_env), None if self.venv is None else Path(self.venv))


def read_launch(path: Path) -> Launch | None:
    """The launch kept at ``path``; None if there is none, it is damaged, or anyone but the
    user could have written it (or its folder): it names a program to run."""
    if not all(_own(where) for where in (path.parent, path)):
        return None
    data = read_json_object(path)
    if data is None or data.get("format") != FORMAT or data.get("version") != __version__:
        return None  # another crackjack's: its launches may be made otherwise
    try:
        launch = Launch(
            hook=_text(data["hook"]),
            argv=_texts(data["argv"]),
            cwd=_text(data["cwd"]),
            hook_env=tuple((_text(k), _text(v)) for k, v in data["hook_env"]),
            venv=None if data["venv"] is None else _text(data["venv"]),
            executable=None if data["executable"] is None else _text(data["executable"]),
            files=_texts(data["files"]),
            fixers=tuple((_text(hook), _texts(files)) for hook, files in data["fixers"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
    return launch if launch.argv else None


def write_launch(path: Path, launch: Launch | None) -> None:
    """Keep ``launch`` at ``path`` for the next run (None: forget it). A scheduling hint: its
    loss costs nothing, so it is not fsynced, and a failure to write it is ignored."""
    try:
        if launch is None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            return
        record: dict[str, Any] = {"format": FORMAT, "version": __version__, **_fields(launch)}
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with replaced(path, mode=0o600, durable=False) as stream:
            stream.write(json.dumps(record).encode())
    except OSError:
        return


class HeadStart:
    """The program of ``launch`` started ahead (``start``), held by ``gate``: adopt it with
    ``take`` (then ``release`` it), or end it with ``abandon``; the first of the two wins."""

    def __init__(self, launch: Launch, running: Running, gate: Gate):
        self.launch = launch
        self.running = running
        self.gate = gate
        self._taken = False

    @classmethod
    def start(cls, path: Path, folder: Path) -> HeadStart | None:
        """The program of the launch kept at ``path`` started, its gate's map in ``folder``;
        None if there is no launch, its folder is gone, or it cannot start (held)."""
        launch = read_launch(path)
        if launch is None or not os.path.isdir(launch.cwd) or not can_die_with_parent():
            return None
        if not holds(launch.executable):
            return None
        root = Path(launch.cwd)
        gate = Gate(root, launch.fixers, folder, ahead=True)
        gated = gate.wrap(launch.argv, launch.executable)
        if gated is None:
            gate.close()
            return None
        env = launch.environment()
        env.update(gated.env)
        request = ProcessRequest(argv=gated.argv, cwd=root, env=env, pass_fds=(gated.fd,))
        try:
            running = start_process(request)
        finally:
            os.close(gated.fd)
        if isinstance(running, ProcessOutcome):
            gate.close()
            return None
        return cls(launch, running, gate)

    def release(self) -> None:
        """Let the adopted program look at the project (its snapshot taken)."""
        self.gate.release(AHEAD)

    def matches(self, launch: Launch | None) -> bool:
        return not self._taken and launch == self.launch

    def take(self) -> HeadStart:
        self._taken = True
        return self

    def abandon(self) -> None:
        """Kill the program, unless it was taken."""
        if self._taken:
            return
        self._taken = True
        self.running.kill()
        self.gate.close()


def _own(path: Path) -> bool:
    """Whether only the user can have written ``path`` (it is theirs, not group- or
    world-writable)."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def _fields(launch: Launch) -> dict[str, Any]:
    return {
        "hook": launch.hook,
        "argv": list(launch.argv),
        "cwd": launch.cwd,
        "hook_env": [list(pair) for pair in launch.hook_env],
        "venv": launch.venv,
        "executable": launch.executable,
        "files": list(launch.files),
        "fixers": [[hook, list(files)] for hook, files in launch.fixers],
    }


def _text(item: object) -> str:
    if not isinstance(item, str):
        raise TypeError("not a string")
    return item


def _texts(items: object) -> tuple[str, ...]:
    if not isinstance(items, list):
        raise TypeError("not a list")
    return tuple(_text(item) for item in items)
