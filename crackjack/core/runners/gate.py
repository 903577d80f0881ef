"""The parent's side of a gated start (the child's is ``gatekeeper.py``).

A read-only hook started early, beside the fixers of an earlier phase, reads files they may
still change. When its program is a Python script, it runs through ``gatekeeper``: the
interpreter starts and the tool imports at once, but its first look at each of the fixers'
files waits until the fixers given that file are done. What those fixers then change cannot
have been read before they changed it, so the early result stands (``Gate.covers``), where an
ungated one must run again. A fixer that changes a file it was not given is not covered.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

_SHEBANG_BYTES = 256


AHEAD = ""
"""The gate's bit that holds a program started ahead from everything outside its interpreter's
installation until the run adopts it (``core.run.headstart``): released by that id."""


class Gate:
    """The fixers an early hook's program is held for, by hook id, each with its files (names
    relative to ``root``); with ``ahead``, also the ``AHEAD`` bit. ``release`` one as it ends;
    ``close`` once the hook has ended."""

    def __init__(
        self,
        root: Path,
        fixers: Sequence[tuple[str, tuple[str, ...]]],
        folder: Path,
        *,
        ahead: bool = False,
    ) -> None:
        self.root = root
        self.folder = folder
        self.fixers = tuple((hook_id, tuple(files)) for hook_id, files in fixers)
        held = [hook_id for hook_id, _ in fixers] + [AHEAD] * ahead
        self._bits = {hook_id: bit for bit, hook_id in enumerate(held)}
        self._files = {hook_id: frozenset(files) for hook_id, files in fixers}
        self._lock = threading.Lock()
        self._done: list[int] = []
        self._pipes: list[int] = []
        self._map: Path | None = None
        self._closed = False
        self.armed = False

    def covers(self, hook_id: str, modified: frozenset[str]) -> bool:
        """Whether the program was held from every file of ``modified`` until ``hook_id``
        was done with it."""
        return self.armed and modified <= self._files.get(hook_id, frozenset())

    def void(self) -> None:
        """What it held covers the result no more: a part of it came from elsewhere (the
        result cache, keyed before the fixes)."""
        self.armed = False

    def wrap(self, argv: tuple[str, ...], executable: str | None) -> GatedStart | None:
        """``argv`` started through the gatekeeper, or None if its program is no Python
        script this can hold (or the gate is closed: every fixer is done)."""
        python = _script_python(executable) if executable else None
        if python is None or executable is None:
            return None
        with self._lock:
            if self._closed or len(self._done) == len(self._bits):
                return None
            read, write = os.pipe()
            os.set_inheritable(read, False)
            self._pipes.append(write)
            for bit in self._done:
                _send(write, bit)
            env = {"CRACKJACK_GATE_FD": str(read), "CRACKJACK_GATE": str(self._shape())}
            self.armed = True
        return GatedStart(argv=(python, "-c", _source(), executable, *argv[1:]), env=env, fd=read)

    def release(self, hook_id: str) -> None:
        """``hook_id`` has ended: what it changed is there to read."""
        bit = self._bits.get(hook_id)
        with self._lock:
            if bit is None or bit in self._done or self._closed:
                return
            self._done.append(bit)
            for write in self._pipes:
                _send(write, bit)
            if len(self._done) == len(self._bits):
                self._close_pipes()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._close_pipes()
            if self._map is not None:
                with contextlib.suppress(OSError):
                    self._map.unlink()

    def _close_pipes(self) -> None:
        for write in self._pipes:
            with contextlib.suppress(OSError):
                os.close(write)
        self._pipes.clear()

    def _shape(self) -> Path:
        """The map the gatekeeper reads, written once: each file's and each folder's mask of
        the fixers given it, by absolute path."""
        if self._map is None:
            root = os.path.realpath(self.root)  # the gatekeeper's working folder, as getcwd says
            base = os.path.join(root, "")
            files: dict[str, int] = {}
            for hook_id, names in self._files.items():
                bit = 1 << self._bits[hook_id]
                for name in names:
                    path = base + name
                    files[path] = files.get(path, 0) | bit
            folders: dict[str, int] = {}
            for path, mask in files.items():
                folder = path
                while folder != root and len(folder) > len(root):
                    folder = os.path.dirname(folder)
                    held = folders.get(folder, 0)
                    if held & mask == mask:
                        break  # so are the folders above it: each got the mask with it
                    folders[folder] = held | mask
            shape = {
                "files": files,
                "folders": folders,
                "all": (1 << len(self._bits)) - 1,
                "ahead": 1 << self._bits[AHEAD] if AHEAD in self._bits else 0,
            }
            self._map = self.folder / f"gate-{os.getpid()}-{id(self)}.json"
            self._map.write_text(json.dumps(shape), encoding="utf-8")
        return self._map


def holds(executable: str | None) -> bool:
    """Whether a gate can hold the program at ``executable`` (a Python script)."""
    return executable is not None and _script_python(executable) is not None


class GatedStart:
    """How a held program starts: its argv, what its environment gains, the pipe end it
    inherits (the caller's to keep open until the program has started)."""

    def __init__(self, argv: tuple[str, ...], env: dict[str, str], fd: int) -> None:
        self.argv = argv
        self.env = env
        self.fd = fd


def _send(write: int, bit: int) -> None:
    with contextlib.suppress(OSError):  # the program has ended: nothing waits for it
        os.write(write, b"%d\n" % bit)


def _script_python(executable: str) -> str | None:
    """The interpreter of a Python script such as pip's console scripts (``#!/…/python``, no
    arguments), or None."""
    try:
        with open(executable, "rb") as stream:
            head = stream.read(_SHEBANG_BYTES)
    except OSError:
        return None
    line = head.split(b"\n", 1)[0]
    if not line.startswith(b"#!"):
        return None
    words = line[2:].split()
    if len(words) != 1 or not os.path.basename(words[0]).startswith(b"python"):
        return None
    python = os.fsdecode(words[0])
    return python if os.path.isabs(python) and os.access(python, os.X_OK) else None


@functools.cache
def _source() -> str:
    return Path(__file__).with_name("gatekeeper.py").read_text(encoding="utf-8")
