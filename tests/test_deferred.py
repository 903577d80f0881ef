from __future__ import annotations

import subprocess

import anyio
import pytest

from crackjack.cli.deferred import Deferred
from crackjack.core.run.bus import Subscriber, open_bus
from crackjack.core.run.events import Event, HookStarted, PhaseStarted, WorkflowStarted
from tests.project import PYTHON


def started(kind: type[Event], **fields: object) -> Event:
    return kind(run_id="r", timestamp=1.0, **fields)


WORKFLOW = started(WorkflowStarted, workflow="w", phases=("p",))
PHASE = started(PhaseStarted, phase="p", hooks=("h",))
HOOK = started(HookStarted, phase="p", hook="h", name="h", files=0)


def test_made_on_the_first_ready_event_with_the_earlier_events_first() -> None:
    received: list[Event] = []
    made: list[int] = []

    def make() -> Subscriber:
        made.append(1)
        return received.append

    deferred = Deferred(make, (HookStarted,), name="view")
    deferred(WORKFLOW)
    deferred(PHASE)
    assert made == []
    assert received == []
    deferred(HOOK)
    deferred(PHASE)
    assert made == [1]
    assert received == [WORKFLOW, PHASE, HOOK, PHASE]


def test_never_made_without_a_ready_event() -> None:
    def make() -> Subscriber:
        raise AssertionError("made too early")

    deferred = Deferred(make, (HookStarted,), name="view")
    deferred(WORKFLOW)
    deferred(PHASE)


def test_released_at_the_end_of_a_run_without_a_ready_event() -> None:
    received: list[Event] = []
    deferred = Deferred(lambda: received.append, (HookStarted,), name="view")
    deferred(WORKFLOW)
    deferred(PHASE)
    deferred.release()  # as after an internal error: what was kept is said
    assert received == [WORKFLOW, PHASE]
    deferred.release()
    assert received == [WORKFLOW, PHASE]


def test_a_subscriber_that_could_not_be_made_is_not_made_again() -> None:
    attempts: list[int] = []

    def make() -> Subscriber:
        attempts.append(1)
        raise ValueError("no")

    deferred = Deferred(make, (PhaseStarted,), name="view")
    deferred(WORKFLOW)
    with pytest.raises(ValueError, match="no"):
        deferred(PHASE)  # the bus catches this and drops the subscriber
    deferred.release()
    assert attempts == [1]


def test_the_bus_names_a_failing_deferred_subscriber() -> None:
    def broken(event: Event) -> None:
        raise ValueError("no")

    async def main() -> list[str]:
        async with open_bus([Deferred(lambda: broken, (PhaseStarted,), name="PlainLog")]) as bus:
            bus.publish(WORKFLOW)
            bus.publish(PHASE)
        return bus.errors

    errors = anyio.run(main)
    assert errors == ["PlainLog failed on PhaseStarted: ValueError('no')"]


def test_the_run_command_starts_without_rich() -> None:
    # The plain output loads Rich once a hook reports, so a hook's process starts before it.
    code = "import sys, crackjack.cli.runner; print(sorted(m for m in sys.modules if 'rich' in m))"
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"
