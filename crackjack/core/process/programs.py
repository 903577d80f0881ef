"""Finding the program a hook's command names, and telling why one that is there cannot start.

A bare name is looked up in the project's environment first (the folder of the interpreter the
test phase chooses), then beside crackjack (``sys.executable``'s folder: the tools installed
with it, such as its ruff, are found without activating its environment), then on ``PATH``.
Empty ``PATH`` entries are skipped rather than read as the current directory: a repository
being checked must not be able to plant its own ``ruff``. A name with a ``/`` is a path from
the project root, where the hook runs.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

from crackjack.core.process.run import ProcessRequest, run_process
from crackjack.core.valueclass import value

PROJECT_ENV = "project env"
CRACKJACK = "crackjack's"
ON_PATH = "PATH"
GIVEN_PATH = "given path"
"""Where a program was found (``FoundProgram.origin``)."""

VERSION_TIMEOUT = 10.0


@value(eq=True)
class FoundProgram:
    """An executable and where it was found; ``problem``: why it cannot be started (a path the
    command names that is a directory, not executable or has no ``#!`` line)."""

    path: str
    origin: str
    problem: str | None = None


@value
class ProgramSearch:
    """Where the programs of a project's hooks are looked up. ``python``: the project's
    interpreter (``project_python``); when it is crackjack's own, the project has no
    environment of its own."""

    root: Path
    python: str

    @property
    def environment(self) -> str | None:
        """The folder of the project environment's programs, if it has one."""
        return None if self.python == sys.executable else os.path.dirname(self.python)

    def find(self, name: str) -> FoundProgram | None:
        """Where ``name`` is, or None when it is nowhere."""
        if "/" in name:
            path = os.path.join(self.root, name)
            if not os.path.exists(path):
                return None
            return FoundProgram(os.path.abspath(path), GIVEN_PATH, cannot_start(path, name))
        for origin, folder in self._folders():
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return FoundProgram(os.path.abspath(candidate), origin)
        return None

    def _folders(self) -> Iterator[tuple[str, str]]:
        if self.environment:
            yield PROJECT_ENV, self.environment
        if sys.executable:
            yield CRACKJACK, os.path.dirname(sys.executable)
        for folder in _path_folders():
            yield ON_PATH, folder

    def shown(self, path: str) -> str:
        """``path`` relative to the project root when it is under it."""
        relative = os.path.relpath(path, self.root)
        return path if relative.startswith("..") else relative

    def install_hint(self, install: str) -> str:
        """``install`` (``pip install mypy``) for the project's environment when it has one:
        ``.venv/bin/pip install mypy``."""
        folder = self.environment
        if folder is None or not install.startswith("pip "):
            return install
        pip = os.path.join(folder, "pip")
        if os.access(pip, os.X_OK):
            return self.shown(pip) + install[3:]
        return f"{self.shown(self.python)} -m pip{install[3:]}"


def _path_folders() -> Iterator[str]:
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        if folder:
            yield folder


def on_path(name: str) -> str | None:
    """The executable ``name`` on ``PATH`` (empty entries skipped), or None."""
    for folder in _path_folders():
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    return None


def cannot_start(path: str, shown: str) -> str | None:
    """Why the file at ``path`` (named ``shown``) cannot be started, or None."""
    if os.path.isdir(path):
        return f"{shown} is a directory, not a program"
    if not os.access(path, os.X_OK):
        return f"{shown} is not executable: chmod +x {shlex.quote(shown)}"
    try:
        with open(path, "rb") as file:
            head = file.read(8)
    except OSError:
        return None
    if head.startswith(b"#!") or b"\0" in head:  # a script, or a binary (ELF, Mach-O...)
        return None
    return f"{shown} has no #! line: add one, such as #!/bin/sh"


def program_version(path: str, cwd: Path) -> str:
    """What ``path --version`` says, in short (its first version number), or ``?``."""
    request = ProcessRequest(argv=(path, "--version"), cwd=cwd, timeout=VERSION_TIMEOUT)
    outcome = run_process(request)
    lines = outcome.text.strip().splitlines()
    if outcome.returncode != 0 or not lines:
        return "?"
    number = re.search(r"\d+(?:\.\d+)+\S*", lines[0])
    return number.group(0) if number else lines[0]
