"""The plain log: whole lines in a stable order, even when phases run at the same time."""

from __future__ import annotations

import io

from crackjack.cli.console import Printer
from crackjack.cli.plain import PROGRESS_EVERY, PlainLog
from crackjack.core.run.events import (
    Event,
    HookCompleted,
    HookStarted,
    PhaseCompleted,
    PhaseStarted,
    TestProgress,
)
from crackjack.core.run.results import HookResult, HookStatus, TestCounts, Totals


class Log:
    def __init__(self) -> None:
        self.out = io.StringIO()
        self.log = PlainLog(Printer(self.out))

    def __call__(self, event: Event) -> None:
        self.log(event)

    @property
    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.out.getvalue().splitlines()]


def at(kind: type[Event], when: float, **fields: object) -> Event:
    return kind(run_id="r", timestamp=when, **fields)


def done(phase: str, hook: str, when: float) -> Event:
    result = HookResult(
        hook=hook, name=hook, phase=phase, status=HookStatus.PASSED, fails_run=False
    )
    return at(HookCompleted, when, result=result)


def phase_done(phase: str, hooks: tuple[str, ...], when: float) -> Event:
    return at(PhaseCompleted, when, phase=phase, hooks=hooks, duration=1.0, totals=Totals())


def progress(phase: str, hook: str, when: float, passed: int) -> Event:
    counts = TestCounts(collected=100, passed=passed)
    return at(TestProgress, when, phase=phase, hook=hook, counts=counts, current="")


def test_phases_running_together_are_printed_one_after_the_other() -> None:
    log = Log()
    log(at(PhaseStarted, 0.0, phase="comprehensive", hooks=("mypy",)))
    log(at(PhaseStarted, 0.0, phase="tests", hooks=("pytest",)))
    log(done("tests", "pytest", 1.0))
    log(phase_done("tests", ("pytest",), 1.0))
    assert [line.split()[:2] for line in log.lines] == [["==", "comprehensive"]]
    log(done("comprehensive", "mypy", 2.0))
    log(phase_done("comprehensive", ("mypy",), 2.0))
    assert [line.split()[:2] for line in log.lines] == [
        ["==", "comprehensive"],
        ["mypy", "." * 28],
        ["==", "comprehensive"],
        ["==", "tests"],
        ["pytest", "." * 26],
        ["==", "tests"],
    ]


def test_test_progress_is_a_line_every_few_seconds_at_most() -> None:
    log = Log()
    log(at(PhaseStarted, 0.0, phase="tests", hooks=("pytest",)))
    log(at(HookStarted, 100.0, phase="tests", hook="pytest", name="pytest", files=3))
    for tenth in range(1, 121):
        log(progress("tests", "pytest", 100.0 + tenth / 10, passed=tenth))
    printed = [line for line in log.lines if "tests:" in line]
    assert len(printed) == int(12 / PROGRESS_EVERY)
    assert printed[0] == f"   pytest: {int(PROGRESS_EVERY * 10)}/100 tests: 50 passed"


def test_progress_of_a_phase_waiting_to_be_printed_is_not_shown() -> None:
    log = Log()
    log(at(PhaseStarted, 0.0, phase="comprehensive", hooks=("mypy",)))
    log(at(PhaseStarted, 0.0, phase="tests", hooks=("pytest",)))
    log(at(HookStarted, 0.0, phase="tests", hook="pytest", name="pytest", files=3))
    log(progress("tests", "pytest", 60.0, passed=10))
    assert not [line for line in log.lines if "tests:" in line]
