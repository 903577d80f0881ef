"""The debug-statements check: debugger imports and ``breakpoint()`` calls left in Python code."""

from __future__ import annotations

import ast
import importlib.util
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

from crackjack.core.runners.inprocess import CheckOutcome
from crackjack.hooks.checks.common import find_in_files, no_arguments

DEBUGGER_MODULES = frozenset(
    {"bpdb", "ipdb", "pdb", "pdbr", "pudb", "pydevd_pycharm", "q", "rdb", "rpdb", "wdb"}
)

_PARSE_FILENAME = "<crackjack-debug-statements>"
_PARSE_WARNINGS = re.escape(_PARSE_FILENAME) + r"\Z"
_NEWLINE = re.compile(r"\r\n?|\n")
_DEBUGGERS = b"|".join(name.encode() for name in sorted(DEBUGGER_MODULES))
_CANDIDATES = (
    re.compile(rb"breakpoint\s*\("),
    re.compile(rb"import[ \t][^\n;#]*\b(?:" + _DEBUGGERS + rb")\b"),
    re.compile(rb"from[ \t]+(?:" + _DEBUGGERS + rb")\b"),
)
"""What may import a debugger or call ``breakpoint()``, one pattern each: a pattern that starts
with a word is searched for that word first, a third of the time of one pattern of the three
(which tries every ``b``, ``i`` and ``f``); no ``\\b`` in front, for speed."""


def debug_statements(
    files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool
) -> CheckOutcome:
    """Report imports of debuggers (``pdb``, ``ipdb``, ...) and calls to ``breakpoint()``."""
    no_arguments(args)
    _silence_parser_warnings()
    return find_in_files(files, root, find_debug_statements)


def find_debug_statements(name: str, source: bytes) -> list[str]:
    """``name:line:col: message`` per finding; a file that does not parse is one finding.

    Only a file with what looks like a debugger import or a ``breakpoint(`` call is parsed:
    parsing costs milliseconds a file, and syntax errors elsewhere are the linter's to report.
    """
    if not _may_have_findings(source):
        return []
    try:
        tree = ast.parse(source, filename=_PARSE_FILENAME)
    except SyntaxError as exc:
        if exc.lineno is None:
            return [f"{name}: syntax error: {exc.msg}"]
        return [f"{name}:{exc.lineno}:{exc.offset or 1}: syntax error: {exc.msg}"]
    except (ValueError, RecursionError, MemoryError) as exc:
        return [f"{name}: cannot parse: {str(exc) or 'nested too deeply'}"]
    found = _findings(tree)
    if not found:
        return []
    lines = _NEWLINE.split(importlib.util.decode_source(source))
    return [f"{name}:{line}:{_column(lines, line, offset)}: {what}" for line, offset, what in found]


def _may_have_findings(source: bytes) -> bool:
    """Whether a candidate stands on a line before any ``#`` (not commented out)."""
    for candidate in _CANDIDATES:
        for match in candidate.finditer(source):
            line_start = source.rfind(b"\n", 0, match.start()) + 1
            if b"#" not in source[line_start : match.start()]:
                return True
    return False


def _column(lines: list[str], line: int, utf8_offset: int) -> int:
    """The 1-based character column of the parser's UTF-8 byte offset."""
    text = lines[line - 1] if line <= len(lines) else ""
    return len(text.encode("utf-8")[:utf8_offset].decode("utf-8", "replace")) + 1


def _silence_parser_warnings() -> None:
    """Ignore the warnings the parser gives about the code it reads (invalid escapes, ...).

    From a worker thread they would land on the user's terminal, or turn into a SyntaxError
    under ``-W error``. The filter matches only code parsed here: a compiler warning's module is
    the file name given to the parser. It is added once, in front (idempotent, so harmless if
    two threads race).
    """
    if not any(
        action == "ignore" and module is not None and module.pattern == _PARSE_WARNINGS
        for action, _message, _category, module, _lineno in warnings.filters
    ):
        warnings.filterwarnings("ignore", module=_PARSE_WARNINGS)


def _findings(tree: ast.AST) -> list[tuple[int, int, str]]:
    """``(line, UTF-8 byte offset, message)`` per finding, in source order."""
    found: list[tuple[ast.stmt | ast.expr, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(
                (node, f"{alias.name} imported") for alias in node.names if _is_debugger(alias.name)
            )
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module and _is_debugger(node.module):
                found.append((node, f"{node.module} imported"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "breakpoint"
        ):
            found.append((node, "breakpoint called"))
    return sorted((node.lineno, node.col_offset, what) for node, what in found)


def _is_debugger(module: str) -> bool:
    return module.partition(".")[0] in DEBUGGER_MODULES
