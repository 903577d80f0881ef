"""The marker inside an environment: its key, requirements, Python and installer, written once
the environment is complete. An environment whose marker is missing, unreadable or names
another key is not one."""

from __future__ import annotations

import json
from pathlib import Path

from crackjack.core.files.fsutil import atomic_write, read_json_object
from crackjack.core.toolenv.spec import FORMAT, EnvSpec

MARKER = "crackjack-env.json"


def write_marker(folder: Path, spec: EnvSpec, installer: str) -> None:
    data = {
        "format": FORMAT,
        "key": spec.key,
        "requires": list(spec.requires),
        "python": spec.python,
        "installer": installer,
    }
    atomic_write(folder / MARKER, json.dumps(data, indent=2).encode() + b"\n")


def marker_key(folder: Path) -> str | None:
    """The key the marker in ``folder`` names, or None when there is no readable marker."""
    data = read_json_object(folder / MARKER)
    if data is None or data.get("format") != FORMAT:
        return None
    key = data.get("key")
    return key if isinstance(key, str) else None
