"""One pinned environment as a hook sees it: where it is, whether it is built, and the programs
in it."""

from __future__ import annotations

import os
from pathlib import Path

from crackjack.core.process.programs import FoundProgram, ProgramSearch
from crackjack.core.toolenv.location import envs_home
from crackjack.core.toolenv.marker import marker_key
from crackjack.core.toolenv.spec import EnvSpec
from crackjack.core.valueclass import value

PINNED_ENV = "pinned env"
"""Where a program was found (``FoundProgram.origin``): the hook's own environment."""


@value(eq=True)
class ToolEnv:
    """The environment of ``spec`` under ``home`` (None: no folder to put it in)."""

    spec: EnvSpec
    home: Path | None

    @classmethod
    def of(cls, requires: tuple[str, ...], python: str | None) -> ToolEnv:
        return cls(EnvSpec.of(requires, python), envs_home())

    @classmethod
    def pinned(cls, requires: tuple[str, ...], python: str | None) -> ToolEnv | None:
        """The environment a hook with these keys runs in; None when it names neither."""
        return cls.of(requires, python) if requires or python is not None else None

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def folder(self) -> Path | None:
        """Where it is once built (a symlink to the folder it was built in)."""
        return None if self.home is None else self.home / self.key

    def built(self) -> bool:
        """Whether it is complete (only a finished build links its folder, with a marker) and
        still has its interpreter (a Python removed or upgraded away breaks it: built again)."""
        folder = self.folder
        if folder is None or marker_key(folder) != self.key:
            return False
        return os.path.exists(folder / "bin" / "python")

    def find(self, name: str) -> FoundProgram | None:
        """The program ``name`` in its ``bin`` folder, if it is built and has it."""
        if self.folder is None:
            return None
        candidate = os.path.join(self.folder, "bin", name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return FoundProgram(candidate, PINNED_ENV)
        return None


def locate(name: str, programs: ProgramSearch, env: ToolEnv | None) -> FoundProgram | None:
    """Where a hook's program is: a bare name in the hook's pinned environment when it has one
    (never the project's nor ``PATH``), else as ``programs`` finds it."""
    if env is not None and "/" not in name:
        return env.find(name)
    return programs.find(name)
