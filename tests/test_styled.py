"""Styled lines without Rich: plain or ANSI, colour decided as Rich decided it, aligned tables."""

from __future__ import annotations

import io
import os
import pty
from collections.abc import Iterator
from typing import TextIO

import pytest

from crackjack.cli.columns import MIN_WRAPPED, Column, table
from crackjack.cli.console import Printer, colour, size
from crackjack.cli.styled import CODES, Colour, Line, cells, render, styled, truncate
from crackjack.cli.summary import summary
from crackjack.cli.theme import STYLES
from crackjack.core.run.results import HookResult, HookStatus, PhaseResult, RunResult

# --- rendering --------------------------------------------------------------------------------


def test_a_line_renders_plain_or_with_sgr_codes() -> None:
    line = styled("ruff ").plus("failed", "bold red").plus(" 0.12s", "dim")
    assert line.plain == "ruff failed 0.12s"
    assert render(line, Colour.NONE) == "ruff failed 0.12s"
    assert render(line, Colour.FULL) == "ruff \x1b[1;31mfailed\x1b[0m\x1b[2m 0.12s\x1b[0m"


def test_no_color_keeps_bold_and_dim_and_drops_colours() -> None:
    line = styled("failed", "bold red") + styled("fixed", "yellow")
    assert render(line, Colour.ATTRIBUTES) == "\x1b[1mfailed\x1b[0mfixed"


def test_a_style_never_spans_a_newline() -> None:
    assert render(styled("a\nb", "green"), Colour.FULL) == "\x1b[32ma\x1b[0m\n\x1b[32mb\x1b[0m"


def test_every_style_of_the_theme_has_codes() -> None:
    for style in (*STYLES.values(), "bold green", "italic", "bright_green", "cyan"):
        assert all(word in CODES for word in style.split()), style


def test_wide_characters_take_two_cells_and_cuts_end_in_an_ellipsis() -> None:
    assert cells("abc") == 3
    assert cells("日本") == 4
    assert cells("é") == 1
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"


# --- colour and width, the way Rich decided them --------------------------------------------


@pytest.fixture
def tty() -> Iterator[TextIO]:
    master, slave = pty.openpty()
    stream = open(slave, "w", encoding="utf-8")  # noqa: SIM115
    try:
        yield stream
    finally:
        stream.close()
        os.close(master)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"TERM": "xterm"}, Colour.FULL),
        ({"TERM": "xterm", "NO_COLOR": "1"}, Colour.ATTRIBUTES),
        ({"TERM": "xterm", "NO_COLOR": ""}, Colour.FULL),
        ({"TERM": "dumb"}, Colour.NONE),
        ({"TERM": "xterm", "FORCE_COLOR": ""}, Colour.NONE),
        ({"TERM": "xterm", "TTY_COMPATIBLE": "0"}, Colour.NONE),
    ],
)
def test_a_terminal_gets_colour_unless_told_otherwise(
    tty: TextIO, env: dict[str, str], expected: Colour
) -> None:
    assert colour(tty, env) is expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, Colour.NONE),
        ({"FORCE_COLOR": "1", "TERM": "xterm"}, Colour.FULL),
        ({"FORCE_COLOR": "1", "TERM": "xterm", "NO_COLOR": "1"}, Colour.ATTRIBUTES),
        ({"FORCE_COLOR": "1", "TERM": "dumb"}, Colour.NONE),
        ({"TTY_COMPATIBLE": "1"}, Colour.FULL),
    ],
)
def test_a_pipe_is_plain_unless_colour_is_forced(env: dict[str, str], expected: Colour) -> None:
    assert colour(io.StringIO(), env) is expected


def test_the_width_is_columns_else_80_on_a_dumb_terminal() -> None:
    stream = io.StringIO()
    assert size(stream, {"COLUMNS": "123", "LINES": "45"}) == (123, 45)
    assert size(stream, {"FORCE_COLOR": "1", "TERM": "dumb"}) == (80, 25)


def test_a_printer_writes_what_its_stream_takes() -> None:
    plain, forced = io.StringIO(), io.StringIO()
    line = styled("x\tdone", "green")
    Printer(plain, {}).print(line)
    Printer(forced, {"FORCE_COLOR": "1", "TERM": "xterm"}).print(line)
    assert plain.getvalue() == "x       done\n"
    assert forced.getvalue() == "\x1b[32mx       done\x1b[0m\n"


# --- tables -----------------------------------------------------------------------------------

COLUMNS = (Column("hook"), Column("duration", right=True), Column("note"))


def rows(note: str) -> list[tuple[Line, ...]]:
    return [
        (styled("ruff-check"), styled("0.12s"), styled("exit code 1", "dim")),
        (styled("a-much-longer-hook-id"), styled("1m01.5s"), styled(note, "dim")),
    ]


def plain(lines: list[Line]) -> list[str]:
    return [line.plain for line in lines]


def test_columns_are_aligned_and_right_columns_are_right_aligned() -> None:
    assert plain(table("crackjack fast", COLUMNS, rows(""), 80)) == [
        "crackjack fast",
        " hook                   duration  note",
        " ruff-check                0.12s  exit code 1",
        " a-much-longer-hook-id   1m01.5s",
    ]


def test_the_last_column_wraps_in_what_is_left_and_no_line_is_wider() -> None:
    note = "word " * 20
    lines = plain(table("t", COLUMNS, rows(note.strip()), 60))
    assert all(len(line) <= 60 for line in lines), lines
    start = lines[1].index("note")
    wrapped = lines[4:]
    assert len(wrapped) > 1
    assert all(line[:start].strip() == "" for line in wrapped)
    assert " ".join(line.strip() for line in [lines[3][start:], *wrapped]) == note.strip()


def test_a_word_longer_than_the_room_is_folded() -> None:
    word = "x" * 40
    lines = plain(table("t", COLUMNS, rows(f"see {word} here"), 52))
    start = lines[1].index("note")
    assert [line[start:] for line in lines[3:]] == ["see", "x" * 17, "x" * 17, "xxxxxx here"]


def test_with_too_little_room_the_note_goes_below_its_row_and_ids_are_never_cut() -> None:
    width = len(" a-much-longer-hook-id   1m01.5s  ") + MIN_WRAPPED - 1
    lines = plain(table("t", COLUMNS, rows("a note"), width))
    assert lines[1].split() == ["hook", "duration"]
    assert lines[4:] == [" a-much-longer-hook-id   1m01.5s", "   a note"]


def test_cell_styles_survive_alignment() -> None:
    lines = table("t", COLUMNS, rows(""), 80)
    assert render(lines[2], Colour.FULL).endswith("\x1b[2mexit code 1\x1b[0m")
    assert render(lines[1], Colour.FULL).startswith(" \x1b[1mhook\x1b[0m")


# --- the summary: names are escaped, every line fits ------------------------------------------


def result(name: str, modified: tuple[str, ...] = ()) -> RunResult:
    hook = HookResult(
        hook=name,
        name=name,
        phase="fast",
        status=HookStatus.FIXED,
        fails_run=True,
        modified=modified,
        output="changed\x1b[2J\n",
        message="modified 1 file",
    )
    return RunResult(
        workflow="fast",
        phases=(PhaseResult(phase="fast", hooks=(hook,), duration=0.1),),
        duration=0.1,
    )


def test_the_summary_escapes_names_and_output_even_in_colour() -> None:
    out = io.StringIO()
    printer = Printer(out, {"FORCE_COLOR": "1", "TERM": "xterm"})
    for line in summary(result("fix\x1b[31m", ("x\nfast: passed in 0.00s.txt",)), width=80):
        printer.print(line)
    text = out.getvalue()
    assert "fix\\x1b[31m" in text
    assert "changed\\x1b[2J" in text
    assert "modified: x\\nfast: passed in 0.00s.txt" in text
    assert all(line.startswith(("\x1b[", " ", "fix")) for line in text.splitlines())
    codes = {part.split("m")[0] for part in text.split("\x1b[")[1:]}
    assert codes <= {"0", "1", "2", "3", "31", "32", "33", "1;31", "1;32", "92"}, codes


def test_the_summary_rule_fills_the_width_and_uses_ascii_when_asked() -> None:
    lines = [line.plain for line in summary(result("fix"), width=50, rule="-")]
    title = next(line for line in lines if line.startswith("fix: fixed"))
    assert title == "fix: fixed (modified 1 file) " + "-" * 21


def test_a_printer_falls_silent_when_its_reader_goes_away() -> None:
    read, write = os.pipe()
    os.close(read)
    stream = open(write, "w", encoding="utf-8")  # noqa: SIM115
    try:
        printer = Printer(stream, {})
        printer.print("first")
        printer.print("second")
        assert os.path.samefile(f"/proc/self/fd/{write}", os.devnull)
    finally:
        stream.close()


def test_a_printer_knows_its_height_and_whether_its_stream_takes_unicode() -> None:
    ascii_stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    printer = Printer(ascii_stream, {"LINES": "33"})
    assert printer.height == 33
    assert not printer.unicode
    printer.print("café")
    ascii_stream.flush()
    assert ascii_stream.buffer.getvalue() == b"caf?\n"
