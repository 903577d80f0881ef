"""Find the project, read its settings, and merge them with the built-in catalogue."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from crackjack.core.config.settingscache import cache_folder, cached_settings, settings_key
from crackjack.core.config.values import HookValues, SettingsValues, WorkflowValues
from crackjack.core.errors import ConfigError
from crackjack.core.files.patterns import FileFilter
from crackjack.core.git.commands import staged_version
from crackjack.core.runners.command import Command
from crackjack.core.runners.hook import Hook, HookRunner
from crackjack.core.runners.inprocess import InProcess
from crackjack.core.testphase.options import project_python
from crackjack.core.testphase.runner import Pytest
from crackjack.core.valueclass import fields, replace, value

TABLE = "tool.crackjack"
SKIP_ENV = "CRACKJACK_SKIP"
PRE_COMMIT_SKIP = "SKIP"
"""pre-commit's variable of hook ids to skip, honoured beside ``CRACKJACK_SKIP``."""
TEST_PHASE = "tests"


@value
class Workflow:
    name: str
    phases: tuple[str, ...]
    description: str = ""


@value
class Catalogue:
    """Every hook (enabled or not) and workflow the project knows, in declaration order, and
    the files no hook gets (``exclude``; and with ``files``, every file they do not match).
    ``alongside``: the test phase and the earlier phase it may start beside, if the settings
    allow it (``[tool.crackjack.tests] alongside``). ``repositories``: the table of the
    pre-commit repositories crackjack runs from PyPI (given with the built-in hooks).
    """

    hooks: Mapping[str, Hook]
    workflows: Mapping[str, Workflow]
    exclude: tuple[str, ...] = ()
    alongside: tuple[str, str] | None = None
    files: tuple[str, ...] = ()
    repositories: Path | None = None


def find_pyproject(start: Path, top: Path | None) -> Path | None:
    """The nearest pyproject.toml from ``start`` up to ``top``, the top of the git work tree
    around ``start`` (None outside one: up to the filesystem root)."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
        if folder == top:
            return None
    return None


def _read(pyproject: Path, staged: bytes | None) -> bytes:
    """The bytes of ``pyproject``, or its ``staged`` content when given."""
    if staged is not None:
        return staged
    try:
        return pyproject.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{pyproject}: cannot read: {exc}") from None


@value
class Project:
    """Where the project is, what its settings say, and the interpreter of its environment
    (``project_python``: its tests run on it). ``staged_pyproject``: the settings were read
    from the index's pyproject.toml (this path), which differs from the work tree's."""

    root: Path
    settings: SettingsValues
    python: str
    staged_pyproject: Path | None = None


def load_project(
    cwd: Path,
    flags: Mapping[str, Any],
    *,
    top: Path | None = None,
    staged: bool = False,
    crackjack_dir: Path | None = None,
) -> Project:
    """Read settings for the project around ``cwd``; ``flags`` are the command line's values.

    ``top``: the top of the git work tree around ``cwd`` (None outside one). Without a
    pyproject.toml the project root is ``top``, else ``cwd``. ``staged``: the run checks what
    will be committed, so a pyproject.toml with unstaged edits is read as it is staged.
    ``crackjack_dir``: crackjack's folder in the git directory, where validated settings are
    cached (None: in the user cache).
    """
    pyproject = find_pyproject(cwd, top)
    in_index = staged_version(pyproject, top) if staged and pyproject and top else None
    content = _read(pyproject, in_index) if pyproject else None

    def validated() -> SettingsValues:
        from crackjack.core.config.validate import validate

        return validate(pyproject, content, flags, staged=in_index is not None)

    key = settings_key(content, flags, os.environ)
    settings = cached_settings(cache_folder(crackjack_dir), key, validated)
    root = pyproject.parent if pyproject else (top or cwd)
    python = project_python(root, settings.tests.python, os.environ)
    staged_pyproject = pyproject if in_index is not None else None
    return Project(root=root, settings=settings, python=python, staged_pyproject=staged_pyproject)


def _pygrep() -> HookRunner:
    from crackjack.core.config.precommit_checks import pygrep

    return InProcess(pygrep)


def _fail() -> HookRunner:
    from crackjack.core.config.precommit_checks import fail

    return InProcess(fail)


RUNNERS: Mapping[str, Callable[[], HookRunner]] = {
    "command": Command,
    "pytest": Pytest,
    "pygrep": _pygrep,
    "fail": _fail,
}
"""The kinds of hook a project may ask for by name (``runner = "pytest"``): ``pygrep`` and
``fail`` are pre-commit's languages of those names (``args``: pygrep's flags, then its
regular expression; fail's message)."""

_HOOK_KEYS = frozenset(f.name for f in fields(Hook)) - {"id", "runner"}


def build_catalogue(settings: SettingsValues, builtins: Catalogue) -> Catalogue:
    """Merge the project's hook and workflow tables into the built-in ones (``builtins``)."""
    try:
        FileFilter(exclude=tuple(settings.exclude), types=()).validate()
    except ConfigError as exc:
        raise ConfigError(f"{TABLE}.exclude: {exc}") from None
    hooks = dict(builtins.hooks)
    for hook_id, config in settings.hooks.items():
        hook = _merge_hook(hook_id, hooks.get(hook_id), config)
        if _defines_anew(config):
            hooks.pop(hook_id, None)
        hooks[hook_id] = hook
    hook_phases = tuple(dict.fromkeys(hook.phase for hook in hooks.values()))
    workflows = dict(builtins.workflows)
    for name, workflow in settings.workflows.items():
        workflows[name] = _workflow(name, workflow, hook_phases)
    _check_hook_phases(settings.hooks, hooks, workflows)
    _check_skipped(settings.skip, hooks)
    alongside = _alongside(settings.tests.alongside, hook_phases)
    return Catalogue(
        hooks=hooks,
        workflows=workflows,
        exclude=(*builtins.exclude, *settings.exclude),
        alongside=alongside,
        files=builtins.files,
        repositories=builtins.repositories,
    )


def _defines_anew(config: HookValues) -> bool:
    """Whether a hook table gives the hook's program (``command`` or ``runner``): a built-in
    of that id is then replaced, and the hook takes the table's place in the order, among the
    project's own hooks, as fixers' order decides what they leave (``crackjack migrate`` keeps
    a ``.pre-commit-config.yaml``'s order so)."""
    return config.command is not None or config.runner is not None


def _merge_hook(hook_id: str, base: Hook | None, config: HookValues) -> Hook:
    """``base`` (a built-in, or None for a hook of the project's own) changed by ``config``:
    the keys every hook has change the hook, the others its runner."""
    where = f"{TABLE}.hooks.{hook_id}"
    changes = config.written()
    kind = changes.pop("runner", "command" if "command" in changes else None)
    if kind is not None and kind not in RUNNERS:
        raise ConfigError(f"{where}.runner: unknown runner {kind!r} (known: {', '.join(RUNNERS)})")
    if base is None:
        needs = {"command": kind is None, "phase": "phase" not in changes}
        missing = [key for key, absent in needs.items() if absent]
        if missing:
            raise ConfigError(
                f"{where}: a new hook needs {' and '.join(missing)}"
                " (or is the id misspelled? `crackjack hooks` lists the built-in ones)"
            )
    general = {key: changes.pop(key) for key in list(changes) if key in _HOOK_KEYS}
    if base is not None and "command" in changes and "cache" not in general:
        general["cache"] = "off"  # another program: the built-in's cache rule is not its own
    for key in ("cache_inputs", "cache_env"):  # more for the key, never fewer than it knows
        if base is not None and key in general:
            known = getattr(base, key)
            general[key] = (*known, *(item for item in general[key] if item not in known))
    try:
        runner = _runner(base, kind).configured(changes)
        hook = (
            Hook(id=hook_id, runner=runner, **general)
            if base is None
            else replace(base, runner=runner, **general)
        )
        hook.runner.validate(hook)
    except ConfigError as exc:
        raise ConfigError(f"{where}.{exc}") from None
    if not re.fullmatch(r"[\w.-]+", hook.phase):
        raise ConfigError(f"{where}.phase: {hook.phase!r} is not a valid phase name")
    try:
        hook.file_filter.validate()
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return hook


def _runner(base: Hook | None, kind: str | None) -> HookRunner:
    """The runner the project's keys apply to: ``base``'s, unless another kind is asked for."""
    make = RUNNERS[kind or "command"]
    if base is not None and (kind is None or type(base.runner) is make):
        return base.runner
    return make()


def _workflow(name: str, config: WorkflowValues, hook_phases: Sequence[str]) -> Workflow:
    """A workflow of the project's: it runs at least one phase, and each has hooks."""
    where = f"{TABLE}.workflows.{name}.phases"
    if not config.phases:
        raise ConfigError(f"{where}: name at least one phase ({_known(hook_phases)})")
    for phase in config.phases:
        if phase not in hook_phases:
            raise ConfigError(f"{where}: unknown phase {phase!r} ({_known(hook_phases)})")
    return Workflow(name=name, phases=config.phases, description=config.description)


def _check_hook_phases(
    configs: Mapping[str, HookValues], hooks: Mapping[str, Hook], workflows: Mapping[str, Workflow]
) -> None:
    """A phase the project gives a hook is one some workflow runs: else the hook never runs."""
    run_phases = tuple(dict.fromkeys(phase for w in workflows.values() for phase in w.phases))
    for hook_id, config in configs.items():
        phase = hooks[hook_id].phase
        if config.phase is not None and phase not in run_phases:
            raise ConfigError(
                f"{TABLE}.hooks.{hook_id}.phase: unknown phase {phase!r}: no workflow runs it"
                f" ({_known(run_phases)}; or add a workflow that runs it)"
            )


def _check_skipped(skip: Sequence[str], hooks: Mapping[str, Hook]) -> None:
    """Every hook the settings skip is one the project has."""
    for hook_id in skip:
        if hook_id not in hooks:
            known = ", ".join(hooks)
            raise ConfigError(f"{skip_origin()}: unknown hook {hook_id!r} (known: {known})")


def skip_origin() -> str:
    """Where the skip setting came from: ``CRACKJACK_SKIP`` wins over the file."""
    return SKIP_ENV if SKIP_ENV in os.environ else f"{TABLE}.skip"


def skip_reasons(settings: SettingsValues, hooks: Mapping[str, Hook]) -> dict[str, str]:
    """Each hook the settings or pre-commit's ``SKIP`` skip, with where that came from.

    Ids in ``SKIP`` that ``hooks`` lacks are ignored, as pre-commit does: the variable is
    shared with the pre-commit configurations of other projects and hooks.
    """
    named = (item.strip() for item in os.environ.get(PRE_COMMIT_SKIP, "").split(","))
    reasons = {hook_id: f"skipped by {PRE_COMMIT_SKIP}" for hook_id in named if hook_id in hooks}
    reasons.update(dict.fromkeys(settings.skip, f"skipped by {skip_origin()}"))
    return reasons


def _alongside(beside: str | None, hook_phases: Sequence[str]) -> tuple[str, str] | None:
    """The test phase and the phase it may run beside, if the settings allow it."""
    if beside is None:
        return None
    if beside not in hook_phases:
        raise ConfigError(
            f"{TABLE}.tests.alongside: unknown phase {beside!r} ({_known(hook_phases)})"
        )
    return (TEST_PHASE, beside)


def _known(phases: Sequence[str]) -> str:
    return f"known: {', '.join(phases)}"
