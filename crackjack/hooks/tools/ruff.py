"""What ruff reads besides the files it checks, for the result cache's key."""

from __future__ import annotations

CACHE_INPUTS = (
    "pyproject.toml",
    "ruff.toml",
    ".ruff.toml",
    ".gitignore",
    "~/.config/ruff/ruff.toml",
    "~/.config/ruff/.ruff.toml",
    "~/.config/ruff/pyproject.toml",
)
"""Its configuration in each file's folder and every one above it (the closest wins, and
``extend`` may name a parent's), the ignore files ``--force-exclude`` honours, and the user's
configuration, read when the project has none."""
CACHE_ENV = ("RUFF_*",)
