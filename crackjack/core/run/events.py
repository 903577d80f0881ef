"""The events a run publishes on the bus.

Every event carries the ``run_id`` and a wall-clock ``timestamp``; finished events carry a
``duration`` measured on the monotonic clock. Every ``*Started`` is followed by exactly one
matching ``*Completed`` or ``*Failed`` (or ``WorkflowInterrupted`` for the workflow).

Events with no fields of their own are plain subclasses with empty ``__slots__``: they inherit
every dataclass method (frozen, compared and shown by their own class) and, unlike a decorated
class, cost nothing to create when crackjack starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from crackjack.core.run.results import HookResult, TestCounts, Totals


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    run_id: str
    timestamp: float


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowStarted(Event):
    workflow: str
    phases: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowFinished(Event):
    workflow: str
    phases: tuple[str, ...]
    duration: float
    totals: Totals


class WorkflowCompleted(WorkflowFinished):
    __slots__ = ()


class WorkflowFailed(WorkflowFinished):
    __slots__ = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowInterrupted(WorkflowFinished):
    signal: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseStarted(Event):
    phase: str
    hooks: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseFinished(Event):
    phase: str
    hooks: tuple[str, ...]
    duration: float
    totals: Totals


class PhaseCompleted(PhaseFinished):
    __slots__ = ()


class PhaseFailed(PhaseFinished):
    __slots__ = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class HookStarted(Event):
    phase: str
    hook: str
    name: str
    files: int
    started_early: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class HookFinished(Event):
    result: HookResult

    @property
    def hook(self) -> str:
        return self.result.hook

    @property
    def phase(self) -> str:
        return self.result.phase

    @property
    def duration(self) -> float:
        return self.result.duration


class HookCompleted(HookFinished):
    __slots__ = ()


class HookFailed(HookFinished):
    __slots__ = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TestProgress(Event):
    """Published while a test hook runs, as outcomes arrive (at most a few times a second)."""

    __test__ = False  # for pytest: not a test class

    phase: str
    hook: str
    counts: TestCounts
    current: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvInstallStarted(Event):
    """A pinned environment the run needs is not built yet: it is being installed, for
    ``hooks``, which wait for it. ``env``: its key; ``path``: where it will be."""

    env: str
    requires: tuple[str, ...]
    python: str
    hooks: tuple[str, ...]
    path: str
    installer: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvInstallFinished(EnvInstallStarted):
    """``built``: this run built it (False: another run had built it meanwhile); ``message``:
    why it failed (empty when it did not)."""

    duration: float
    built: bool
    message: str = ""


class EnvInstallCompleted(EnvInstallFinished):
    __slots__ = ()


class EnvInstallFailed(EnvInstallFinished):
    __slots__ = ()
