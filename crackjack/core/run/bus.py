"""In-process publish/subscribe for run events.

Events are published on the one thread that runs the engine (worker threads hand what they
have to the engine's loop, which publishes it): every subscriber is called on that thread, one
event at a time, in publication order. A subscriber that raises is isolated: it is not called
again, the run goes on, and the error is kept for the end of the run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from crackjack.core.run.events import Event

Subscriber = Callable[[Event], None]


class EventBus:
    def __init__(self, subscribers: Iterable[Subscriber]) -> None:
        self._subscribers = list(subscribers)
        self._thread = threading.get_ident()
        self.errors: list[str] = []

    def publish(self, event: Event) -> None:
        """Deliver ``event`` to every subscriber, on the thread that made the bus."""
        if threading.get_ident() != self._thread:
            raise RuntimeError("events are published on the thread that made the bus")
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception as exc:
                self._subscribers.remove(subscriber)
                name = getattr(subscriber, "__qualname__", type(subscriber).__name__)
                self.errors.append(f"{name} failed on {type(event).__name__}: {exc!r}")
