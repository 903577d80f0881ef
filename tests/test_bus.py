from __future__ import annotations

import threading

import pytest

from crackjack.core.run.bus import EventBus
from crackjack.core.run.events import Event, PhaseStarted


def phase_event(name: str, index: int) -> Event:
    return PhaseStarted(run_id="r", timestamp=float(index), phase=name, hooks=())


def test_subscribers_are_called_in_publication_order_on_the_buses_thread() -> None:
    received: list[tuple[str, float]] = []
    threads: set[int] = set()

    def subscriber(event: Event) -> None:
        assert isinstance(event, PhaseStarted)
        threads.add(threading.get_ident())
        received.append((event.phase, event.timestamp))

    bus = EventBus([subscriber])
    for i in range(5):
        bus.publish(phase_event("p", i))
    assert threads == {threading.get_ident()}
    assert received == [("p", float(i)) for i in range(5)]


def test_publishing_from_another_thread_is_refused() -> None:
    bus = EventBus([])
    raised: list[BaseException] = []

    def publish() -> None:
        try:
            bus.publish(phase_event("p", 0))
        except RuntimeError as exc:
            raised.append(exc)

    worker = threading.Thread(target=publish)
    worker.start()
    worker.join()
    assert len(raised) == 1
    with pytest.raises(RuntimeError):
        raise raised[0]


def test_a_failing_subscriber_is_isolated_and_reported_once() -> None:
    seen: list[Event] = []

    def broken(event: Event) -> None:
        raise ValueError("no")

    bus = EventBus([broken, seen.append])
    for i in range(3):
        bus.publish(phase_event("p", i))
    assert len(seen) == 3
    assert len(bus.errors) == 1
    assert "ValueError('no')" in bus.errors[0]
    assert "PhaseStarted" in bus.errors[0]
