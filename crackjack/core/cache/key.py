"""The result cache's keys: digests of everything that can change a hook's verdict.

A hook's *bucket* key holds what is the same for all its files: the cache format and
crackjack's version; the hook as it runs (its argv after expansion with the program's path and
the project's interpreter named, not spelt, and other paths made relative to the root; its
environment, file filter, arguments, fixing or not (a check-only run gives fixers their
check variant: another argv, or ``fixer`` off; a fixer run on a scratch copy is keyed apart),
``requires`` and ``python``, and the runner's own settings, with the source of any function
of crackjack's it calls); the program's identity and the environments it runs in
(``identity``); the configuration files found from the root (``inputs``) and the allowlisted
variables. A file's key, kept in its hook's bucket, is its path, its content id and the
configuration files up its folder's tree; a whole-program hook's key holds its bucket and
those of every file of its input set.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping, MutableMapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import crackjack
from crackjack.core.cache import identity
from crackjack.core.cache.inputs import is_bare, variables
from crackjack.core.cache.store import FORMAT
from crackjack.core.digest import hexdigest, maker
from crackjack.core.valueclass import fields, is_value

if TYPE_CHECKING:
    from crackjack.core.run.plan import HookPlan


def bucket_key(
    plan: HookPlan,
    *,
    root: Path,
    python: str,
    rooted: list[tuple[str, str]],
    memo: MutableMapping[str, list[object]],
    environ: Mapping[str, str],
) -> str:
    """The digest of everything but the files (see the module docstring); ``rooted``: the
    configuration files the hook's ``cache-inputs`` name from the root (``Inputs.rooted``)."""
    hook = plan.hook
    parts: dict[str, Any] = {
        "format": FORMAT,
        "crackjack": crackjack.__version__,
        "hook": hook.id,
        "mode": hook.cache,
        "argv": _argv(plan.argv, plan.executable, python, root),
        "args": hook.args,
        "env": sorted(hook.env.items()),
        "filter": describe(hook.file_filter),
        "fixer": hook.fixer,
        "scratch": plan.scratch,
        "requires": sorted(hook.requires),
        "python": hook.python,
        "runner": describe(hook.runner),
        "program": _program(plan.executable, memo),
        "project": identity.environment(python) if python in plan.argv else "",
        "inputs": rooted,
        "variables": variables(hook.cache_env, environ),
    }
    return digest(json.dumps(parts, sort_keys=True, default=repr))


def file_keys(files: Iterable[tuple[str, str, str]]) -> list[str]:
    """The key of each file's pass within a hook's bucket, from its path, content id and
    chain of configuration files (the bucket is the store's folder the key is kept and looked
    up in, so it need not be in the key: hooks with the same chain share the key of a file)."""
    make = maker("sha256")
    return [
        make(f"{path}\0{content}\0{chain}".encode("utf-8", "surrogateescape")).hexdigest()[:32]
        for path, content, chain in files
    ]


def whole_key(bucket: str, contents: Mapping[str, str], chains: Mapping[str, str]) -> str:
    """The key of a whole-program hook's pass on its input set."""
    listed = sorted(contents.items())
    folders = sorted(chains.items())
    return digest(json.dumps([bucket, listed, folders]))


def bare_names(patterns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(pattern for pattern in patterns if is_bare(pattern))


def digest(text: str) -> str:
    return hexdigest(text.encode("utf-8", "surrogateescape"))[:32]


def describe(value: object) -> object:
    """``value`` as stable data: a value by its fields, a function by its name and a
    digest of its module's source (an edited check of an editable install is a new key)."""
    if is_value(value):
        described = {f.name: describe(getattr(value, f.name)) for f in fields(value)}
        return [type(value).__qualname__, described]
    if isinstance(value, tuple | list):
        return [describe(item) for item in value]
    if isinstance(value, Mapping):
        return sorted((str(k), describe(v)) for k, v in value.items())
    if callable(value):
        module = getattr(value, "__module__", "") or ""
        return [module, getattr(value, "__qualname__", ""), _module_digest(module)]
    return value if isinstance(value, str | int | float | bool | None) else repr(value)


@cache
def _module_digest(module: str) -> str:
    path = getattr(sys.modules.get(module), "__file__", None)
    if not path:
        return ""
    try:
        return hexdigest(Path(path).read_bytes())[:32]
    except OSError:
        return ""


def _argv(argv: tuple[str, ...], executable: str | None, python: str, root: Path) -> list[str]:
    shown = []
    for index, arg in enumerate(argv):
        if index == 0 and arg == executable:
            arg = "<program>"
        elif arg == python:
            arg = "<python>"
        elif os.path.isabs(arg):
            relative = os.path.relpath(arg, root)
            arg = arg if relative.startswith("..") else relative
        shown.append(arg)
    return shown


def _program(executable: str | None, memo: MutableMapping[str, list[object]]) -> list[str]:
    """The program's digest and, for a script or a Python, its environment's."""
    if executable is None:
        return []
    runs_in = identity.interpreter(executable)
    if runs_in is None and os.path.basename(executable).startswith("python"):
        runs_in = executable
    environment = identity.environment(runs_in) if runs_in else ""
    return [identity.executable_digest(executable, memo), environment]
