"""A pre-commit configuration written as the equivalent ``[tool.crackjack]`` (``crackjack
migrate``): its hooks with their pinned ``requires``, globs where a regular expression has an
exact glob form (``regexglob``), the ``regex:`` form where it has none, and the built-in hooks
it does not use switched off, so the migrated settings run the same hooks on the same files.

What cannot be carried over (a hook crackjack cannot run, the file's top-level ``files``) is
said, never dropped in silence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from crackjack.core.config.load import Catalogue
from crackjack.core.config.precommit import PreCommitConfig
from crackjack.core.config.precommit_checks import fail, pygrep
from crackjack.core.config.regexglob import globs_for
from crackjack.core.files.patterns import REGEX_PREFIX
from crackjack.core.runners.command import Command
from crackjack.core.runners.hook import Hook
from crackjack.core.runners.inprocess import InProcess
from crackjack.core.runners.outcome import toml_key
from crackjack.core.runners.unavailable import Unavailable
from crackjack.core.valueclass import field, record

TABLE = "tool.crackjack"


@record
class Migration:
    """The TOML to append (``text``), how many hooks it holds, and what could not be carried
    over (``notes``)."""

    text: str = ""
    hooks: int = 0
    notes: list[str] = field(default_factory=list)


def migrate(
    config: PreCommitConfig, builtins: Catalogue, existing: Mapping[str, Any] | None
) -> Migration:
    """``config`` as ``[tool.crackjack]`` tables. ``existing``: the project's
    ``[tool.crackjack]`` table if it has one (its top-level keys cannot be appended to)."""
    result = Migration()
    catalogue = config.catalogue
    builtin_runners = {id(hook.runner): hook_id for hook_id, hook in builtins.hooks.items()}
    tables: dict[str, dict[str, Any]] = {}
    for hook in catalogue.hooks.values():
        if isinstance(hook.runner, Unavailable):
            result.notes.append(f"hook {hook.id}: not carried over: {hook.runner.reason}")
            continue
        hook_id = builtin_runners.get(id(hook.runner), hook.id)
        if hook_id != hook.id:
            result.notes.append(f"hook {hook.id} is crackjack's built-in {hook_id}: named so")
        tables[hook_id] = _hook_table(hook, hook_id in builtins.hooks)
        result.hooks += 1
    for hook_id in builtins.hooks:
        tables.setdefault(hook_id, {"enabled": False})
    top = _top(config, catalogue, result)
    lines = _top_lines(top, existing, result)
    for hook_id, table in tables.items():
        lines += ["", f"[{TABLE}.hooks.{toml_key(hook_id)}]", *_keys(table)]
    for name, workflow in catalogue.workflows.items():
        if name in builtins.workflows:
            continue
        if existing and name in existing.get("workflows", {}):
            result.notes.append(f"workflow {name}: the project has one already; kept as it is")
            continue
        lines += ["", f"[{TABLE}.workflows.{toml_key(name)}]", *_keys({"phases": workflow.phases})]
    result.text = "\n".join(lines).lstrip("\n") + "\n"
    return result


def _top(config: PreCommitConfig, catalogue: Catalogue, result: Migration) -> dict[str, Any]:
    top: dict[str, Any] = {}
    if catalogue.exclude:
        top["exclude"] = _patterns(catalogue.exclude)
    if config.fail_fast:
        top["fail-fast"] = True
    if catalogue.files:
        source = catalogue.files[0].removeprefix(REGEX_PREFIX)
        result.notes.append(
            f"files: {source!r} (the file's top-level files) not carried over: add it to each"
            " hook's files"
        )
    return top


def _top_lines(
    top: Mapping[str, Any], existing: Mapping[str, Any] | None, result: Migration
) -> list[str]:
    """``[tool.crackjack]`` with ``top``, or, when the project has that table already, the
    notes on the keys that must be added there by hand."""
    if existing is None:
        return [f"[{TABLE}]", *_keys(top)] if top else []
    for key, value in top.items():
        result.notes.append(f"{key}: add `{key} = {_value(value)}` to [{TABLE}] yourself")
    return []


def _hook_table(hook: Hook, replaces_builtin: bool) -> dict[str, Any]:
    """The keys that make ``hook``; every general key is written when the id is a built-in's,
    so that none of the built-in's own values is left."""
    table: dict[str, Any] = {}
    runner = hook.runner
    if isinstance(runner, Command):
        table["command"] = runner.command
        if not runner.pass_filenames:
            table["pass_filenames"] = False
    elif isinstance(runner, InProcess) and runner.check in (pygrep, fail):
        table["runner"] = "pygrep" if runner.check is pygrep else "fail"
    table.update(
        name=hook.name,
        phase=hook.phase,
        args=hook.args,
        files=_patterns(hook.files),
        exclude=_patterns(hook.exclude),
        types=hook.types,
        types_or=hook.types_or,
        exclude_types=hook.exclude_types,
        fixer=hook.fixer,
        always_run=hook.always_run,
        requires=hook.requires,
        python=hook.python,
    )
    default = Hook(id=hook.id, phase=hook.phase, runner=hook.runner)
    return {
        key: value
        for key, value in table.items()
        if value is not None
        and (replaces_builtin or key == "phase" or value != getattr(default, key, None))
    }


def _patterns(patterns: Sequence[str]) -> tuple[str, ...]:
    """Each ``regex:`` pattern as its exact globs when it has them."""
    out: list[str] = []
    for pattern in patterns:
        regex = pattern.startswith(REGEX_PREFIX)
        globs = globs_for(pattern.removeprefix(REGEX_PREFIX)) if regex else None
        out.extend(globs if globs is not None else (pattern,))
    return tuple(out)


def _keys(table: Mapping[str, Any]) -> Iterator[str]:
    for key, value in table.items():
        yield f"{key.replace('_', '-')} = {_value(value)}"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    return "[" + ", ".join(_value(item) for item in value) + "]"


def _string(text: str) -> str:
    """A literal string where it can be one (regular expressions read best so), else basic."""
    if "'" not in text and not re.search(r"[\x00-\x1f\x7f]", text):
        return f"'{text}'"
    return json.dumps(text, ensure_ascii=False)
