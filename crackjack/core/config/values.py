"""The settings as the rest of crackjack reads them: plain frozen values, no pydantic.

``crackjack.core.config.validate`` (pydantic, loaded only when the settings cache misses) is the
one place that checks what a user writes and makes these; ``crackjack.core.config.settingscache``
keeps them as JSON (``to_json``, ``from_json``) so a later run with the same inputs skips it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from crackjack.core.valueclass import asdict, field, fields, value

MissingTools = Literal["fail", "warn"]
CacheMode = Literal["per-file", "whole", "off"]
"""How a hook's passes may be cached: each file alone, its whole input set, or not at all."""


@value(kw_only=True, eq=True)
class HookValues:
    """One ``[tool.crackjack.hooks.ID]`` table: None is a key the project did not write."""

    name: str | None = None
    description: str | None = None
    command: tuple[str, ...] | None = None
    check_command: tuple[str, ...] | None = None
    args: tuple[str, ...] | None = None
    phase: str | None = None
    files: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None
    types: tuple[str, ...] | None = None
    types_or: tuple[str, ...] | None = None
    exclude_types: tuple[str, ...] | None = None
    pass_filenames: bool | None = None
    always_run: bool | None = None
    dashdash: bool | None = None
    fixer: bool | None = None
    serial: bool | None = None
    shell: bool | None = None
    timeout: float | None = None
    env: Mapping[str, str] | None = None
    enabled: bool | None = None
    install: str | None = None
    runner: str | None = None
    cache: CacheMode | None = None
    cache_inputs: tuple[str, ...] | None = None
    cache_env: tuple[str, ...] | None = None
    requires: tuple[str, ...] | None = None
    python: str | None = None

    def written(self) -> dict[str, Any]:
        """The keys the project wrote, with their values."""
        return {f.name: value for f in fields(self) if (value := getattr(self, f.name)) is not None}


@value(kw_only=True, eq=True)
class TestsValues:
    """``[tool.crackjack.tests]``: how the test phase runs pytest."""

    python: str | None = None
    allow_no_tests: bool = False
    slowest: int = 5
    alongside: str | None = None


@value(kw_only=True, eq=True)
class WorkflowValues:
    """One ``[tool.crackjack.workflows.NAME]`` table."""

    phases: tuple[str, ...]
    description: str = ""


@value(kw_only=True, eq=True)
class SettingsValues:
    """Everything a project, the environment or the command line set, validated and merged."""

    jobs: int | None = None
    fail_fast: bool = False
    skip: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    missing_tools: MissingTools = "fail"
    kill_grace: float = 2.0
    no_cache: bool = False
    cache_dir: str | None = None
    cache_max_mb: int = 200
    hooks: Mapping[str, HookValues] = field(default_factory=dict)
    tests: TestsValues = field(default_factory=TestsValues)
    workflows: Mapping[str, WorkflowValues] = field(default_factory=dict)


def to_json(values: SettingsValues) -> dict[str, Any]:
    """``values`` as JSON data (tuples become lists)."""
    return asdict(values)


def from_json(data: Mapping[str, Any]) -> SettingsValues:
    """The values of ``data``: what ``to_json`` gave, or the validator's dump of its model (a
    hook's key it did not set is None). KeyError, TypeError or AttributeError when ``data`` is
    not such a value (an unknown or missing key, a wrong shape)."""
    hooks = {hook_id: HookValues(**_tuples(hook)) for hook_id, hook in data["hooks"].items()}
    workflows = {
        name: WorkflowValues(**_tuples(workflow)) for name, workflow in data["workflows"].items()
    }
    top = _tuples({k: v for k, v in data.items() if k not in ("hooks", "tests", "workflows")})
    return SettingsValues(
        **top, hooks=hooks, tests=TestsValues(**data["tests"]), workflows=workflows
    )


def _tuples(table: Mapping[str, Any]) -> dict[str, Any]:
    return {key: tuple(value) if isinstance(value, list) else value for key, value in table.items()}
