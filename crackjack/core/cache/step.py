"""The result cache's step around a hook's run: look its passes up when it starts, run only
what missed, record the passes it earns (DESIGN.md 9).

When the hook starts (not when the run was planned: an earlier fixer may have changed a file),
each file's content id is taken. A per-file hook whose every file hit ends at once, passed and
``cached``, with no process started; one with some hits is planned again by its runner for the
files that missed, and runs on those. A whole-program hook hits only on its whole input set,
and is cached only when the run checks every file (with fewer, it would read files its key
does not hold). Only a pass is recorded: the hook passed, modified nothing, was not stopped,
and no file or configuration file it was keyed by changed while it ran.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from crackjack.core.cache.contents import ContentIds, Seen
from crackjack.core.cache.inputs import Inputs, Outside
from crackjack.core.cache.key import bare_names, bucket_key, file_key, whole_key
from crackjack.core.cache.store import REFRESH_SECONDS, Store
from crackjack.core.run.results import HookResult, HookStatus
from crackjack.core.runners.hook import PlanContext
from crackjack.core.runners.outcome import hook_result
from crackjack.core.valueclass import value

if TYPE_CHECKING:
    from crackjack.core.run.plan import HookPlan
    from crackjack.core.runners.hook import RunContext

Run = Callable[["HookPlan"], HookResult]


@value(eq=True)
class _Keys:
    """One hook's keys when it started: ``files`` maps each file it could key to its key
    (a whole-program hook's single key is under ``""``); ``contents`` what each was keyed by."""

    bucket: str
    files: dict[str, str]
    contents: dict[str, str]
    chains: dict[str, str]
    seen: dict[str, Seen]
    rooted: list[tuple[str, str]]
    at: int
    inputs: Inputs


class ResultCache:
    """The result cache of one run (``open_cache``)."""

    def __init__(
        self,
        folder: Path,
        *,
        max_bytes: int,
        root: Path,
        index: Path | None,
        top: Path | None,
        whole: bool,
    ) -> None:
        self.store = Store(folder, max_bytes)
        self.root = root
        self.ids = ContentIds(root, index, top)
        self.outside = Outside()
        self.whole = whole

    @property
    def warning(self) -> str | None:
        """The first problem the cache met in this run, to say once."""
        return self.store.warning

    def cacheable(self, plan: HookPlan) -> bool:
        mode = plan.hook.cache
        return mode == "per-file" or (mode == "whole" and self.whole)

    def cached_files(self, plan: HookPlan, context: PlanContext) -> int | None:
        """How many of ``plan``'s files would be served from the cache now (``--dry-run``);
        None for a hook that is never cached."""
        if not self.cacheable(plan) or not plan.files:
            return None
        keys = self._keys(plan, context)
        hits = self._hits(plan, keys)
        return len(hits) if plan.hook.cache == "per-file" else len(plan.files) * bool(hits)

    def run(self, plan: HookPlan, context: RunContext) -> HookResult:
        """Run ``plan`` by its runner, on what the cache does not already hold."""
        runner = plan.hook.runner
        if not self.cacheable(plan) or not plan.files:
            return runner.run(plan, context)
        started_at, start = time.time(), time.monotonic()
        planning = PlanContext(root=context.root, policy=context.policy, tests=context.tests)
        keys = self._keys(plan, planning)
        hits = self._hits(plan, keys)
        now = int(time.time())
        stale = self._stale(plan, keys, hits, now)
        if len(hits) == len(plan.files):
            self.store.add(keys.bucket, stale)
            return _cached(plan, started_at, time.monotonic() - start)
        missed = tuple(name for name in plan.files if name not in hits)
        torun = plan if not hits else self._replanned(plan, missed, planning)
        result = runner.run(torun, context)
        earned = self._earned(torun, keys) if _a_pass(result) else {}
        self.store.add(keys.bucket, {**stale, **dict.fromkeys(earned.values(), now)})
        self.store.save_programs()
        skipped = len(plan.files) - len(torun.files)
        return replace(result, files=len(plan.files), cached_files=skipped) if skipped else result

    def _keys(self, plan: HookPlan, context: PlanContext) -> _Keys:
        hook, inputs = plan.hook, Inputs(self.root, self.outside)
        bucket = bucket_key(
            plan,
            root=self.root,
            python=context.programs.python,
            inputs=inputs,
            memo=self.store.programs(),
            environ=os.environ,
        )
        names, at = bare_names(hook.cache_inputs), time.time_ns()
        contents, seen = self.ids.many(plan.files)
        folders = {name: name.rpartition("/")[0] for name in contents}
        chains = {folder: inputs.chain(folder, names) for folder in set(folders.values())}
        if hook.cache == "whole":
            whole = len(contents) == len(plan.files)
            files = {"": whole_key(bucket, contents, chains)} if whole else {}
        else:
            files = {
                name: file_key(bucket, name, content, chains[folders[name]])
                for name, content in contents.items()
            }
        rooted = inputs.rooted(hook.cache_inputs)
        return _Keys(bucket, files, contents, chains, seen, rooted, at, inputs)

    def _hits(self, plan: HookPlan, keys: _Keys) -> set[str]:
        known = self.store.known(keys.bucket)
        if plan.hook.cache == "whole":
            key = keys.files.get("")
            return set(plan.files) if key is not None and key in known else set()
        return {name for name, key in keys.files.items() if key in known}

    def _stale(self, plan: HookPlan, keys: _Keys, hits: set[str], now: int) -> dict[str, int]:
        """The keys of ``hits`` last used long enough ago to be written again as used now
        (so least recently used means that), with ``now``."""
        if not hits:
            return {}
        known = self.store.known(keys.bucket)
        used = [keys.files[""]] if plan.hook.cache == "whole" else [keys.files[f] for f in hits]
        return {key: now for key in used if known[key] < now - REFRESH_SECONDS}

    def _replanned(self, plan: HookPlan, files: tuple[str, ...], context: PlanContext) -> HookPlan:
        """``plan`` for ``files`` only, planned again by its runner (its batches and argv)."""
        again = plan.hook.runner.plan(plan.hook, files, context)
        if again.skip_reason is not None or again.missing:
            return plan
        return replace(again, scratch=plan.scratch, waits_for=plan.waits_for)

    def _earned(self, ran: HookPlan, keys: _Keys) -> dict[str, str]:
        """The keys ``ran``'s pass earned: its files whose content and configuration are
        still what they were keyed by (looked at again now)."""
        hook = ran.hook
        if not keys.inputs.unchanged(keys.at):
            return {}
        if keys.rooted and keys.inputs.fresh().rooted(hook.cache_inputs) != keys.rooted:
            return {}
        same = self.ids.still(ran.files, keys.contents, keys.seen, keys.at)
        if hook.cache == "whole":
            whole = len(same) == len(ran.files) and "" in keys.files
            return {"": keys.files[""]} if whole else {}
        return {name: keys.files[name] for name in same}


def open_cache(
    folder: Path, *, max_mb: int, root: Path, index: Path | None, top: Path | None, whole: bool
) -> ResultCache:
    """The result cache in ``folder`` for a run in ``root`` (``whole``: the run checks every
    file, so whole-program hooks may be cached)."""
    return ResultCache(
        folder, max_bytes=max_mb * 1024 * 1024, root=root, index=index, top=top, whole=whole
    )


def _a_pass(result: HookResult) -> bool:
    return result.status is HookStatus.PASSED and not result.fails_run and not result.modified


def _cached(plan: HookPlan, started_at: float, duration: float) -> HookResult:
    return hook_result(
        plan,
        status=HookStatus.PASSED,
        fails_run=False,
        duration=duration,
        started_at=started_at,
        ended_at=time.time(),
        cached=True,
        cached_files=len(plan.files),
    )
