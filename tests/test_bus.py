from __future__ import annotations

import threading

import anyio
import anyio.to_thread

from crackjack.core.run.bus import open_bus
from crackjack.core.run.events import Event, PhaseStarted


def phase_event(name: str, index: int) -> Event:
    return PhaseStarted(run_id="r", timestamp=float(index), phase=name, hooks=())


def test_events_from_worker_threads_arrive_on_the_loop_thread_in_order() -> None:
    received: list[tuple[str, float]] = []
    threads: set[int] = set()

    def subscriber(event: Event) -> None:
        assert isinstance(event, PhaseStarted)
        threads.add(threading.get_ident())
        received.append((event.phase, event.timestamp))

    async def main() -> int:
        async with open_bus([subscriber]) as bus, anyio.create_task_group() as group:

            def publish_all(name: str) -> None:
                for i in range(200):
                    bus.publish(phase_event(name, i))

            for worker in ("a", "b", "c", "d"):
                group.start_soon(anyio.to_thread.run_sync, publish_all, worker)
            bus.publish(phase_event("loop", 0))
        return threading.get_ident()

    loop_thread = anyio.run(main)
    assert threads == {loop_thread}
    assert len(received) == 801
    for worker in ("a", "b", "c", "d"):
        assert [t for name, t in received if name == worker] == [float(i) for i in range(200)]


def test_a_failing_subscriber_is_isolated_and_reported_once() -> None:
    seen: list[Event] = []

    def broken(event: Event) -> None:
        raise ValueError("no")

    async def main() -> list[str]:
        async with open_bus([broken, seen.append]) as bus:
            for i in range(3):
                bus.publish(phase_event("p", i))
        return bus.errors

    errors = anyio.run(main)
    assert len(seen) == 3
    assert len(errors) == 1
    assert "ValueError('no')" in errors[0]
    assert "PhaseStarted" in errors[0]
