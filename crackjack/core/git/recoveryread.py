"""Reading the recovery data back (``state.json`` and ``base.json``, see
``crackjack.core.git.recoverydata``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crackjack.core.git.recoverydata import (
    BASE_NAME,
    STATE_NAME,
    STATE_VERSION,
    FileState,
    RecoveryData,
    RecoveryDataDamaged,
    SavedFile,
    digest_file,
    recovery_dir,
)
from crackjack.core.git.worktree import WorkTree
from crackjack.core.valueclass import value


def read_recovery_data(tree: WorkTree) -> RecoveryData | None:
    """The recovery data of ``tree``; None when there is none (no ``state.json``)."""
    directory = recovery_dir(tree)
    try:
        raw = (directory / STATE_NAME).read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise RecoveryDataDamaged(f"cannot read {directory / STATE_NAME}: {exc}") from exc
    try:
        content = json.loads(raw)
        if content["version"] != STATE_VERSION:
            raise ValueError(f"unknown version {content['version']!r}")
        return RecoveryData(
            directory=directory,
            ref=str(content["ref"]),
            pinned_commit=str(content["snapshot"]),
            created=str(content["created"]),
            pid=int(content["pid"]),
            files=tuple(_saved_from(item) for item in content["files"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise RecoveryDataDamaged(f"{directory / STATE_NAME} is damaged: {exc!r}") from exc


def _saved_from(item: Mapping[str, Any]) -> SavedFile:
    kind = item["kind"]
    if kind not in ("file", "symlink", "missing"):
        raise ValueError(f"unknown kind {kind!r}")
    link = item["link_bytes"]
    return SavedFile(
        path=os.fsdecode(bytes.fromhex(item["path_bytes"])),
        state=FileState(kind, int(item["perms"]), str(item["sha256"])),
        copy=None if item["copy"] is None else str(item["copy"]),
        link=None if link is None else bytes.fromhex(link),
        made_dirs=tuple(os.fsdecode(bytes.fromhex(name)) for name in item["made_dirs_bytes"]),
    )


@value
class HookBase:
    """What the hooks were given at one path (the base of a 3-way merge with the user's
    version), and a copy of its bytes."""

    state: FileState
    copy: Path | None


def read_bases(data: RecoveryData) -> dict[str, HookBase]:
    """What the hooks were given at each hidden path (``base.json``); a path whose copy does
    not match its digest, or an unreadable ``base.json``, has none."""
    try:
        content = json.loads((data.directory / BASE_NAME).read_bytes())
        bases = {}
        for item in content["files"]:
            state = FileState(item["kind"], int(item["perms"]), str(item["sha256"]))
            copy = None if item["copy"] is None else data.directory / str(item["copy"])
            if copy is not None and digest_or_none(copy) != state.digest:
                continue
            bases[os.fsdecode(bytes.fromhex(item["path_bytes"]))] = HookBase(state, copy)
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return bases


def digest_or_none(path: Path) -> str | None:
    try:
        return digest_file(path)
    except OSError:
        return None
