"""``--events PATH``: the bus's events as JSON Lines, written as they happen."""

from __future__ import annotations

import json
import sys
from types import TracebackType
from typing import TextIO

from crackjack.core.errors import ConfigError
from crackjack.core.events import Event
from crackjack.core.records import event_record


class EventStream:
    """A bus subscriber writing one JSON object per event, flushed at once (``-``: stdout)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._file: TextIO | None = None

    def __enter__(self) -> EventStream:
        if self._path == "-":
            self._file = sys.stdout
            return self
        try:
            self._file = open(self._path, "w", encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"--events {self._path}: cannot write: {exc.strerror}") from None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._file is not None and self._file is not sys.stdout:
            self._file.close()

    def __call__(self, event: Event) -> None:
        assert self._file is not None
        self._file.write(json.dumps(event_record(event), ensure_ascii=False) + "\n")
        self._file.flush()
