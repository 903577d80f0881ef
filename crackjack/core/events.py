"""The events a run publishes on the bus.

Every event carries the ``run_id`` and a wall-clock ``timestamp``; finished events carry a
``duration`` measured on the monotonic clock. Every ``*Started`` is followed by exactly one
matching ``*Completed`` or ``*Failed`` (or ``WorkflowInterrupted`` for the workflow).
"""

from __future__ import annotations

from dataclasses import dataclass

from crackjack.core.results import HookResult, TestCounts, Totals


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


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowCompleted(WorkflowFinished):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowFailed(WorkflowFinished):
    pass


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


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseCompleted(PhaseFinished):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseFailed(PhaseFinished):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class HookStarted(Event):
    phase: str
    hook: str
    name: str
    files: int


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


@dataclass(frozen=True, slots=True, kw_only=True)
class HookCompleted(HookFinished):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class HookFailed(HookFinished):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class TestProgress(Event):
    """Published while a test hook runs, as outcomes arrive (at most a few times a second)."""

    __test__ = False  # for pytest: not a test class

    phase: str
    hook: str
    counts: TestCounts
    current: str
