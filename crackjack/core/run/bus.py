"""In-process publish/subscribe for run events.

Events may be published from the event-loop thread or from worker threads started by
``anyio.to_thread``; every subscriber is called on the event-loop thread, one event at a time,
in publication order. A subscriber that raises is isolated: it is not called again, the run goes
on, and the error is kept for the end of the run.
"""

from __future__ import annotations

import math
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager

import anyio
import anyio.from_thread
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from crackjack.core.run.events import Event

Subscriber = Callable[[Event], None]


class EventBus:
    def __init__(
        self,
        send: MemoryObjectSendStream[Event],
        receive: MemoryObjectReceiveStream[Event],
        subscribers: Iterable[Subscriber],
    ) -> None:
        self._send = send
        self._receive = receive
        self._subscribers = list(subscribers)
        self._loop_thread = threading.get_ident()
        self.errors: list[str] = []

    def publish(self, event: Event) -> None:
        """Queue ``event`` for delivery; never blocks on subscribers."""
        if threading.get_ident() == self._loop_thread:
            self._send.send_nowait(event)
        else:
            anyio.from_thread.run_sync(self._send.send_nowait, event)

    async def _deliver(self) -> None:
        async with self._receive:
            async for event in self._receive:
                self._dispatch(event)

    def _dispatch(self, event: Event) -> None:
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception as exc:
                self._subscribers.remove(subscriber)
                name = getattr(subscriber, "__qualname__", type(subscriber).__name__)
                self.errors.append(f"{name} failed on {type(event).__name__}: {exc!r}")


@asynccontextmanager
async def open_bus(subscribers: Iterable[Subscriber]) -> AsyncIterator[EventBus]:
    """A running bus; on exit every published event has been delivered."""
    send, receive = anyio.create_memory_object_stream[Event](math.inf)
    bus = EventBus(send, receive, subscribers)
    async with anyio.create_task_group() as tg:
        tg.start_soon(bus._deliver)
        try:
            yield bus
        finally:
            send.close()
