"""GitHub Actions: annotations for findings with a place, a step summary, collapsible groups."""

from __future__ import annotations

from collections.abc import Mapping

from crackjack.cli.theme import seconds, status_text
from crackjack.core.run.results import Finding, RunResult


def on_github(env: Mapping[str, str]) -> bool:
    return env.get("GITHUB_ACTIONS") == "true"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(hook: str, finding: Finding) -> str:
    """``::error file=a.py,line=3,col=1,title=ruff-check F401::`os` imported but unused``"""
    level = "error" if finding.severity == "error" else "warning"
    properties = {"file": finding.path, "line": finding.line, "col": finding.column}
    if finding.end_line is not None:
        properties["endLine"] = finding.end_line
        if finding.end_column is not None and finding.end_line == finding.line:
            properties["endColumn"] = finding.end_column
    properties["title"] = f"{hook} {finding.code}".strip()
    said = ",".join(f"{key}={_escape_property(str(value))}" for key, value in properties.items())
    return f"::{level} {said}::{_escape_data(finding.message)}"


def group(title: str, text: str) -> str:
    """A collapsible block of the log."""
    return f"::group::{_escape_data(title)}\n{text.rstrip()}\n::endgroup::"


def step_summary(result: RunResult) -> str:
    """A Markdown table of the run, for ``$GITHUB_STEP_SUMMARY``."""
    verdict = "interrupted" if result.interrupted_by else "failed" if result.failed else "passed"
    lines = [
        f"### crackjack {result.workflow}: {verdict} in {seconds(result.duration)}",
        "",
        "| hook | phase | status | duration | files | note |",
        "| --- | --- | --- | ---: | ---: | --- |",
    ]
    for hook in result.hooks:
        note = hook.message.replace("|", "\\|").replace("\n", " ")
        lines.append(
            f"| {hook.name} | {hook.phase} | {status_text(hook)} | {seconds(hook.duration)}"
            f" | {hook.files or ''} | {note} |"
        )
    return "\n".join(lines) + "\n"
