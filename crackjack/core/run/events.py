"""The events a run publishes on the bus.

Every event carries the ``run_id`` and a wall-clock ``timestamp``; finished events carry a
``duration`` measured on the monotonic clock. Every ``*Started`` is followed by exactly one
matching ``*Completed`` or ``*Failed`` (or ``WorkflowInterrupted`` for the workflow).

Events with no fields of their own are plain subclasses with empty ``__slots__``: they inherit
their base's fields and methods and cost nothing more to declare. Like most of crackjack's
values, events are compared by identity (``eq=False``).
"""

from __future__ import annotations

from crackjack.core.run.results import HookResult, TestCounts, Totals
from crackjack.core.valueclass import value


@value(kw_only=True)
class Event:
    """What every event carries: the run it belongs to and when it happened (wall clock)."""

    run_id: str
    timestamp: float


@value(kw_only=True)
class WorkflowStarted(Event):
    """The workflow begins, with the phases it will run."""

    workflow: str
    phases: tuple[str, ...]


@value(kw_only=True)
class WorkflowFinished(Event):
    """The workflow ended: completed, failed or interrupted, with its totals."""

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
    """The workflow was stopped by ``signal`` (SIGINT, SIGTERM or SIGHUP)."""

    signal: int


@value(kw_only=True)
class PhaseStarted(Event):
    """A phase begins, with its hooks."""

    phase: str
    hooks: tuple[str, ...]


@value(kw_only=True)
class PhaseFinished(Event):
    """A phase ended, completed or failed, with its totals."""

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
    """A hook begins, on ``files`` files (``started_early``: beside an earlier phase)."""

    phase: str
    hook: str
    name: str
    files: int
    started_early: bool = False


@value(kw_only=True)
class HookFinished(Event):
    """A hook ended, completed or failed: its result."""

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


@value(kw_only=True)
class EnvInstallStarted(Event):
    """A pinned environment the run needs is not built yet: it is being installed, for
    ``hooks``, which wait for it. ``env``: its key; ``path``: where it will be."""

    env: str
    requires: tuple[str, ...]
    python: str
    hooks: tuple[str, ...]
    path: str
    installer: str


@value(kw_only=True)
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
