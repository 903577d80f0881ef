"""How long each hook took in earlier runs: the engine starts the longest first.

Kept in ``<git dir>/crackjack/durations.json`` (``Policy.durations``; outside a repository none
are kept), one number of seconds per hook id: the last run's, where it differs from the kept
one by more than a little (``_news``). A file that cannot be read or
written, or holds something else, counts as empty: it only orders hooks, it never stops a run.
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


def read_durations(path: Path | None) -> dict[str, float]:
    if path is None:
        return {}
    data = read_json_object(path) or {}
    return {
        str(key): float(value)
        for key, value in data.items()
        if isinstance(value, float | int) and 0 <= value < _LONGEST and math.isfinite(value)
    }


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


def write_durations(
    path: Path | None, known: Mapping[str, float], results: Iterable[HookResult]
) -> None:
    """``known`` updated with the hooks of ``results`` that ran to an end, written atomically;
    a failure to write is ignored. A duration close to the kept one (``_news``) changes
    nothing, so that a steady project's runs do not each write the file."""
    if path is None:
        return
    ran = [r for r in results if r.status in _TIMED and not r.cached_files]  # not the cache's
    fresh = {r.hook: round(r.duration, 4) for r in ran}
    news = {hook: seconds for hook, seconds in fresh.items() if _news(known.get(hook), seconds)}
    if not news:
        return
    updated = {**known, **news}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A scheduling hint: not worth an fsync at the end of every run (after its last hook).
        atomic_write(path, json.dumps(updated, sort_keys=True).encode() + b"\n", durable=False)
    except OSError:
        pass
