"""A project's ``.pre-commit-config.yaml`` as the source of its hooks.

It is used when the project's settings define no hooks of their own (``[tool.crackjack.hooks]``)
or when ``--config`` names it; then its hooks, and only its hooks (no built-in is added), in
its order, are the project's. ``[tool.crackjack]`` still applies on top: its workflows, skips
and excludes, and changes to these hooks by id.

Stages and workflows: the ``pre-commit`` stage is the fast phase, so ``crackjack --fast``, the
git hook and ``crackjack`` itself (``standard``) run what ``pre-commit run`` runs. A hook that
does not run at ``pre-commit`` is in a phase named after its first stage (``pre-push``,
``manual``...), and each stage a hook names is a workflow (``crackjack --workflow pre-push``,
and the ``pre-push`` git hook) running every phase with a hook of that stage.

PyYAML is imported only when there is such a file to read.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from crackjack.core.config.load import Catalogue, Workflow
from crackjack.core.config.precommit_hooks import (
    FAST_PHASE,
    STAGES,
    MapContext,
    map_hook,
)
from crackjack.core.config.precommit_repos import read_table
from crackjack.core.errors import ConfigError
from crackjack.core.files.patterns import REGEX_PREFIX
from crackjack.core.runners.hook import Hook
from crackjack.core.runners.unavailable import Unavailable
from crackjack.core.valueclass import replace, value

_FROZEN = re.compile(r"""^\s*-?\s*rev:\s*['"]?([0-9a-f]{7,40})['"]?\s*#\s*frozen:\s*(\S+)""", re.M)
"""``rev: <commit>  # frozen: v1.2.3``, as ``pre-commit autoupdate --freeze`` writes it: the
commit of that tag, so the release it names."""


@value(eq=True)
class PreCommitConfig:
    """What a ``.pre-commit-config.yaml`` says, as crackjack's hooks and workflows.
    ``wraps_crackjack``: one of its hooks runs crackjack itself (the file is how the project
    runs crackjack from pre-commit, not a list of hooks for crackjack to run)."""

    catalogue: Catalogue
    fail_fast: bool
    wraps_crackjack: bool


def read_precommit(path: Path, builtins: Catalogue, text: str | None = None) -> PreCommitConfig:
    """The hooks of the pre-commit configuration at ``path`` (``text``: its content, when not
    the file's); ConfigError for a file that is not one, naming where it is wrong."""
    text = _read_text(path) if text is None else text
    data = _load_yaml(path, text)
    frozen = dict(_FROZEN.findall(text))
    if not isinstance(data, dict) or not isinstance(data.get("repos"), list):
        raise ConfigError(f"{path}: not a pre-commit configuration (it needs a list of repos)")
    known = read_table(builtins.repositories) if builtins.repositories else {}
    default_stages = _default_stages(data, path)
    hooks: dict[str, Hook] = {}
    stages: list[tuple[str, ...]] = []
    wraps = False
    for index, repo in enumerate(data["repos"]):
        where = f"{path}: repos[{index}]"
        if not isinstance(repo, dict) or not isinstance(repo.get("repo"), str):
            raise ConfigError(f"{where}: expected a table with repo and hooks")
        raws = repo.get("hooks")
        if not isinstance(raws, list):
            raise ConfigError(f"{where}.hooks: expected a list of hooks")
        context = MapContext(
            where=where,
            repo=repo["repo"],
            rev=frozen.get(str(repo.get("rev", "")), str(repo.get("rev", ""))),
            default_stages=default_stages,
            builtins=builtins.hooks,
            known=known,
        )
        for number, raw in enumerate(raws):
            if not isinstance(raw, dict):
                raise ConfigError(f"{where}.hooks[{number}]: expected a table with an id")
            hook, hook_stages = map_hook(raw, replace(context, where=f"{where}.hooks[{number}]"))
            if _runs_crackjack(repo["repo"], raw):
                wraps = True
                hook = replace(hook, runner=Unavailable("it runs crackjack itself"))
            hook_id = _unique(hook.id, hooks)
            hooks[hook_id] = replace(hook, id=hook_id)
            stages.append(hook_stages)
    catalogue = Catalogue(
        hooks=hooks,
        workflows=_workflows(tuple(hooks.values()), stages),
        exclude=_top_regex(data, "exclude", "^$", path),
        files=_top_regex(data, "files", "", path),
        repositories=builtins.repositories,
    )
    fail_fast = data.get("fail_fast", False)
    if not isinstance(fail_fast, bool):
        raise ConfigError(f"{path}: fail_fast: expected true or false")
    return PreCommitConfig(catalogue, fail_fast, wraps)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None


def _load_yaml(path: Path, text: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # nosec B506: a safe loader (CSafeLoader, else SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{at}: invalid YAML: {problem}") from None


def _default_stages(data: Mapping[str, Any], path: Path) -> tuple[str, ...]:
    stages = data.get("default_stages", [])
    if not isinstance(stages, list) or not all(isinstance(s, str) for s in stages):
        raise ConfigError(f"{path}: default_stages: expected a list of stages")
    return tuple(stages)


def _top_regex(data: Mapping[str, Any], key: str, default: str, path: Path) -> tuple[str, ...]:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{path}: {key}: expected a regular expression")
    return () if value == default else (REGEX_PREFIX + value,)


def _workflows(hooks: Sequence[Hook], stages: Sequence[tuple[str, ...]]) -> dict[str, Workflow]:
    """``fast`` and ``standard`` (the pre-commit stage), and one workflow per other stage a
    hook names (a hook that names none runs at every stage)."""
    at: dict[str, list[str]] = {}
    for hook, hook_stages in zip(hooks, stages, strict=True):
        for stage in hook_stages if hook_stages != STAGES else ():
            at.setdefault(stage, [])
            if hook.phase not in at[stage]:
                at[stage].append(hook.phase)
    workflows = {
        "fast": Workflow("fast", (FAST_PHASE,), "the hooks of the pre-commit stage"),
        "standard": Workflow("standard", (FAST_PHASE,), "what `pre-commit run` runs"),
    }
    every = [
        hook.phase for hook, hook_stages in zip(hooks, stages, strict=True) if hook_stages == STAGES
    ]
    for stage in STAGES:
        if stage in at and stage != "pre-commit":
            phases = tuple(dict.fromkeys((*every, *at[stage])))
            workflows[stage] = Workflow(stage, phases, f"the {stage} stage's hooks")
    return workflows


def _runs_crackjack(repo: str, raw: Mapping[str, Any]) -> bool:
    """Whether a hook runs crackjack (``crackjack ...``, ``python -m crackjack``, or a hook of
    crackjack's own repository): read as crackjack's hooks, it would run crackjack again."""
    if repo.rstrip("/").removesuffix(".git").endswith("/crackjack"):
        return True
    entry = raw.get("entry")
    try:
        words = shlex.split(entry) if isinstance(entry, str) else []
    except ValueError:
        return False
    return bool(words) and (Path(words[0]).name == "crackjack" or words[1:3] == ["-m", "crackjack"])


def _unique(hook_id: str, hooks: Mapping[str, Hook]) -> str:
    """``hook_id``, or ``hook_id-2``... when an earlier hook has it (pre-commit allows that)."""
    if hook_id not in hooks:
        return hook_id
    number = 2
    while f"{hook_id}-{number}" in hooks:
        number += 1
    return f"{hook_id}-{number}"
