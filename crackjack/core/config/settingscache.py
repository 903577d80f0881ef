"""Validated settings, remembered for the exact inputs that gave them (DESIGN.md 11).

Validating costs an import of pydantic and pydantic-settings, more than a commit's light hooks
take to run; the values it gives depend only on what is in the key, so a run with the same
inputs reads them back as JSON instead. The key is a digest of: the cache format, crackjack's
version, the source of the validator and of the values, the exact bytes of the configuration
read (pyproject.toml's, the staged ones in git-hook mode, or the fact that there is none), every
``CRACKJACK_*`` variable (any case: the variables are read without regard to case) and the
command line's values. What is computed after validation (the project's interpreter, the
hooks ``SKIP`` names) is not cached.

One small file per key, written atomically, in ``<git dir>/crackjack/settings/`` (else the
user cache); the last few used are kept. Only valid settings are stored, so a mistake is found
and shown on every run. The cache is an optimisation: an entry that cannot be read, is corrupt
or cannot be written is ignored and never changes what a run does.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import crackjack
from crackjack.core.config.values import SettingsValues, from_json, to_json
from crackjack.core.digest import hexdigest
from crackjack.core.files.fsutil import (
    atomic_write,
    remove_temporaries,
    sources_digest,
    user_cache_home,
)

FORMAT = 1
"""The layout of an entry; a change makes every older entry a miss."""
KEEP = 8
"""How many entries a folder keeps: the most recently used."""
_SUFFIX = ".json"
_SOURCES = tuple(Path(__file__).with_name(name) for name in ("validate.py", "values.py"))
"""The modules the values depend on: an edit of one (a development install) is a miss."""


def cache_folder(crackjack_dir: Path | None) -> Path | None:
    """Where the entries live: in crackjack's folder of the git directory (``crackjack_dir``),
    else in the user cache; None when there is neither."""
    if crackjack_dir is not None:
        return crackjack_dir / "settings"
    home = user_cache_home()
    return None if home is None else home / "crackjack" / "settings"


def settings_key(config: bytes | None, flags: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    """The digest of every input of validation (see the module docstring)."""
    variables = sorted(
        (name, value) for name, value in environ.items() if name.upper().startswith("CRACKJACK_")
    )
    inputs = {
        "format": FORMAT,
        "version": crackjack.__version__,
        "sources": sources_digest(_SOURCES),
        "config": None if config is None else hexdigest(config),
        "environ": variables,
        "flags": sorted(flags.items()),
    }
    text = json.dumps(inputs, sort_keys=True, default=repr)
    return hexdigest(text.encode())


def cached_settings(
    folder: Path | None, key: str, validate: Callable[[], SettingsValues]
) -> SettingsValues:
    """The settings stored under ``key`` in ``folder``, else ``validate()``'s, then stored.
    ``validate``'s errors pass through, and nothing is stored for them."""
    if folder is not None and (hit := _read(folder / f"{key}{_SUFFIX}", key)) is not None:
        return hit
    values = validate()
    if folder is not None:
        _write(folder, key, values)
    return values


def _read(path: Path, key: str) -> SettingsValues | None:
    try:
        entry = json.loads(path.read_bytes())
        if entry["format"] != FORMAT or entry["key"] != key:
            return None
        values = from_json(entry["settings"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)
    return values


def _write(folder: Path, key: str, values: SettingsValues) -> None:
    entry = {"format": FORMAT, "key": key, "settings": to_json(values)}
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write(folder / f"{key}{_SUFFIX}", json.dumps(entry).encode())
        _prune(folder)


def _prune(folder: Path) -> None:
    """Remove all but the ``KEEP`` most recently used entries, and the half-written ones a
    killed crackjack left."""
    remove_temporaries([folder])
    entries = []
    for path in folder.glob(f"*{_SUFFIX}"):
        with contextlib.suppress(OSError):
            entries.append((path.stat().st_mtime_ns, path))
    for _, path in sorted(entries, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            path.unlink()
