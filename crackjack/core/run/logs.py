"""Where the log files of hooks' output go, and how many are kept.

In a git work tree they live in ``<git dir>/crackjack/logs/``, elsewhere in
``$XDG_CACHE_HOME/crackjack/logs/`` (default ``~/.cache/crackjack/logs/``). Each run writes into
a folder of its own there, removed at the end when it is empty; before making it, a run prunes
the folders of earlier runs down to the newest ``KEEP_RUNS - 1``, and those to ``KEEP_BYTES`` in
all (the oldest go first).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from crackjack.core.files.fsutil import tree_size, user_cache_home

KEEP_RUNS = 5
KEEP_BYTES = 100 * 1024 * 1024
_PREFIX = "run-"


def user_logs() -> Path:
    """The log folder outside a git work tree."""
    cache = user_cache_home()
    if cache is None:
        import tempfile  # rare: no home folder; tempfile and shutil cost a run about 3 ms

        cache = Path(tempfile.gettempdir())
    return cache / "crackjack" / "logs"


def new_run_folder(home: Path | None) -> Path:
    """A new folder for this run's logs under ``home`` (None: ``user_logs()``), earlier runs'
    folders pruned; the user's cache, then the temporary folder, when ``home`` cannot be
    written (a read-only repository)."""
    seconds, nanoseconds = divmod(time.time_ns(), 10**9)
    name = f"{_PREFIX}{time.strftime('%Y%m%d-%H%M%S', time.localtime(seconds))}.{nanoseconds:09d}-"
    for folder in dict.fromkeys((home or user_logs(), user_logs())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            prune(folder)
            run_folder = folder / f"{name}{os.getpid()}"  # the nanosecond and the pid: this run's
            run_folder.mkdir(mode=0o700)
            return run_folder
        except OSError:
            continue
    import tempfile

    return Path(tempfile.mkdtemp(prefix="crackjack-"))


def prune(home: Path) -> None:
    """Keep the newest ``KEEP_RUNS - 1`` run folders in ``home`` within ``KEEP_BYTES``."""
    runs = sorted(
        (entry for entry in home.iterdir() if entry.name.startswith(_PREFIX)), reverse=True
    )
    kept = 0
    for index, folder in enumerate(runs):
        kept += tree_size(folder)
        if index >= KEEP_RUNS - 1 or kept > KEEP_BYTES:
            import shutil  # only when there is a folder to remove

            shutil.rmtree(folder, ignore_errors=True)
