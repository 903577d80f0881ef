"""A subscriber made once the run has something to say."""

from __future__ import annotations

from collections.abc import Callable

from crackjack.core.run.bus import Subscriber
from crackjack.core.run.events import Event


class Deferred:
    """Stands in for the subscriber ``make`` returns, made on the first event of a ``ready``
    type; the events before it are kept and given to it first, in order.

    The plain output starts this way: its modules and Rich load once a hook reports (a test's
    progress, a hook's end), while that hook's process runs, instead of before it starts.
    """

    def __init__(
        self, make: Callable[[], Subscriber], ready: tuple[type[Event], ...], *, name: str
    ) -> None:
        self.__qualname__ = name  # how the bus names a subscriber that failed
        self._make = make
        self._ready = ready
        self._kept: list[Event] = []
        self._subscriber: Subscriber | None = None

    def __call__(self, event: Event) -> None:
        if self._subscriber is None:
            self._kept.append(event)
            if isinstance(event, self._ready):
                self.release()
        else:
            self._subscriber(event)

    def release(self) -> None:
        """Make the subscriber now, if it is not made yet, and give it the events kept: for a
        run that ended without a ``ready`` event (an internal error)."""
        events, self._kept = self._kept, []
        if self._subscriber is None:
            if not events:
                return  # nothing to say, or ``make`` already failed (the bus named it)
            self._subscriber = self._make()
        for each in events:
            self._subscriber(each)
