from __future__ import annotations

from pathlib import Path

import pytest

from crackjack.core.runners.inprocess import CheckOutcome
from crackjack.hooks.checks.debug_statements import debug_statements


def _check(tmp_path: Path, source: bytes) -> CheckOutcome:
    (tmp_path / "mod.py").write_bytes(source)
    return debug_statements(["mod.py"], root=tmp_path, args=(), fix=False)


@pytest.mark.parametrize(
    ("source", "found"),
    [
        (b"import pdb\n", ["1:1: pdb imported"]),
        (b"import os, ipdb\n", ["1:1: ipdb imported"]),
        (b"import pudb.remote as r\n", ["1:1: pudb.remote imported"]),
        (b"from pydevd_pycharm import settrace\n", ["1:1: pydevd_pycharm imported"]),
        (b"from q import q\n", ["1:1: q imported"]),
        (b"import rdb, wdb\n", ["1:1: rdb imported", "1:1: wdb imported"]),
        (
            b"def f():\n    x = 1\n    breakpoint()\n    import pdb; pdb.set_trace()\n",
            ["3:5: breakpoint called", "4:5: pdb imported"],
        ),
        (b"if x:\n    import pdb\nbreakpoint()\n", ["2:5: pdb imported", "3:1: breakpoint called"]),
        ("s = 'caf\u00e9'; breakpoint()\n".encode(), ["1:13: breakpoint called"]),
        (
            b"# -*- coding: latin-1 -*-\r\ns = '\xe9\xe9'; import pdb\r\n",
            ["2:11: pdb imported"],
        ),
        (b"a = 1\rb = 2; breakpoint()\r", ["2:8: breakpoint called"]),
        (b"x.breakpoint()\n", []),
        (b"from . import pdb\nfrom .pdb import x\n", []),
        (b"import pdbpp, qq, os.path\n", []),
        (b"", []),
    ],
)
def test_findings(tmp_path: Path, source: bytes, found: list[str]) -> None:
    outcome = _check(tmp_path, source)

    assert outcome == CheckOutcome(
        failed=bool(found), output="\n".join(f"mod.py:{item}" for item in found)
    )


@pytest.mark.parametrize(
    ("source", "output"),
    [
        (b"def f(:\n    breakpoint()\n", "mod.py:1:7: syntax error: invalid syntax"),
        (b"import pdb; x = '\xff'\n", "mod.py:1:"),
        (b"import pdb\x00\n", "mod.py: syntax error: source code string cannot contain null bytes"),
        (b"import pdb\nx = " + b"(" * 300 + b")" * 300, "mod.py:2:"),
    ],
)
def test_unparsable_files_are_reported(tmp_path: Path, source: bytes, output: str) -> None:
    outcome = _check(tmp_path, source)

    assert outcome.failed
    assert outcome.output.startswith(output)
    assert "syntax error" in outcome.output


@pytest.mark.parametrize(
    ("source", "output"),
    [
        (b"import pdb\nx = " + b"-" * 200_000 + b"1", "mod.py: cannot parse: nested too deeply"),
        (
            b"breakpoint()" + b"()" * 200_000,
            "mod.py: cannot parse: maximum recursion depth exceeded",
        ),
    ],
)
def test_pathological_nesting_is_reported(tmp_path: Path, source: bytes, output: str) -> None:
    outcome = _check(tmp_path, source)

    assert outcome.failed
    assert outcome.output.startswith(output)


def test_parser_warnings_are_neither_shown_nor_errors(
    tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    # pytest runs with warnings as errors: the invalid escape would become a SyntaxError.
    source = b'import re, pdb\nPATTERN = "\\d+"\nassert (PATTERN, 1)\n'
    outcome = _check(tmp_path, source)

    assert outcome == CheckOutcome(failed=True, output="mod.py:1:1: pdb imported")
    assert len(recwarn) == 0


def test_a_mere_mention_is_not_parsed(tmp_path: Path) -> None:
    source = (
        b"q = 'pdb'  # breakpoint() is fine here\n    # import pdb; pdb.set_trace()\ndef broken(:\n"
    )
    assert _check(tmp_path, source) == CheckOutcome(failed=False)
