"""How a run goes, as opposed to what runs (the plan): the same plan can run under any policy."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crackjack.core.cache.step import ResultCache
    from crackjack.core.run.headstart import HeadStart

from crackjack.core.valueclass import value


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@value(kw_only=True)
class Policy:
    """``check_only`` (CI): no hook writes the project's files (fixers run their check
    variant), and hooks that can give their findings in a machine-readable form do.
    ``junit_dir``: where pytest hooks write their JUnit XML, if anywhere. ``log_home``: where
    each run's folder of log files goes (None: the user's cache; see ``core.run.logs``).
    ``durations``: the file of hook durations the engine orders hooks by (None: none kept).
    ``results``: the result cache hooks run through (None: ``--no-cache``, or nowhere to keep
    it). ``launches``: the file where the run keeps how its first early hook's program started,
    for the next run's head start; ``head_start``: this run's (``core.run.headstart``)."""

    jobs: int
    fail_fast: bool = False
    missing_fails: bool = True
    kill_grace: float = 2.0
    check_only: bool = False
    junit_dir: Path | None = None
    log_home: Path | None = None
    durations: Path | None = None
    results: ResultCache | None = None
    launches: Path | None = None
    head_start: HeadStart | None = None
