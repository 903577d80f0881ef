"""The crash-point sweep's fork server (tests/test_crash_sweep.py); never part of crackjack.

Started as ``python -P forkserver.py MODULE...`` with the sweep's environment (the fault injector
on ``PYTHONPATH``, no bytecode written), it imports the MODULEs, which are those a real
``python -P -m crackjack git-hook pre-commit`` imported, in its order, then forks one child per
request: each child is that command line from there on, with its own folder, environment and
output files, and its own fault injector (``sitecustomize._start``, as at a real start). The
sweep's points all come after the imports, so each point costs the run instead of the
interpreter's start and the imports too; the sweep proves the children reach the same points
in the same order as the real command line.

A request is one line of JSON on stdin: ``{"args": [...], "cwd": ..., "env": {...}, "out": ...,
"err": ...}`` (``args`` after ``-m crackjack``; ``out``, ``err``: files for the child's stdout
and stderr); the answer, once the child has ended, one line: its exit code as ``subprocess``
gives it (``-9``: SIGKILL).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import runpy
import sys
import tempfile
import traceback
from typing import Any


def _child(request: dict[str, Any]) -> int:
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for fd, (path, flags) in enumerate(
        (
            (os.devnull, os.O_RDONLY),
            (request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
            (request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        )
    ):
        opened = os.open(path, flags, 0o644)
        os.dup2(opened, fd)
        os.close(opened)
    tempfile.tempdir = None  # as at a start: chosen again from this child's TMPDIR
    sys.orig_argv = [sys.executable, "-P", "-m", "crackjack", *request["args"]]
    sys.argv = ["-m", *request["args"]]  # runpy puts the module's path first, as -m does
    try:
        injector = sys.modules["sitecustomize"]  # the fault injector, idle in this server
        injector._start()  # as at a start: at this child's SWEEP_FAULT
        runpy.run_module("crackjack", run_name="__main__", alter_sys=True)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def main() -> None:
    for name in sys.argv[1:]:
        with contextlib.suppress(ImportError):  # not found by the run either: ``_sha2``
            importlib.import_module(name)
    answers = os.dup(1)
    while line := sys.stdin.buffer.readline():
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.close(answers)
            code = 1
            try:
                code = _child(request)
            finally:
                for stream in (sys.stdout, sys.stderr):
                    stream.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        os.write(answers, f"{os.waitstatus_to_exitcode(status)}\n".encode())


if __name__ == "__main__":
    main()
