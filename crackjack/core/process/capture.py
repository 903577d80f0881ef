"""Bounded capture of a subprocess's output: keep the newest bytes, spill the whole stream."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import BinaryIO

_MAX_CONTINUATION_BYTES = 3


class OutputCapture:
    """Keeps at most ``tail_bytes`` of the newest output in memory.

    When output grows past that, the full stream is spilled to ``spill_path``: the file is opened
    on the first overflow, and since nothing has been dropped before that moment, it holds
    everything from the first byte. If the spill file cannot be written (missing directory, full
    disk, any ``OSError``), spilling stops silently and the tail is still kept. ``tail_bytes=None``
    keeps everything in memory and never spills (used for git's output, which is parsed).
    """

    def __init__(self, tail_bytes: int | None, spill_path: Path | None = None) -> None:
        if tail_bytes is not None and tail_bytes < 0:
            raise ValueError(f"tail_bytes must be >= 0, not {tail_bytes}")
        self._limit = tail_bytes
        self._spill_path = spill_path
        self._spill: BinaryIO | None = None
        self._spill_started = False
        self._spilled_to: Path | None = None
        self._closed = False
        self._buffer = bytearray()
        self._total = 0

    @property
    def total_bytes(self) -> int:
        return self._total

    @property
    def tail(self) -> bytes:
        """The newest ``tail_bytes`` bytes (everything when nothing was dropped)."""
        return bytes(self._buffer)

    @property
    def spilled_to(self) -> Path | None:
        """The file holding the whole stream; None if nothing was spilled or spilling failed."""
        return self._spilled_to

    def write(self, data: bytes) -> None:
        if self._closed:
            raise ValueError("write to a closed OutputCapture")
        if not data:
            return
        self._total += len(data)
        if self._spill is not None:
            self._spill_write(self._spill, data)
        self._buffer += data
        if self._limit is not None and len(self._buffer) > self._limit:
            if not self._spill_started:
                self._start_spill()
            del self._buffer[: len(self._buffer) - self._limit]

    def close(self) -> None:
        """Flush and close the spill file. Idempotent; the tail stays readable."""
        self._closed = True
        spill, self._spill = self._spill, None
        if spill is None:
            return
        try:
            spill.close()
        except OSError:
            self._spilled_to = None

    def _start_spill(self) -> None:
        self._spill_started = True
        if self._spill_path is None:
            return
        try:
            self._spill = self._spill_path.open("wb")
        except OSError:
            return
        self._spilled_to = self._spill_path
        self._spill_write(self._spill, bytes(self._buffer))

    def _spill_write(self, spill: BinaryIO, data: bytes) -> None:
        try:
            spill.write(data)
        except OSError:
            self._spilled_to = None
            self._spill = None
            with contextlib.suppress(OSError):
                spill.close()


def decode(data: bytes) -> str:
    """Decode output as UTF-8, replacing what is not UTF-8.

    A kept tail may start in the middle of a multi-byte character: its 1 to 3 leading continuation
    bytes are dropped rather than shown as replacement characters. A longer run of continuation
    bytes cannot come from a cut and is decoded (as replacement characters) like any invalid input.
    """
    leading = 0
    for byte in data[: _MAX_CONTINUATION_BYTES + 1]:
        if byte & 0b1100_0000 != 0b1000_0000:
            break
        leading += 1
    if leading <= _MAX_CONTINUATION_BYTES:
        data = data[leading:]
    return data.decode("utf-8", errors="replace")
