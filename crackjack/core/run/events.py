"""The events a run publishes on the bus.

Every event carries the ``run_id`` and a wall-clock ``timestamp``; finished events carry a
``duration`` measured on the monotonic clock. Every ``*Started`` is followed by exactly one
matching ``*Completed`` or ``*Failed`` (or ``WorkflowInterrupted`` for the workflow).

Events with no fields of their own are plain subclasses with empty ``__slots__``: they inherit
every dataclass method (frozen, with their fields in order) and, unlike a decorated class, cost
nothing to create when crackjack starts. Like most of crackjack's values, events are compared by
identity (``eq=False``) and have no generated ``repr``: Python compiles each generated method
when crackjack starts (bench/README.md, "Latest figures").
"""

from __future__ import annotations

from crackjack.core.run.results import HookResult, TestCounts, Totals
from crackjack.core.valueclass import value


@value(kw_only=True)
class Event:
    run_id: str
    timestamp: float


@value(kw_only=True)
class WorkflowStarted(Event):
    workflow: str
    phases: tuple[str, ...]


@value(kw_only=True)
class WorkflowFinished(Event):
    workflow: str
    phases: tuple[str, ...]
    duration: float
    totals: Totals


class WorkflowCompleted(WorkflowFinished):
    __slots__ = ()


class WorkflowFailed(WorkflowFinished):
    __slots__ = ()


@value(kw_only=True)
class WorkflowInterrupted(WorkflowFinished):
    signal: int


@value(kw_only=True)
class PhaseStarted(Event):
    phase: str
    hooks: tuple[str, ...]


@value(kw_only=True)
class PhaseFinished(Event):
    phase: str
    hooks: tuple[str, ...]
    duration: float
    totals: Totals


class PhaseCompleted(PhaseFinished):
    __slots__ = ()


class PhaseFailed(PhaseFinished):
    __slots__ = ()


@value(kw_only=True)
class HookStarted(Event):
    phase: str
    hook: str
    name: str
    files: int
    started_early: bool = False


@value(kw_only=True)
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


@value(kw_only=True)
class TestProgress(Event):
    """Published while a test hook runs, as outcomes arrive (at most a few times a second)."""

    __test__ = False  # for pytest: not a test class

    phase: str
    hook: str
    counts: TestCounts
    current: str
