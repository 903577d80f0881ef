"""Where the result cache lives, how big it is, and emptying it.

By default it is in the git directory all worktrees of a clone share (``<common dir>/crackjack/
cache``), so every worktree reuses it; ``[tool.crackjack] cache-dir`` or ``CRACKJACK_CACHE_DIR``
(one setting: the variable wins) moves it, relative to the project root when not absolute.
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER = "cache"


def cache_folder(configured: str | None, root: Path, common_dir: Path | None) -> Path | None:
    """The cache folder: ``configured`` (the ``cache-dir`` setting), else the shared git
    directory's (``common_dir``); None outside a repository with nothing configured."""
    if configured:
        path = Path(os.path.expanduser(configured))
        return path if path.is_absolute() else root / path
    return None if common_dir is None else common_dir / "crackjack" / FOLDER


def clear(folder: Path) -> None:
    """Remove ``folder`` and everything in it; OSError when it cannot be removed."""
    if folder.is_symlink():
        folder.unlink()
    elif folder.exists():
        import shutil  # only for `crackjack cache clear`

        shutil.rmtree(folder)
