"""A hook is data: what to run, on which files, in which phase, and how."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from crackjack.core.files.patterns import FileFilter
from crackjack.core.run.results import Problem

BUILTIN_PHASES = ("fast", "comprehensive", "tests")

Runner = Literal["command", "pytest"]


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What an in-process check found: ``output`` lines are ``path:line: message``."""

    failed: bool
    output: str = ""
    modified: tuple[str, ...] = ()


class InProcessCheck(Protocol):
    """A simple check run on a worker thread instead of a subprocess.

    ``files`` are relative to ``root``. With ``fix`` the check may rewrite files and must name
    them in ``modified``; without it, it must not write anything.
    """

    def __call__(
        self, files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool
    ) -> CheckOutcome: ...


class ProblemReader(Protocol):
    """Reads a tool's machine-readable output (asked for with the hook's ``problem_args``) into
    problems with paths relative to ``root``; None when the output is not what it expects."""

    def __call__(self, output: str, *, root: Path) -> tuple[Problem, ...] | None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Hook:
    """A fully resolved hook (built-in defaults merged with the project's settings).

    Exactly one of ``command`` and ``check`` says what runs: an argv (run as a subprocess) or
    an in-process check. ``check_command`` is the check-only variant of a fixer's argv. A hook
    whose ``runner`` is ``pytest`` runs the project's test suite: crackjack builds its argv
    (the project's interpreter, ``-m pytest``, its plugin, ``args``) and follows its tests.
    With ``problems``, a run that wants findings with their places (CI) adds ``problem_args``
    to the command and reads the output with it.
    """

    id: str
    phase: str
    name: str = ""
    command: tuple[str, ...] = ()
    check_command: tuple[str, ...] | None = None
    check: InProcessCheck | None = None
    runner: Runner = "command"
    args: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    types: tuple[str, ...] = ("file",)
    types_or: tuple[str, ...] = ()
    exclude_types: tuple[str, ...] = ()
    pass_filenames: bool = True
    dashdash: bool = False
    fixer: bool = False
    serial: bool = False
    shell: bool = False
    timeout: float | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    enabled: bool = True
    install: str = ""
    description: str = ""
    problems: ProblemReader | None = None
    problem_args: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.name or self.id

    @property
    def file_filter(self) -> FileFilter:
        return FileFilter(
            include=self.files,
            exclude=self.exclude,
            types=self.types,
            types_or=self.types_or,
            exclude_types=self.exclude_types,
        )

    @property
    def program(self) -> str | None:
        """The executable this hook needs, or None for in-process and shell hooks."""
        if self.check is not None or self.shell or not self.command or self.runner != "command":
            return None
        return self.command[0]
