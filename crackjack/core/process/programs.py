"""Finding the executable a hook's command names."""

from __future__ import annotations

import os
import sys


def resolve_program(name: str) -> str | None:
    """The absolute path of the executable ``name``, or None when there is none.

    A name containing ``/`` is a path, relative to the current directory. A bare name is looked
    up first beside ``sys.executable``, so that tools installed in crackjack's own environment
    (a venv or a pipx env, which need not be activated) are found, then in each directory of
    ``$PATH``. Empty ``PATH`` entries are skipped rather than read as the current directory: a
    repository being checked must not be able to plant its own ``ruff``.
    """
    if "/" in name:
        return os.path.abspath(name) if _is_executable(name) else None
    own = [os.path.dirname(sys.executable)] if sys.executable else []
    for directory in (*own, *os.environ.get("PATH", os.defpath).split(os.pathsep)):
        candidate = os.path.join(directory, name)
        if directory and _is_executable(candidate):
            return os.path.abspath(candidate)
    return None


def _is_executable(candidate: str) -> bool:
    return os.path.isfile(candidate) and os.access(candidate, os.X_OK)
