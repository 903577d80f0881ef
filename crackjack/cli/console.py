"""The streams crackjack prints to: whether they take colour, how wide they are, and a printer
of styled lines that needs no Rich. Rich's console is made here too, for the views that draw
with Rich (``make_console``), from the same decisions.

The rules are Rich's, so crackjack looks as it did when Rich printed everything: a stream is a
terminal when ``TTY_COMPATIBLE`` says so, else when ``FORCE_COLOR`` is set (non-empty: yes,
empty: no), else when it is a tty; a terminal with ``TERM=dumb`` (or ``unknown``) gets no
styles; ``NO_COLOR`` (non-empty) keeps bold and dim but no colours. The width is ``COLUMNS``,
else 80 on a dumb terminal, else the size of the first of stdin, stdout and stderr that is a
terminal, else 80; the height likewise (``LINES``, 25).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, TextIO

from crackjack.cli.styled import Colour, Line, expand_tabs, render, styled

if TYPE_CHECKING:
    from rich.console import Console


def is_terminal(stream: TextIO, env: Mapping[str, str]) -> bool:
    compatible = env.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = env.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    try:
        return stream.isatty()
    except ValueError:  # closed
        return False


def is_dumb(env: Mapping[str, str]) -> bool:
    return env.get("TERM", "").lower() in ("dumb", "unknown")


def colour(stream: TextIO, env: Mapping[str, str]) -> Colour:
    if not is_terminal(stream, env) or is_dumb(env):
        return Colour.NONE
    return Colour.ATTRIBUTES if env.get("NO_COLOR", "") != "" else Colour.FULL


def size(stream: TextIO, env: Mapping[str, str]) -> tuple[int, int]:
    """``(width, height)`` of what the stream is shown on."""
    width = height = 0
    if not (is_terminal(stream, env) and is_dumb(env)):
        for number in (0, 1, 2):
            try:
                width, height = os.get_terminal_size(number)
            except (AttributeError, ValueError, OSError):
                continue
            break
    columns, lines = env.get("COLUMNS", ""), env.get("LINES", "")
    width = int(columns) if columns.isdigit() else width
    height = int(lines) if lines.isdigit() else height
    return width or 80, height or 25


def _safe(stream: TextIO) -> TextIO:
    """The stream, never failing on a character its encoding cannot show."""
    if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
        stream.reconfigure(errors="replace")
    return stream


def to_devnull(stream: IO[str]) -> None:
    """Point the file descriptor under ``stream`` at the null device: its reader went away
    (``crackjack | head -1``), and later writes, ours or a library's, must not fail."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, stream.fileno())
        finally:
            os.close(devnull)


class Printer:
    """Prints styled lines to one stream, and falls silent when its reader goes away
    (``crackjack | head -1``): the run goes on to its end quietly, its exit code still tells
    the outcome."""

    def __init__(self, stream: TextIO | None = None, env: Mapping[str, str] | None = None) -> None:
        self.stream = _safe(stream or sys.stdout)
        self.env = os.environ if env is None else env
        self.colour = colour(self.stream, self.env)
        self.is_terminal = is_terminal(self.stream, self.env)
        self._quiet = False

    @property
    def width(self) -> int:
        return size(self.stream, self.env)[0]

    @property
    def height(self) -> int:
        return size(self.stream, self.env)[1]

    @property
    def unicode(self) -> bool:
        return (getattr(self.stream, "encoding", None) or "utf-8").lower().startswith("utf")

    def print(self, line: Line | str) -> None:
        if self._quiet:
            return
        text = render(expand_tabs(styled(line) if isinstance(line, str) else line), self.colour)
        try:
            self.stream.write(text + "\n")
            self.stream.flush()
        except BrokenPipeError:
            self._gone()

    def _gone(self) -> None:
        self._quiet = True
        to_devnull(self.stream)

    def rich(self) -> Console:
        """A Rich console on the same stream, as much a terminal as this printer's (imports
        Rich: only for what draws with it)."""
        from crackjack.cli.richconsole import rich_console

        return rich_console(self.stream, terminal=self.is_terminal)


def make_console(stream: TextIO | None = None, *, stderr: bool = False) -> Console:
    """A Rich console that never fails on a character the terminal's encoding cannot show, nor
    on a reader that has gone away, and calls the stream a terminal by the rules above."""
    from crackjack.cli.richconsole import rich_console

    stream = _safe(stream or (sys.stderr if stderr else sys.stdout))
    return rich_console(stream, terminal=is_terminal(stream, os.environ))
