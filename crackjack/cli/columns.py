"""A table as aligned columns of styled lines, laid out the way Rich lays out a table without
a box: a title line, a bold header, one space at each edge and two between columns."""

from __future__ import annotations

from collections.abc import Sequence

from crackjack.cli.styled import Line, cells, styled
from crackjack.core.valueclass import value

MIN_WRAPPED = 16
"""Columns the last column needs beside the others; with fewer, its text goes on lines of its
own below the row, so no line is wider than the screen and nothing is cut."""


@value
class Column:
    """A column of a table: its title, and whether its cells are right-aligned."""

    title: str
    right: bool = False


def table(
    title: str, columns: Sequence[Column], rows: Sequence[Sequence[Line]], width: int
) -> list[Line]:
    """Every column as wide as its widest cell, never cut; the last one wraps in what is left
    of ``width`` (or below its row, when too little is left)."""
    header = [styled(column.title, "bold") for column in columns]
    widths = [max(cell.cells for cell in column) for column in zip(header, *rows, strict=True)]
    room = width - sum(widths[:-1]) - 2 * (len(widths) - 1) - 2
    below = room < MIN_WRAPPED
    widths[-1] = 0 if below else min(widths[-1], room)
    lines = [
        styled(title, "italic"),
        _row([*header[:-1], styled("")] if below else header, columns, widths),
    ]
    for row in rows:
        lines.extend(_row_lines(row, columns, widths, below=below, width=width))
    return lines


def _row_lines(
    row: Sequence[Line],
    columns: Sequence[Column],
    widths: Sequence[int],
    *,
    below: bool,
    width: int,
) -> list[Line]:
    *first, last = row
    if not below and last.cells <= widths[-1]:
        return [_row(row, columns, widths)]
    style = last.segments[0][1] if len(last.segments) == 1 else ""
    blank = [styled("") for _ in first]
    if below:
        pieces = _wrap(last.plain, max(width - 3, MIN_WRAPPED)) if last.plain else []
        return [_row([*first, styled("")], columns, widths)] + [
            styled("   ").plus(piece, style) for piece in pieces
        ]
    pieces = _wrap(last.plain, widths[-1])
    return [_row([*first, styled(pieces[0], style)], columns, widths)] + [
        _row([*blank, styled(piece, style)], columns, widths) for piece in pieces[1:]
    ]


def _row(row: Sequence[Line], columns: Sequence[Column], widths: Sequence[int]) -> Line:
    line = styled(" ")
    for index, (cell, column, width) in enumerate(zip(row, columns, widths, strict=True)):
        pad = " " * (width - cell.cells)
        line += (styled(pad) + cell) if column.right else (cell + styled(pad))
        if index < len(widths) - 1:
            line = line.plus("  ")
    return _rstrip(line)


def _rstrip(line: Line) -> Line:
    segments = list(line.segments)
    while segments and not segments[-1][0].rstrip():
        segments.pop()
    if segments:
        text, style = segments[-1]
        segments[-1] = (text.rstrip(), style)
    return Line(tuple(segments))


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap; a word longer than ``width`` is folded."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        while cells(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        candidate = f"{current} {word}" if current else word
        if cells(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines
