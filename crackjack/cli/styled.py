"""Styled text without Rich: a line is pieces of text, each with a style name, rendered as
plain text or with ANSI SGR codes. Plain output and the summary need no more, and a short run
then never pays for importing Rich (about 45 ms); the views that draw with Rich (the live
view, the timeline, the plan) import it themselves."""

from __future__ import annotations

import unicodedata
from enum import Enum

from crackjack.core.valueclass import value

CODES = {
    "bold": "1",
    "dim": "2",
    "italic": "3",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "magenta": "35",
    "cyan": "36",
    "bright_green": "92",
}
"""The style words crackjack uses and their SGR codes, as Rich writes them."""

_ATTRIBUTES = frozenset(("bold", "dim", "italic"))


class Colour(Enum):
    """How much of a style reaches the stream."""

    NONE = "none"  # plain text: a pipe, a file, ``TERM=dumb``
    ATTRIBUTES = "attributes"  # ``NO_COLOR``: bold, dim and italic only
    FULL = "full"


@value
class Line:
    """Text in pieces of ``(text, style)``; a style is words of ``CODES`` (``"bold red"``)."""

    segments: tuple[tuple[str, str], ...] = ()

    def plus(self, text: str, style: str = "") -> Line:
        return Line((*self.segments, (text, style)))

    def __add__(self, other: Line) -> Line:
        return Line((*self.segments, *other.segments))

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.segments)

    @property
    def cells(self) -> int:
        return cells(self.plain)


def styled(text: str, style: str = "") -> Line:
    return Line(((text, style),))


def cells(text: str) -> int:
    """Columns the text takes on a terminal: wide East Asian characters take two, combining
    marks none."""
    if text.isascii():
        return len(text)
    return sum(_cell(char) for char in text)


def _cell(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, ending in ``…`` where it was cut."""
    if cells(text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        used += _cell(char)
        if used > width - 1:
            break
        kept.append(char)
    return "".join(kept) + "…" if width > 0 else ""


def expand_tabs(line: Line, size: int = 8) -> Line:
    """Tabs as spaces to the next stop, counted across pieces and restarting at each newline
    (what Rich did to every line)."""
    if "\t" not in line.plain:
        return line
    column, segments = 0, []
    for text, style in line.segments:
        out = []
        for char in text:
            if char == "\t":
                out.append(" " * (size - column % size))
                column += size - column % size
            else:
                out.append(char)
                column = 0 if char == "\n" else column + _cell(char)
        segments.append(("".join(out), style))
    return Line(tuple(segments))


def sgr(style: str, colour: Colour) -> str:
    """The escape sequence that starts ``style`` (empty when nothing of it is shown)."""
    if colour is Colour.NONE:
        return ""
    words = style.split()
    if colour is Colour.ATTRIBUTES:
        words = [word for word in words if word in _ATTRIBUTES]
    return f"\x1b[{';'.join(CODES[word] for word in words)}m" if words else ""


def render(line: Line, colour: Colour) -> str:
    """The line as the stream gets it; styles never span a newline (as Rich writes them)."""
    out = []
    for text, style in line.segments:
        start = sgr(style, colour) if text else ""
        if not start:
            out.append(text)
            continue
        out.append("\n".join(f"{start}{part}\x1b[0m" if part else "" for part in text.split("\n")))
    return "".join(out)
