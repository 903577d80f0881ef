"""Events and results as plain JSON values: the public, versioned form other tools read.

``SCHEMA`` is on every event line and on the report. It changes only when a field is removed or
changes meaning; new fields may appear within a version, so readers should ignore the unknown.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

from crackjack.core.run.events import Event, HookFinished
from crackjack.core.run.results import HookResult, RunResult, Totals
from crackjack.core.valueclass import fields, is_value

SCHEMA = 1


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data: values become objects, enums their value."""
    if isinstance(value, Totals):
        return {str(status): count for status, count in value.counts}
    if isinstance(value, enum.Enum):
        return value.value
    if is_value(value):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


def event_record(event: Event) -> dict[str, Any]:
    """One line of the event stream: ``schema``, ``event`` (the class name), then its fields.

    A finished hook also carries its id, phase, status and duration at the top level.
    """
    record: dict[str, Any] = {"schema": SCHEMA, "event": type(event).__name__}
    if isinstance(event, HookFinished):
        result = event.result
        return record | {
            "run_id": event.run_id,
            "timestamp": event.timestamp,
            "phase": result.phase,
            "hook": result.hook,
            "status": result.status.value,
            "duration": result.duration,
            "result": hook_record(result),
        }
    fields: dict[str, Any] = plain(event)
    return record | fields


def hook_record(hook: HookResult) -> dict[str, Any]:
    """A hook's result; its findings are ``problems`` in schema 1."""
    record: dict[str, Any] = plain(hook)
    record["problems"] = record.pop("findings")
    record["signal_name"] = hook.signal_name
    return record


def run_record(result: RunResult, *, exit_code: int) -> dict[str, Any]:
    """The whole run as one document (``--report``)."""
    return {
        "schema": SCHEMA,
        "workflow": result.workflow,
        "exit_code": exit_code,
        "failed": result.failed,
        "interrupted_by": result.interrupted_by,
        "duration": result.duration,
        "started_at": min((h.started_at for h in result.hooks), default=None),
        "ended_at": max((h.ended_at for h in result.hooks), default=None),
        "totals": plain(result.totals),
        "phases": [
            {
                "phase": phase.phase,
                "failed": phase.failed,
                "duration": phase.duration,
                "hooks": [hook_record(hook) for hook in phase.hooks],
            }
            for phase in result.phases
        ],
        "tests": [{"hook": hook.hook, **plain(hook.tests)} for hook in result.hooks if hook.tests],
    }
