"""``--events PATH``: the bus's events as JSON Lines, written as they happen."""

from __future__ import annotations

import json
from typing import IO

from crackjack.core.run.events import Event
from crackjack.core.run.schema import event_record


class EventStream:
    """A bus subscriber writing one JSON object per event to ``stream``, flushed at once."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def __call__(self, event: Event) -> None:
        self._stream.write(json.dumps(event_record(event), ensure_ascii=False) + "\n")
        self._stream.flush()
