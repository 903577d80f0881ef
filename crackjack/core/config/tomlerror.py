"""Where a TOML error is: ``tomllib`` (3.11) gives the position only inside its message."""

from __future__ import annotations

import re
import tomllib
from typing import NamedTuple

_AT_POSITION = re.compile(r"^(?P<message>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)$", re.S)
_AT_END = re.compile(r"^(?P<message>.*) \(at end of document\)$", re.S)


class TomlProblem(NamedTuple):
    message: str
    line: int
    column: int


def locate(exc: tomllib.TOMLDecodeError, text: str) -> TomlProblem:
    """The message and 1-based line and column of ``exc``, raised parsing ``text``."""
    message = str(exc)
    if match := _AT_POSITION.match(message):
        return TomlProblem(match["message"], int(match["line"]), int(match["col"]))
    if match := _AT_END.match(message):
        message = match["message"]
    line = text.count("\n") + 1
    return TomlProblem(message, line, len(text) - text.rfind("\n"))
