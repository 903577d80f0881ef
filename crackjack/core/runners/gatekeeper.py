"""Run in the tool's own interpreter (``python -c SOURCE SCRIPT ARGS...``), never imported by
crackjack: hold the tool's first look at each file a fixer of an earlier phase may still change
until those fixers are done with it, then run ``SCRIPT`` as ``python SCRIPT ARGS...`` would.

The interpreter's start, the tool's imports and whatever it does before it reads the project go
on beside the fixers; what it reads of the fixers' files is what they left. It looks through
Python's file API: the ``open`` audit event (``open``, ``os.open``, the import system),
``os.listdir`` and ``os.scandir`` of a folder holding such a file, ``os.stat``, ``os.lstat`` and
``os.access`` of one; a program started (``subprocess``, ``fork``, ``exec``...) waits for every
fixer. A program started ahead (``core/run/headstart.py``) is also held from every path outside
its own interpreter's installation (but a look at the folders above it, and ``/dev``, ``/proc``,
``/sys``) until the run adopts it: the map's ``ahead`` bit. The parent's environment variables
name the map (a JSON file: path to a bit mask of the fixers given it, and each folder's) and the
pipe on which each fixer's bit arrives as it ends; the pipe's end means all of them are done.
Kept to the Python 3.8 language: a project's tools may run on an old interpreter.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


def _arm() -> None:
    fd = int(os.environ.pop("CRACKJACK_GATE_FD"))
    try:
        with open(os.environ.pop("CRACKJACK_GATE"), encoding="utf-8") as stream:
            shape = json.load(stream)
        sys.addaudithook  # noqa: B018 (Python 3.8 and later)
    except (OSError, ValueError, AttributeError):  # hold everything until the fixers are done
        while os.read(fd, 4096):
            pass
        os.close(fd)
        return
    files, folders, every = shape["files"], shape["folders"], shape["all"]
    ahead = shape.get("ahead", 0)
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    prefixes |= {os.path.realpath(prefix) for prefix in prefixes}
    own = (*(os.path.join(prefix, "") for prefix in prefixes), "/dev/", "/proc/", "/sys/")
    above = set()  # the folders above them, which ``realpath`` and the imports look at
    for prefix in prefixes:
        while os.path.dirname(prefix) != prefix:
            prefix = os.path.dirname(prefix)
            above.add(prefix)
    done = [0]
    ready = threading.Condition()
    real = {name: getattr(os, name) for name in ("stat", "lstat", "access")}

    def listen() -> None:
        rest = b""
        while done[0] != every:
            chunk = os.read(fd, 4096)
            with ready:
                if not chunk:
                    done[0] = every
                else:
                    *bits, rest = (rest + chunk).split(b"\n")
                    for bit in bits:
                        done[0] |= 1 << int(bit)
                ready.notify_all()
        os.close(fd)
        for name, function in real.items():
            setattr(os, name, function)

    def wait(mask: int) -> None:
        with ready:
            while mask & ~done[0]:
                ready.wait()

    def key(path: object) -> str:
        if isinstance(path, int) or path is None:
            return ""
        return os.path.abspath(os.fsdecode(path))  # type: ignore[arg-type]

    spawning = {"subprocess.Popen", "os.exec", "os.fork", "os.forkpty", "os.posix_spawn"}
    spawning |= {"os.spawn", "os.system", "pty.spawn"}

    def outside(path: str) -> int:
        """The ahead bit, while it holds, for a path outside the program's own installation."""
        if not ahead or done[0] & ahead or not path:
            return 0
        return 0 if os.path.join(path, "").startswith(own) else ahead

    def audit(event: str, args: tuple[object, ...]) -> None:
        if done[0] == every:
            return
        if event == "open":
            path = key(args[0])
            mask = files.get(path, 0) | outside(path)
        elif event in ("os.listdir", "os.scandir"):
            path = key(args[0] if args[0] is not None else ".")
            mask = folders.get(path, 0) | outside(path)
        elif event in spawning:
            mask = every
        else:
            return
        if mask:
            wait(mask)

    def held(function: Callable[..., object]) -> Callable[..., object]:
        def look(path: object, *args: object, **kwargs: object) -> object:
            if done[0] != every:
                where = key(path)
                mask = files.get(where, 0) | (0 if where in above else outside(where))
                if mask:
                    wait(mask)
            return function(path, *args, **kwargs)

        return look

    for name, function in real.items():
        setattr(os, name, held(function))
    sys.addaudithook(audit)
    threading.Thread(target=listen, name="crackjack gate", daemon=True).start()


def _main() -> None:
    _arm()
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    if not getattr(sys.flags, "safe_path", False):
        sys.path[0] = os.path.dirname(os.path.realpath(script))
    import runpy

    runpy.run_path(script, run_name="__main__")


_main()
