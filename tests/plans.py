"""Hooks and plans for tests of the planner and the engine, without a project's settings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crackjack.core.config.load import Catalogue
from crackjack.core.run.plan import HookPlan, Plan, Selection, build_plan
from crackjack.core.run.policy import Policy
from crackjack.core.runners.command import Command
from crackjack.core.runners.hook import Hook
from crackjack.core.testphase.options import TestOptions
from tests.project import PYTHON

_COMMAND_KEYS = frozenset({"command", "check_command", "pass_filenames", "dashdash", "shell"})


def command_hook(hook_id: str, code: str = "pass", **fields: Any) -> Hook:
    """A hook running ``python -c code`` (or ``command``) in phase ``fast`` on every file;
    ``fields`` set the hook's keys and its command runner's."""
    runner = {key: fields.pop(key) for key in list(fields) if key in _COMMAND_KEYS}
    runner.setdefault("command", (PYTHON, "-c", code))
    values: dict[str, Any] = {"phase": "fast", "types": (), **fields}
    return Hook(id=hook_id, runner=Command(**runner), **values)


def plan_for(
    catalogue: Catalogue,
    selection: Selection,
    *,
    root: Path,
    files: Sequence[str],
    tests: TestOptions | None = None,
    **policy: Any,
) -> Plan:
    """``build_plan`` under ``policy_of(**policy)``."""
    chosen = policy_of(**policy)
    return build_plan(catalogue, selection, root=root, files=files, policy=chosen, tests=tests)


def policy_of(**fields: Any) -> Policy:
    """A policy of ``fields``, two jobs unless said."""
    return Policy(**{"jobs": 2, **fields})


def planned_hooks(plan: Plan) -> tuple[HookPlan, ...]:
    return tuple(hook for phase in plan.phases for hook in phase.hooks)
