"""What earlier runs tell the engine's scheduling: how long each hook took (the longest starts
first), and which fixers changed files the last time they ran (a hook started early beside
them is held from their files, ``runners.gate``, rather than run again after them).

Kept in ``<git dir>/crackjack/durations.json`` (``Policy.durations``; outside a repository none
are kept): ``{"seconds": {hook id: seconds}, "fixed": [hook id, ...]}``, a hook's seconds the
last run's where they differ from the kept ones by more than a little (``_news``). A file that
cannot be read or written, or holds something else, counts as empty: it only orders and holds
hooks, it never stops a run.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from crackjack.core.files.fsutil import atomic_write, read_json_object
from crackjack.core.run.plan import HookPlan
from crackjack.core.run.results import HookResult, HookStatus
from crackjack.core.valueclass import value

DEFAULT_SECONDS: Mapping[str, float] = {
    "pytest": 30.0,
    "mypy": 10.0,
    "pyright": 10.0,
    "pylint": 10.0,
    "bandit": 3.0,
    "ruff": 0.3,
    "ruff-check": 0.3,
    "ruff-format": 0.3,
}
"""A guess for a hook no earlier run timed, by its id, else its program's name."""
UNKNOWN_PROGRAM_SECONDS = 1.0
"""A program the table does not name."""
IN_PROCESS_SECONDS = 0.05
"""A check crackjack runs itself (no program)."""

_TIMED = frozenset({HookStatus.PASSED, HookStatus.FAILED, HookStatus.FIXED})
"""The statuses whose duration says how long the hook takes (not a timeout, nor a skip)."""


def _news(kept: float | None, seconds: float) -> bool:
    """Whether ``seconds`` differs from the kept duration by more than 10 % and 5 ms."""
    return kept is None or abs(seconds - kept) > max(0.1 * kept, 0.005)


_LONGEST = 1e9
"""Seconds no hook takes: a larger number (or an integer too large for a float) is damage."""


@value
class History:
    """``seconds``: each hook's last duration; ``fixed``: the fixers whose last run changed
    files."""

    seconds: Mapping[str, float]
    fixed: frozenset[str] = frozenset()


def read_history(path: Path | None) -> History:
    data = {} if path is None else read_json_object(path) or {}
    seconds, fixed = data.get("seconds"), data.get("fixed")
    return History(
        seconds={
            str(key): float(number)
            for key, number in (seconds.items() if isinstance(seconds, dict) else ())
            if isinstance(number, float | int) and 0 <= number < _LONGEST and math.isfinite(number)
        },
        fixed=frozenset(
            hook for hook in (fixed if isinstance(fixed, list) else ()) if isinstance(hook, str)
        ),
    )


def expected_seconds(plan: HookPlan, known: Mapping[str, float]) -> float:
    """How long ``plan`` should take: its last duration, else the table's guess."""
    hook_id = plan.hook.id
    if hook_id in known:
        return known[hook_id]
    if hook_id in DEFAULT_SECONDS:
        return DEFAULT_SECONDS[hook_id]
    if plan.program is None:
        return IN_PROCESS_SECONDS
    name = os.path.basename(plan.program)
    return DEFAULT_SECONDS.get(name, UNKNOWN_PROGRAM_SECONDS)


def write_history(path: Path | None, kept: History, results: Iterable[HookResult]) -> History:
    """``kept`` updated with the hooks of ``results`` that ran to an end, written atomically
    and returned; a failure to write is ignored. A duration close to the kept one (``_news``)
    and the same fixers' changing files again change nothing, so that a steady project's runs
    do not each write the file."""
    ran = [r for r in results if r.status in _TIMED and not r.cached_files]  # not the cache's
    fresh = {r.hook: round(r.duration, 4) for r in ran}
    known = kept.seconds
    news = {hook: seconds for hook, seconds in fresh.items() if _news(known.get(hook), seconds)}
    fixed = kept.fixed.difference(fresh) | {r.hook for r in ran if r.modified}
    updated = History({**known, **news}, frozenset(fixed))
    if path is None or (not news and fixed == kept.fixed):
        return updated
    data = {"seconds": updated.seconds, "fixed": sorted(fixed)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A scheduling hint: not worth an fsync at the end of every run (after its last hook).
        atomic_write(path, json.dumps(data, sort_keys=True).encode() + b"\n", durable=False)
    except OSError:
        pass
    return updated
