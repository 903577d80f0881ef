"""The crash-point sweep's fault injector (tests/test_crash_sweep.py); never part of crackjack.

Python imports this module at start-up when the sweep puts its folder on ``PYTHONPATH``
(``-P``, as the installed git hook runs crackjack, drops only the script's folder). It acts only
in a crackjack process (``python ... -m crackjack ...``), never in the hooks crackjack starts,
and only when ``SWEEP_FAULT`` says what to do:

- ``count:FILE``: append a line to FILE as each point function is called: its name, then the
  ``shutil.rmtree`` call it was made in (``rmtree-N``, counted from 1 over the process) or
  ``-``;
- ``NAME:N:before`` / ``NAME:N:after``: SIGKILL crackjack at the Nth call of NAME, before the
  real call is made or just after it returned.

The calls are counted over all threads together (behind one lock), so the fixers writing files
on worker threads are reached as surely as the main thread. The point functions are looked up
on their modules at each call by crackjack and by the standard library (``os.replace``,
``shutil.rmtree``'s ``os.unlink``, ``subprocess``'s ``_fork_exec``, ``threading``'s
``_start_new_thread``), so replacing them here reaches every call.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

POINTS: dict[str, tuple[ModuleType, str]] = {
    "spawn": (subprocess, "_fork_exec"),
    "thread": (threading, "_start_new_thread"),
    **{f"os.{name}": (os, name) for name in ("fsync", "fdatasync", "replace", "rename")},
    **{f"os.{name}": (os, name) for name in ("unlink", "remove", "rmdir")},
}
"""Each point function by the name the sweep gives it: the module it is looked up on, and its
attribute there."""

_SUPPORTS = ("supports_dir_fd", "supports_fd", "supports_follow_symlinks", "supports_effective_ids")
"""The sets ``os`` lists its functions in by what they accept: ``shutil`` chooses its safe
``rmtree`` by them, so a replacement must be listed where the original is."""


def _in_crackjack() -> bool:
    argv = sys.orig_argv
    return any(argv[i : i + 2] == ["-m", "crackjack"] for i in range(len(argv) - 1))


def _install(act: Callable[[str, int, bool], None]) -> None:
    lock = threading.Lock()
    calls = dict.fromkeys(POINTS, 0)
    for name, (module, attribute) in POINTS.items():
        original = getattr(module, attribute)
        setattr(module, attribute, _wrapped(name, original, act, lock, calls))
        for listing in _SUPPORTS:
            functions = getattr(os, listing)
            if original in functions:
                functions.add(getattr(module, attribute))


def _wrapped(
    name: str,
    original: Callable[..., Any],
    act: Callable[[str, int, bool], None],
    lock: threading.Lock,
    calls: dict[str, int],
) -> Callable[..., Any]:
    def point(*args: Any, **kwargs: Any) -> Any:
        with lock:
            calls[name] += 1
            number = calls[name]
            act(name, number, False)
        result = original(*args, **kwargs)
        with lock:
            act(name, number, True)
        return result

    return point


def _counter(path: str) -> Callable[[str, int, bool], None]:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
    inside = _tag_rmtree()

    def count(name: str, number: int, after: bool) -> None:
        if not after:
            os.write(fd, f"{name} {getattr(inside, 'call', '-')}\n".encode())

    return count


def _tag_rmtree() -> threading.local:
    """Wrap ``shutil.rmtree`` so each thread knows which of its calls it is inside: between two
    removals of one ``rmtree`` nothing else is changed, so the sweep kills once between them."""
    inside = threading.local()
    calls = itertools.count(1)
    original = shutil.rmtree

    def rmtree(*args: Any, **kwargs: Any) -> None:
        inside.call = f"rmtree-{next(calls)}"
        try:
            original(*args, **kwargs)
        finally:
            del inside.call

    rmtree.avoids_symlink_attacks = original.avoids_symlink_attacks  # type: ignore[attr-defined]
    shutil.rmtree = rmtree  # type: ignore[assignment]
    return inside


def _killer(spec: str) -> Callable[[str, int, bool], None]:
    target, number, when = spec.rsplit(":", 2)
    wanted = (target, int(number), when == "after")

    def kill(name: str, number: int, after: bool) -> None:
        if (name, number, after) == wanted:
            os.kill(os.getpid(), signal.SIGKILL)

    return kill


def _start() -> None:
    spec = os.environ.get("SWEEP_FAULT", "")
    if not spec or not _in_crackjack():
        return
    mode, _, rest = spec.partition(":")
    _install(_counter(rest) if mode == "count" else _killer(spec))


_start()
