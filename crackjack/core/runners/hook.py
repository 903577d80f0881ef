"""What a hook is (data), and the one protocol every kind of hook runner implements.

The planner, the engine, the configuration merge and the views call a hook's ``runner`` and
never ask which kind it is: a new kind of hook is one new module implementing ``HookRunner``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from crackjack.core.config.values import CacheMode
from crackjack.core.files.patterns import FileFilter
from crackjack.core.process.programs import ProgramSearch
from crackjack.core.valueclass import field, value

if TYPE_CHECKING:
    from crackjack.core.process.run import Cancellation
    from crackjack.core.run.headstart import HeadStart, Launch
    from crackjack.core.run.plan import HookPlan
    from crackjack.core.run.policy import Policy
    from crackjack.core.run.results import Finding, HookResult, TestCounts
    from crackjack.core.runners.gate import Gate
    from crackjack.core.testphase.options import TestOptions

Progress = Callable[["TestCounts", str], None]
"""How a runner reports a long hook's progress (the tests so far, the current test)."""


def _no_progress(counts: TestCounts, current: str) -> None:
    """Progress nobody follows."""


def _nothing() -> None:
    """A start nobody follows."""


class FindingsReader(Protocol):
    """Reads a tool's output into findings with paths relative to ``root``; None when the
    output is not what it expects."""

    def __call__(self, output: str, *, root: Path) -> tuple[Finding, ...] | None: ...


@value(kw_only=True)
class PlanContext:
    """What planning a hook may depend on beyond the hook and its files."""

    root: Path
    policy: Policy
    tests: TestOptions | None = None

    @property
    def programs(self) -> ProgramSearch:
        """Where hook programs are looked up: the test phase's interpreter is the project's."""
        return ProgramSearch(self.root, sys.executable if self.tests is None else self.tests.python)


@value(kw_only=True)
class RunContext:
    """What running a planned hook shares with the rest of the run."""

    root: Path
    cancellation: Cancellation
    log_dir: Path
    policy: Policy
    tests: TestOptions | None = None
    progress: Progress = _no_progress
    started: Callable[[], None] = _nothing
    """Called as each program of the hook has started (the result cache records the passes
    of hooks that ended meanwhile, while the run waits for it)."""
    gate: Gate | None = None
    """For a hook started early: the fixers its program's reads are held for (``gate.py``)."""
    head_start: HeadStart | None = None
    """Its program, started ahead from the last run's launch (``core.run.headstart``), which
    the engine found the same as this run's: the runner watches it instead of starting one."""


class HookRunner(Protocol):
    """One kind of hook: a program, an in-process check, pytest..."""

    def program(self, hook: Hook) -> str | None:
        """The program that must be found for ``hook`` to run, or None."""

    def describe(self, hook: Hook) -> str:
        """What runs, in a few words, for a hook whose ``program`` is None."""

    def configured(self, changes: Mapping[str, Any]) -> HookRunner:
        """This runner with a project's runner keys (``command``, ``shell``...) applied; a
        ConfigError (``key: what is wrong``) for a key this kind does not take."""

    def validate(self, hook: Hook) -> None:
        """Raise a ConfigError (``key: what is wrong``) if ``hook`` could never run."""

    def check_only(self, hook: Hook) -> tuple[Hook, bool]:
        """The variant of a fixer that writes nothing, and whether it must run on a scratch
        copy of its files to tell what it would change."""

    def plan(self, hook: Hook, files: tuple[str, ...], context: PlanContext) -> HookPlan:
        """How ``hook`` runs on ``files`` (its argv, batches and program)."""

    def run(self, plan: HookPlan, context: RunContext) -> HookResult:
        """Run ``plan`` to its result, on a worker thread."""

    def launch(self, plan: HookPlan, context: RunContext) -> Launch | None:
        """How ``plan``'s one program starts, for a later run to start it ahead
        (``core.run.headstart``); None if it runs no single program that way."""


@value(kw_only=True)
class Hook:
    """A fully resolved hook (built-in defaults merged with the project's settings): what the
    runner of its kind needs to know is in ``runner``; the rest holds for every kind."""

    id: str
    phase: str
    runner: HookRunner
    name: str = ""
    description: str = ""
    args: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    types: tuple[str, ...] = ("file",)
    types_or: tuple[str, ...] = ()
    exclude_types: tuple[str, ...] = ()
    fixer: bool = False
    serial: bool = False
    timeout: float | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    enabled: bool = True
    install: str = ""
    cache: CacheMode = "off"
    cache_inputs: tuple[str, ...] = ()
    cache_env: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    python: str | None = None
    always_run: bool = False
    """Run even when none of the run's files is the hook's (pre-commit's ``always_run``)."""

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
