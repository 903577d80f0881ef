"""The settings a user writes, validated by pydantic-settings: the one validator.

Imported only when the settings cache misses (``crackjack.core.config.settingscache``): pydantic
costs more to import than a whole run of crackjack's light hooks. It gives the plain values of
``crackjack.core.config.values``, and turns each mistake into one line that names the key.

Precedence, lowest first: defaults < ``[tool.crackjack]`` < ``CRACKJACK_*`` variables < flags.
Every key may be written in kebab-case (``fail-fast``) or snake_case (``fail_fast``).

TOML values are typed, so ``[tool.crackjack]`` is validated on its own first, strictly
(``ProjectTable`` in strict mode: ``jobs = "4"`` or ``fail-fast = "yes"`` is a mistake, not text
to parse; an integer is still a number). Environment variables are text and are parsed as such
when the sources are merged (``Settings``, lax); flags arrive typed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    AliasGenerator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from crackjack.core.config.tomlerror import locate
from crackjack.core.config.values import SettingsValues, from_json
from crackjack.core.errors import ConfigError

TABLE = "tool.crackjack"
ENV_PREFIX = "CRACKJACK_"

_ALIASES = AliasGenerator(validation_alias=lambda name: AliasChoices(name.replace("_", "-"), name))


class _Table(BaseModel):
    """A table of the settings: an unknown key is a mistake, and keys have both spellings."""

    model_config = ConfigDict(extra="forbid", alias_generator=_ALIASES, frozen=True)


class HookConfig(_Table):
    """One ``[tool.crackjack.hooks.ID]`` table: changes a built-in hook or defines a new one."""

    name: str | None = None
    description: str | None = None
    command: list[str] | None = None
    check_command: list[str] | None = None
    args: list[str] | None = None
    phase: str | None = None
    files: list[str] | None = None
    exclude: list[str] | None = None
    types: list[str] | None = None
    types_or: list[str] | None = None
    exclude_types: list[str] | None = None
    pass_filenames: bool | None = None
    always_run: bool | None = None
    dashdash: bool | None = None
    fixer: bool | None = None
    serial: bool | None = None
    shell: bool | None = None
    timeout: Annotated[float, Field(gt=0)] | None = None
    env: dict[str, str] | None = None
    enabled: bool | None = None
    install: str | None = None
    runner: str | None = None
    cache: Literal["per-file", "whole", "off"] | None = None
    cache_inputs: list[str] | None = None
    cache_env: list[str] | None = None
    requires: list[str] | None = None
    python: str | None = None


class TestsConfig(_Table):
    """``[tool.crackjack.tests]``: how the test phase runs pytest."""

    python: str | None = None
    allow_no_tests: bool = False
    slowest: Annotated[int, Field(ge=0)] = 5
    alongside: str | None = None


class WorkflowConfig(_Table):
    """One ``[tool.crackjack.workflows.NAME]`` table."""

    phases: list[str]
    description: str = ""


class ProjectTable(_Table):
    """Every key of ``[tool.crackjack]``, as a plain model: validated alone, no other source."""

    jobs: Annotated[int, Field(ge=1)] | None = None
    fail_fast: bool = False
    skip: Annotated[list[str], NoDecode] = []
    exclude: list[str] = []
    missing_tools: Literal["fail", "warn"] = "fail"
    kill_grace: Annotated[float, Field(ge=0)] = 2.0
    no_cache: bool = False
    cache_dir: str | None = None
    cache_max_mb: Annotated[int, Field(ge=1)] = 200
    hooks: dict[str, HookConfig] = {}
    tests: TestsConfig = TestsConfig()
    workflows: dict[str, WorkflowConfig] = {}

    @field_validator("skip", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value


class Settings(ProjectTable, BaseSettings):
    """Everything a project, the environment or the command line can set."""

    model_config = SettingsConfigDict(
        env_prefix="CRACKJACK_", env_prefix_target="all", case_sensitive=False
    )


def settings_class(table: dict[str, Any]) -> type[Settings]:
    """``Settings`` reading ``table`` (the project's ``[tool.crackjack]``) below env and flags."""

    class ProjectSettings(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, env_settings, InitSettingsSource(settings_cls, table))

    return ProjectSettings


def validate(
    pyproject: Path | None, content: bytes | None, flags: Mapping[str, Any], *, staged: bool
) -> SettingsValues:
    """The settings from ``content`` (the bytes of ``pyproject``, or of its ``staged`` version;
    None without a pyproject.toml), the ``CRACKJACK_*`` variables and ``flags``; ConfigError
    naming the key of each mistake."""
    table = (
        _read_table(pyproject, content, staged=staged) if pyproject and content is not None else {}
    )
    try:
        settings = settings_class(table)(**flags)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, lambda loc: _outside_file(loc, flags))) from None
    return from_json(settings.model_dump())


def _read_table(pyproject: Path, content: bytes, *, staged: bool) -> dict[str, Any]:
    """``[tool.crackjack]`` of ``content``, checked on its own with no type coercion."""
    name = f"{pyproject} (staged)" if staged else str(pyproject)
    try:
        text = content.decode("utf-8")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = locate(exc, text)
        raise ConfigError(
            f"{name}:{problem.line}:{problem.column}: invalid TOML: {problem.message}"
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: cannot read: {exc}") from None
    table: Any = data.get("tool", {}).get("crackjack", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{name}: {TABLE} must be a table ([tool.crackjack])")
    try:
        ProjectTable.model_validate(table, strict=True)
    except ValidationError as exc:
        where = f"{name}: {TABLE}"
        raise ConfigError(_describe(exc, lambda loc: ".".join([where, *loc]))) from None
    return table


_MESSAGES = {
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "string_type": "expected a string",
    "list_type": "expected a list",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
    "missing": "is required",
    "extra_forbidden": "unknown key",
}


def _describe(exc: ValidationError, origin: Callable[[list[str]], str]) -> str:
    """One line per error: where it is (``origin`` of its location), then what is wrong."""
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        lines.append(f"{origin(loc)}: {_message(error)}")
    return "\n".join(lines)


def _outside_file(loc: list[str], flags: Mapping[str, Any]) -> str:
    """The flag or the ``CRACKJACK_*`` variable that gave the value: the file was checked first."""
    key = loc[0].replace("-", "_").lower()
    if key in flags:
        return "--" + key.replace("_", "-")
    return ENV_PREFIX + key.upper()


def _message(error: Any) -> str:
    if error["type"] in _MESSAGES:
        return _MESSAGES[error["type"]]
    text = str(error["msg"])
    return text[0].lower() + text[1:]
