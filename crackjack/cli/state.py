"""The picture of a run that the events build, for the views to draw from."""

from __future__ import annotations

import time
from collections.abc import Callable

from crackjack.core.run.events import (
    EnvInstallFailed,
    EnvInstallFinished,
    EnvInstallStarted,
    Event,
    HookFinished,
    HookStarted,
    PhaseFailed,
    PhaseFinished,
    PhaseStarted,
    TestProgress,
    WorkflowStarted,
)
from crackjack.core.run.results import HookResult, TestCounts
from crackjack.core.valueclass import field, record


@record
class HookRow:
    """What the views know of one hook so far."""

    id: str
    phase: str
    name: str = ""
    files: int = 0
    started: float | None = None
    result: HookResult | None = None
    tests: TestCounts | None = None

    @property
    def title(self) -> str:
        return self.name or self.id


@record
class PhaseRow:
    """What the views know of one phase so far."""

    name: str
    hooks: list[str]
    started: float | None = None
    duration: float | None = None
    failed: bool = False


def holds(event: EnvInstallStarted) -> str:
    """What an environment holds: its requirements, or its Python when it has none."""
    return " ".join(event.requires) or f"python {event.python}"


@record
class InstallRow:
    """A pinned environment being installed: ``shown`` names its requirements."""

    shown: str
    hooks: tuple[str, ...]
    started: float
    duration: float | None = None
    failed: bool = False
    message: str = ""


@record
class RunState:
    """A subscriber that keeps the state of every phase and hook; cheap to update."""

    clock: Callable[[], float] = time.monotonic
    phases: dict[str, PhaseRow] = field(default_factory=dict)
    hooks: dict[tuple[str, str], HookRow] = field(default_factory=dict)
    installs: dict[str, InstallRow] = field(default_factory=dict)

    def __call__(self, event: Event) -> None:
        if isinstance(event, EnvInstallFinished):
            install = self.installs[event.env]
            install.duration = event.duration
            install.failed = isinstance(event, EnvInstallFailed)
            install.message = event.message
        elif isinstance(event, EnvInstallStarted):
            self.installs[event.env] = InstallRow(holds(event), event.hooks, self.clock())
        elif isinstance(event, WorkflowStarted):
            self.phases = {name: PhaseRow(name, []) for name in event.phases}
        elif isinstance(event, PhaseStarted):
            self.phases[event.phase] = PhaseRow(event.phase, list(event.hooks), self.clock())
            for hook_id in event.hooks:
                self.hooks[(event.phase, hook_id)] = HookRow(hook_id, event.phase)
        elif isinstance(event, PhaseFinished):
            row = self.phases[event.phase]
            row.duration = event.duration
            row.failed = isinstance(event, PhaseFailed)
        elif isinstance(event, HookStarted):
            hook = self.hooks[(event.phase, event.hook)]
            hook.started = self.clock()
            hook.name = event.name
            hook.files = event.files
        elif isinstance(event, HookFinished):
            self.hooks[(event.phase, event.hook)].result = event.result
        elif isinstance(event, TestProgress):
            self.hooks[(event.phase, event.hook)].tests = event.counts

    def phase_hooks(self, phase: str) -> list[HookRow]:
        return [self.hooks[(phase, hook_id)] for hook_id in self.phases[phase].hooks]
