"""The table of pre-commit repositories crackjack runs from PyPI (``crackjack/hooks/
precommit_repos.toml``, handed in by the caller: core does not import ``hooks/``)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crackjack.core.valueclass import field, replace, value

_VERSION = re.compile(r"\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?")


@value(kw_only=True, eq=True)
class ManifestHook:
    """One hook as its repository's ``.pre-commit-hooks.yaml`` declares it."""

    entry: str
    language: str = "python"
    args: tuple[str, ...] = ()
    files: str = ""
    types: tuple[str, ...] = ("file",)
    types_or: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    pass_filenames: bool = True
    always_run: bool = False
    fixer: bool = False
    extras: tuple[str, ...] = ()
    since: str | None = None
    builtin: str | None = None
    builtin_when: str = "no-args"
    before: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def at(self, version: str) -> ManifestHook:
        """The hook as the release ``version`` declares it (``before``: what older ones say)."""
        hook = self
        for since, values in sorted(self.before.items(), key=lambda item: _key(item[0])):
            if older(version, since):
                hook = replace(hook, **_fields(values))
                break
        return hook

    def builtin_for(self, args: tuple[str, ...]) -> str | None:
        """The built-in check that behaves as this hook does with ``args``, if one does."""
        if self.builtin is None:
            return None
        if self.builtin_when == "no-args":
            return self.builtin if not args else None
        needed = self.builtin_when.removeprefix("args-include:")
        return self.builtin if needed in args else None


@value(eq=True)
class KnownRepository:
    distribution: str
    hooks: Mapping[str, ManifestHook] = field(default_factory=dict)


def normal_url(url: str) -> str:
    """``url`` as the table knows it: host and path, lower case, no scheme or ``.git``."""
    text = url.strip().lower().removesuffix("/").removesuffix(".git")
    text = re.sub(r"^(?:[a-z+]+://)?(?:[^@/]+@)?", "", text)
    return text.replace(":", "/", 1) if "/" not in text.split(":", 1)[0] else text


def version_of(rev: str) -> str | None:
    """The release a ``rev`` names (``v0.15.6`` is 0.15.6), or None for a commit or branch."""
    version = rev.strip().removeprefix("v")
    return version if _VERSION.fullmatch(version) else None


def older(version: str, than: str) -> bool:
    """Whether release ``version`` comes before ``than`` (numbers compared as numbers)."""
    return _key(version) < _key(than)


def _key(version: str) -> tuple[int, ...]:
    release = re.match(r"[\d.]*", version)
    return tuple(int(part) for part in (release.group() if release else "").split(".") if part)


def read_table(path: Path) -> dict[str, KnownRepository]:
    """The table in ``path``, by normalised URL."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    table: dict[str, KnownRepository] = {}
    for entry in data["repository"]:
        hooks = {hook_id: _hook(values) for hook_id, values in entry["hooks"].items()}
        known = KnownRepository(entry["distribution"], hooks)
        for url in entry["urls"]:
            table[normal_url(url)] = known
    return table


def _hook(values: Mapping[str, Any]) -> ManifestHook:
    return ManifestHook(**_fields(values))


def _fields(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key.replace("-", "_"): tuple(value) if isinstance(value, list) else value
        for key, value in values.items()
    }
