"""The settings a user writes, validated by pydantic-settings.

Precedence, lowest first: defaults < ``[tool.crackjack]`` < ``CRACKJACK_*`` variables < flags.
Every key may be written in kebab-case (``fail-fast``) or snake_case (``fail_fast``).

TOML values are typed, so ``[tool.crackjack]`` is validated on its own first, strictly
(``ProjectTable`` in strict mode: ``jobs = "4"`` or ``fail-fast = "yes"`` is a mistake, not text
to parse; an integer is still a number). Environment variables are text and are parsed as such
when the sources are merged (``Settings``, lax); flags arrive typed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, AliasGenerator, BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

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
    dashdash: bool | None = None
    fixer: bool | None = None
    serial: bool | None = None
    shell: bool | None = None
    timeout: Annotated[float, Field(gt=0)] | None = None
    env: dict[str, str] | None = None
    enabled: bool | None = None
    install: str | None = None
    runner: str | None = None


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
