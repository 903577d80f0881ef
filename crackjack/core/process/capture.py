"""Bounded capture of a subprocess's output: keep the first and the newest bytes, spill the
whole stream to a log file once it is more than that."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import BinaryIO

from crackjack.core.valueclass import value

_MAX_CONTINUATION_BYTES = 3

KEPT_HEAD = 64 * 1024
"""Characters (bytes, in a capture) kept from the start of a hook's output (with the tail:
the 256 KB a hook's output costs in memory at most)."""
KEPT_TAIL = 192 * 1024
"""Characters (bytes, in a capture) kept from the end of a hook's output."""


@value(eq=True)
class Kept:
    """Output as kept in memory: ``head``, then ``omitted`` lines that only the log file holds,
    then ``tail``. ``omitted`` is None when nothing was dropped (``head + tail`` is all of it);
    where something was, ``head`` ends and ``tail`` starts at a line boundary (when the output
    has one there), so no line is shown cut."""

    head: str = ""
    tail: str = ""
    omitted: int | None = None

    @property
    def text(self) -> str:
        return self.head + self.tail

    def then(self, later: Kept) -> Kept:
        """This output followed by ``later`` (the next batch of a hook), bounded by ``KEPT_HEAD``
        and ``KEPT_TAIL`` like a capture."""
        if self.omitted is None and later.omitted is None:
            text = self.text + later.text
            if len(text) <= KEPT_HEAD + KEPT_TAIL:
                return Kept(text)
            middle = text[KEPT_HEAD:-KEPT_TAIL]
            return _dropped(text[:KEPT_HEAD], middle, text[-KEPT_TAIL:])
        if self.omitted is None:
            head, omitted = _whole_head(self.text + later.head, later.omitted or 0)
            return Kept(head, later.tail, omitted)
        if later.omitted is None:
            tail, omitted = _whole_tail(self.tail + later.text, self.omitted)
            return Kept(self.head, tail, omitted)
        between = self.tail.count("\n") + later.head.count("\n")
        return Kept(self.head, later.tail, self.omitted + between + later.omitted)


def _whole_head(head: str, omitted: int) -> tuple[str, int]:
    """``head`` bounded and cut after its last line break; the lines cut off join ``omitted``."""
    extra = head[KEPT_HEAD:].count("\n")
    head = head[:KEPT_HEAD]
    return head[: head.rfind("\n") + 1], omitted + extra


def _whole_tail(tail: str, omitted: int) -> tuple[str, int]:
    """``tail`` bounded and cut before its first whole line; the lines cut off join
    ``omitted``."""
    if len(tail) <= KEPT_TAIL:
        return tail, omitted
    before = tail[:-KEPT_TAIL]
    omitted += before.count("\n")
    return _from_line(tail[-KEPT_TAIL:], before.endswith("\n"), omitted)


def _from_line(tail: str, starts_line: bool, omitted: int) -> tuple[str, int]:
    """``tail`` from its first whole line (``starts_line``: it starts one); the line cut off
    joins ``omitted``."""
    start = 0 if starts_line else tail.find("\n") + 1
    if 0 < start < len(tail):
        return tail[start:], omitted + 1
    return tail, omitted


def _dropped(head: str, middle: str, tail: str) -> Kept:
    """``head`` and ``tail`` around a dropped ``middle``, each cut to whole lines."""
    whole_head, omitted = _whole_head(head, middle.count("\n"))
    whole_tail, omitted = _from_line(tail, middle.endswith("\n"), omitted)
    return Kept(whole_head, whole_tail, omitted)


class OutputCapture:
    """Keeps the first ``head_bytes`` of the output and at most ``tail_bytes`` of the newest
    output after them in memory (DESIGN.md 6.2: memory stays bounded).

    When output grows past that, the full stream is spilled to ``spill_path``: the file is opened
    on the first overflow, and since nothing has been dropped before that moment, it holds
    everything from the first byte. If the spill file cannot be written (missing directory, full
    disk, any ``OSError``), spilling stops silently and head and tail are still kept.
    ``tail_bytes=None`` keeps everything in memory and never spills (used for git's output, which
    is parsed).
    """

    def __init__(
        self, tail_bytes: int | None, spill_path: Path | None = None, *, head_bytes: int = 0
    ) -> None:
        if tail_bytes is not None and tail_bytes < 0:
            raise ValueError(f"tail_bytes must be >= 0, not {tail_bytes}")
        self._limit = tail_bytes
        self._head_limit = 0 if tail_bytes is None else head_bytes
        self._spill_path = spill_path
        self._spill: BinaryIO | None = None
        self._spill_started = False
        self._spilled_to: Path | None = None
        self._closed = False
        self._head = bytearray()
        self._buffer = bytearray()
        self._total = 0
        self._line_breaks = 0
        self._cut_after_line_break = False

    @property
    def total_bytes(self) -> int:
        return self._total

    @property
    def head(self) -> bytes:
        """The first ``head_bytes`` bytes (everything, when there were no more)."""
        return bytes(self._head)

    @property
    def tail(self) -> bytes:
        """The newest ``tail_bytes`` bytes after the head (everything after it when nothing was
        dropped)."""
        return bytes(self._buffer)

    @property
    def dropped(self) -> bool:
        return self._total > len(self._head) + len(self._buffer)

    def kept(self) -> Kept:
        """What is kept, decoded; where bytes were dropped, cut to whole lines around them."""
        if not self.dropped:
            return Kept(decode(bytes(self._head + self._buffer)))
        kept = self._head.count(b"\n") + self._buffer.count(b"\n")
        head, omitted = _whole_head(self._head.decode("utf-8", errors="replace"), 0)
        omitted += self._line_breaks - kept
        tail, omitted = _from_line(decode(self.tail), self._cut_after_line_break, omitted)
        return Kept(head, tail, omitted)

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
        self._line_breaks += data.count(b"\n")
        if self._spill is not None:
            self._spill_write(self._spill, data)
        room = self._head_limit - len(self._head)
        if room > 0:
            self._head += data[:room]
            data = data[room:]
        self._buffer += data
        if self._limit is not None and len(self._buffer) > self._limit:
            if not self._spill_started:
                self._start_spill()
            cut = len(self._buffer) - self._limit
            self._cut_after_line_break = self._buffer[cut - 1] == ord("\n")
            del self._buffer[:cut]

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
        self._spill_write(self._spill, bytes(self._head + self._buffer))

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
