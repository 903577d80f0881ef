"""Readers of tools' machine-readable output: findings with their places, for annotations."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from crackjack.core.run.results import Finding


def ruff_json(output: str, *, root: Path) -> tuple[Finding, ...] | None:
    """``ruff check --output-format json``: one JSON array of findings."""
    try:
        findings = json.loads(output[output.find("[") :] if "[" in output else output)
        return tuple(_ruff(finding, root) for finding in findings)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _ruff(finding: dict[str, Any], root: Path) -> Finding:
    end = finding.get("end_location") or {}
    return Finding(
        path=_relative(finding["filename"], root),
        line=int(finding["location"]["row"]),
        column=int(finding["location"]["column"]),
        end_line=end.get("row"),
        end_column=end.get("column"),
        code=finding.get("code") or "",
        message=str(finding["message"]),
        severity="error",
    )


def mypy_json(output: str, *, root: Path) -> tuple[Finding, ...] | None:
    """``mypy --output json``: one JSON object per line (other lines are not findings)."""
    findings = []
    for line in output.splitlines():
        if not line.startswith("{"):
            continue
        try:
            finding = json.loads(line)
            findings.append(_mypy(finding, root))
        except (ValueError, TypeError, KeyError):
            return None
    return tuple(findings)


def _mypy(finding: dict[str, Any], root: Path) -> Finding:
    message = str(finding["message"])
    if finding.get("hint"):
        message += f" ({finding['hint']})"
    return Finding(
        path=_relative(finding["file"], root),
        line=int(finding["line"]),
        column=max(int(finding.get("column", 0)), 0) + 1,
        end_line=finding.get("end_line"),
        end_column=finding.get("end_column"),
        code=finding.get("code") or "",
        message=message,
        severity="error" if finding.get("severity") == "error" else "warning",
    )


def _relative(path: str, root: Path) -> str:
    if not os.path.isabs(path):
        return path
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


_LOCATED = re.compile(r"^(?P<path>.+?):(?P<line>\d+)(?::(?P<column>\d+))?: (?P<message>.+)$")


def located_lines(output: str, *, root: Path) -> tuple[Finding, ...] | None:
    """The ``path:line[:column]: message`` lines of crackjack's in-process checks (the form
    ``CheckOutcome`` promises); lines about a whole file carry no place and are left out."""
    findings = []
    for line in output.splitlines():
        found = _LOCATED.match(line)
        if found:
            findings.append(
                Finding(
                    path=_relative(found["path"], root),
                    line=int(found["line"]),
                    column=int(found["column"] or 1),
                    message=found["message"],
                )
            )
    return tuple(findings)
