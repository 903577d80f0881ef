"""One hook of a ``.pre-commit-config.yaml`` as crackjack's hook data, run as pre-commit runs it.

- ``repo: local``: ``system`` and ``python`` run their entry (``python`` with its
  ``additional_dependencies`` as a pinned environment's ``requires``), ``script`` runs the file
  its entry names from the project root, ``pygrep`` and ``fail`` run in-process.
- A repository of the known table: its distribution from PyPI at the version ``rev`` names
  (plus ``additional_dependencies``), with the entry, args, types and files its
  ``.pre-commit-hooks.yaml`` gives, or crackjack's built-in check where that behaves the same.
- Anything else (another language, an unknown repository, ``repo: meta``) is a hook that shows
  as missing with the reason.

``files`` and ``exclude`` stay regular expressions (``regex:`` patterns, searched in the path
as pre-commit does). Every hook but ``pygrep`` and ``fail`` counts as a fixer unless the table
says it never writes: pre-commit runs hooks one after another and any may rewrite files, so a
hook never runs beside another one on the same files.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from crackjack.core.config.precommit_checks import fail, pygrep
from crackjack.core.config.precommit_repos import (
    KnownRepository,
    ManifestHook,
    normal_url,
    older,
    version_of,
)
from crackjack.core.errors import ConfigError
from crackjack.core.files.patterns import REGEX_PREFIX
from crackjack.core.runners.command import Command
from crackjack.core.runners.hook import Hook, HookRunner
from crackjack.core.runners.inprocess import InProcess
from crackjack.core.runners.unavailable import Unavailable
from crackjack.core.valueclass import replace, value

STAGES = (
    "commit-msg",
    "post-checkout",
    "post-commit",
    "post-merge",
    "post-rewrite",
    "pre-commit",
    "pre-merge-commit",
    "pre-push",
    "pre-rebase",
    "prepare-commit-msg",
    "manual",
)
LEGACY_STAGES = {"commit": "pre-commit", "merge-commit": "pre-merge-commit", "push": "pre-push"}
FAST_PHASE = "fast"
"""The phase of the hooks that run at the ``pre-commit`` stage."""

ADVICE = "run it with pre-commit, or add it to [tool.crackjack]"


@value(kw_only=True, eq=True)
class MapContext:
    """What mapping one hook needs besides the hook: its repository's ``repo`` and ``rev``,
    the file's ``default_stages``, the built-in hooks and the known repositories."""

    where: str
    repo: str
    rev: str
    default_stages: tuple[str, ...]
    builtins: Mapping[str, Hook]
    known: Mapping[str, KnownRepository]


def map_hook(raw: Mapping[str, Any], context: MapContext) -> tuple[Hook, tuple[str, ...]]:
    """``raw`` (one item of a repository's ``hooks``) as a crackjack hook, and its stages."""
    hook_id = _text(raw, "id", context.where, None)
    where = f"{context.where} ({hook_id})"
    if context.repo == "local":
        manifest, runner, requires = _local(raw, where)
    elif context.repo == "meta":
        manifest = ManifestHook(entry="")
        runner = Unavailable(f"a pre-commit meta hook, about pre-commit's own use: {ADVICE}")
        requires = ()
    else:
        manifest, runner, requires = _remote(raw, hook_id, context, where)
    stages = _stages(raw, manifest, context, where)
    return _hook(raw, hook_id, manifest, runner, requires, stages, where, context), stages


def _hook(
    raw: Mapping[str, Any],
    hook_id: str,
    manifest: ManifestHook,
    runner: HookRunner,
    requires: tuple[str, ...],
    stages: tuple[str, ...],
    where: str,
    context: MapContext,
) -> Hook:
    files = _text(raw, "files", where, manifest.files)
    args = _texts(raw, "args", where, manifest.args)
    if isinstance(runner, InProcess):  # pygrep and fail take their entry as an argument
        args = (*args, _text(raw, "entry", where, manifest.entry))
    hook = Hook(
        id=hook_id,
        name=_text(raw, "name", where, hook_id),
        phase=FAST_PHASE if "pre-commit" in stages else stages[0],
        runner=runner,
        args=args,
        files=_regexes(files, ""),
        exclude=_regexes(_text(raw, "exclude", where, "^$"), "^$"),
        types=_texts(raw, "types", where, manifest.types),
        types_or=_texts(raw, "types_or", where, manifest.types_or),
        exclude_types=_texts(raw, "exclude_types", where, ()),
        always_run=_flag(raw, "always_run", where, manifest.always_run),
        fixer=manifest.fixer,
        requires=requires,
        python=_python(raw, where),
    )
    builtin = manifest.builtin_for(args)
    if builtin is None or builtin not in context.builtins:
        return hook
    base = context.builtins[builtin]
    same = replace(hook, runner=base.runner, fixer=base.fixer, requires=())
    try:
        base.runner.validate(same)
    except ConfigError:  # args the built-in does not read as the hook does: the hook's own
        return hook
    return same


def stages_of(
    raw: Mapping[str, Any], manifest: ManifestHook, default: Sequence[str]
) -> tuple[str, ...]:
    """The stages a hook runs at: its own, else its manifest's, else ``default_stages``."""
    given = raw.get("stages") or manifest.stages or default or STAGES
    return tuple(LEGACY_STAGES.get(stage, stage) for stage in given)


def _stages(
    raw: Mapping[str, Any], manifest: ManifestHook, context: MapContext, where: str
) -> tuple[str, ...]:
    _texts(raw, "stages", where, ())
    stages = stages_of(raw, manifest, context.default_stages)
    for stage in stages:
        if stage not in STAGES:
            raise ConfigError(f"{where}.stages: unknown stage {stage!r} ({', '.join(STAGES)})")
    return stages


def _local(raw: Mapping[str, Any], where: str) -> tuple[ManifestHook, HookRunner, tuple[str, ...]]:
    entry = _text(raw, "entry", where, None)
    language = _text(raw, "language", where, None)
    passes = _flag(raw, "pass_filenames", where, True)
    manifest = ManifestHook(entry=entry, language=language, fixer=True, pass_filenames=passes)
    deps = _texts(raw, "additional_dependencies", where, ())
    if language in ("system", "python", "script"):
        argv = _split(entry, where)
        if language == "script" and "/" not in argv[0]:
            argv = (f"./{argv[0]}", *argv[1:])
        requires = deps if language == "python" else ()
        return manifest, Command(command=argv, pass_filenames=passes), requires
    if language in ("pygrep", "fail"):
        check = pygrep if language == "pygrep" else fail
        return replace(manifest, fixer=False), InProcess(check), ()
    reason = f"a {language} hook: crackjack runs system, python, script, pygrep and fail; {ADVICE}"
    return manifest, Unavailable(reason), ()


def _remote(
    raw: Mapping[str, Any], hook_id: str, context: MapContext, where: str
) -> tuple[ManifestHook, HookRunner, tuple[str, ...]]:
    known = context.known.get(normal_url(context.repo))
    cloned = Unavailable(f"needs the repository {context.repo} cloned; {ADVICE}")
    if known is None:
        return ManifestHook(entry="", fixer=True), cloned, ()
    manifest = known.hooks.get(hook_id)
    version = version_of(context.rev)
    if manifest is None:
        reason = f"{context.repo} has no hook {hook_id!r} that crackjack knows of; {ADVICE}"
        return ManifestHook(entry="", fixer=True), Unavailable(reason), ()
    if version is None:
        reason = f"rev {context.rev!r} of {context.repo} is no release on PyPI; {ADVICE}"
        return manifest, Unavailable(reason), ()
    if manifest.since is not None and older(version, manifest.since):
        reason = f"{context.repo} has hook {hook_id!r} since {manifest.since}, not at {version}"
        return manifest, Unavailable(reason), ()
    manifest = manifest.at(version)
    entry = _text(raw, "entry", where, manifest.entry)
    if manifest.language in ("fail", "pygrep"):
        return manifest, InProcess(fail if manifest.language == "fail" else pygrep), ()
    extras = f"[{','.join(manifest.extras)}]" if manifest.extras else ""
    deps = _texts(raw, "additional_dependencies", where, ())
    requires = (f"{known.distribution}{extras}=={version}", *deps)
    passes = _flag(raw, "pass_filenames", where, manifest.pass_filenames)
    return manifest, Command(command=_split(entry, where), pass_filenames=passes), requires


def _python(raw: Mapping[str, Any], where: str) -> str | None:
    """``language_version: python3.12`` as ``3.12``; ``python3`` and ``default``: None."""
    version = _text(raw, "language_version", where, "default")
    found = re.fullmatch(r"(?:python)?(3\.\d+)", version)
    return found.group(1) if found else None


def _regexes(source: str, matches_all_or_none: str) -> tuple[str, ...]:
    """A pre-commit regex as crackjack's patterns: none for the default that changes nothing."""
    return () if source == matches_all_or_none else (REGEX_PREFIX + source,)


def _split(entry: str, where: str) -> tuple[str, ...]:
    try:
        argv = tuple(shlex.split(entry))
    except ValueError as exc:
        raise ConfigError(f"{where}.entry: {exc}") from None
    if not argv:
        raise ConfigError(f"{where}.entry: must not be empty")
    return argv


def _text(raw: Mapping[str, Any], key: str, where: str, default: str | None) -> str:
    value = raw.get(key, default)
    if value is None:
        raise ConfigError(f"{where}: {key} is required")
    if not isinstance(value, str):
        raise ConfigError(f"{where}.{key}: expected a string")
    return value


def _texts(
    raw: Mapping[str, Any], key: str, where: str, default: tuple[str, ...]
) -> tuple[str, ...]:
    value = raw.get(key, default)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}.{key}: expected a list of strings")
    return tuple(value)


def _flag(raw: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}.{key}: expected true or false")
    return value
