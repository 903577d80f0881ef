"""The result cache's step around a hook's run: look its passes up when it starts, run only
what missed, record the passes it earns (DESIGN.md 9).

When the hook starts (not when the run was planned: an earlier fixer may have changed a file),
each file's content id is taken. A per-file hook whose every file hit ends at once, passed and
``cached``, with no process started; one with some hits is planned again by its runner for the
files that missed, and runs on those. A whole-program hook hits only on its whole input set,
and is cached only when the run checks every file (with fewer, it would read files its key
does not hold). Only a pass is recorded: the hook passed, modified nothing, was not stopped,
no configuration file it was keyed by changed while it ran, and each file it was keyed by
still held that content after it ended (``recorder``).

A file is looked at once a run (``ContentIds.many``; the selection's ``lstat`` serves), by the
first hook that needs it, and again only after a hook of the run reported changing it (or a
fixer that is given no file names ended: what it changed is not known): the engine runs no two
hooks over a file one of them writes, so a later hook sees every change the run made. The
configuration files are read once for the run's hooks (``_Shared``), and again after a hook
changed a file. What another process changes is seen twice: before a hit is served, each file
it covers is looked at again and the configuration files are checked (``_lookup``: what
changed is looked at anew and the hook keyed again), and after a hook passed, the recorder
keeps no pass of a file that changed while it ran (the next run checks it). A hook whose
bucket holds no key runs at once, its files' keys made by the recorder if it passes. A run
serves its own hooks none of the passes it recorded (``Store.settle``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from crackjack.core.cache.contents import ContentIds, Known
from crackjack.core.cache.inputs import Inputs, Outside, named
from crackjack.core.cache.key import bare_names, bucket_key, file_keys, whole_key
from crackjack.core.cache.recorder import Earned, Recorder
from crackjack.core.cache.store import REFRESH_SECONDS, Store
from crackjack.core.run.results import HookResult, HookStatus
from crackjack.core.runners.hook import PlanContext
from crackjack.core.runners.outcome import hook_result
from crackjack.core.valueclass import replace

if TYPE_CHECKING:
    from crackjack.core.files.touchable import FileModes
    from crackjack.core.run.plan import HookPlan
    from crackjack.core.runners.hook import RunContext


class _Keys:
    """One hook's keys when it started: ``files`` maps each file it could key to its key
    (a whole-program hook's single key is under ``""``; None: left to be made, by ``shared``
    with ``names``, once the hook has passed, as its bucket held no key when it started);
    ``keyed`` what each file was keyed by; ``rooted`` and ``inputs`` the configuration files
    read."""

    __slots__ = ("bucket", "files", "inputs", "keyed", "names", "reads", "rooted", "shared")

    def __init__(
        self,
        bucket: str,
        files: dict[str, str] | None,
        keyed: dict[str, Known],
        rooted: list[tuple[str, str]],
        shared: _Shared,
        names: tuple[str, ...],
    ) -> None:
        self.bucket = bucket
        self.files = files
        self.keyed = keyed
        self.rooted = rooted
        self.shared = shared
        self.inputs = shared.inputs
        self.names = names
        self.reads = bool(names or rooted)  # configuration files to check are unchanged


class _Shared:
    """What the hooks of a run share until one of them changes a file: the configuration files
    read (``inputs``) and, for each set of names looked for up the tree, each file's key with
    the look it was taken from (so a hook keys each file by a dictionary look-up, and a file
    looked at again after a change gets a new key)."""

    __slots__ = ("answers", "inputs", "tables")

    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs
        self.tables: dict[tuple[str, ...], dict[str, tuple[Known, str]]] = {}
        self.answers: dict[tuple[tuple[str, ...], int], tuple[object, dict[str, str]]] = {}

    def file_keys(self, keyed: dict[str, Known], names: tuple[str, ...]) -> dict[str, str]:
        """The key of each file of ``keyed``, keyed by ``names`` up its folder's tree (the
        same answer to hooks given the same ``keyed``: ``ContentIds.many``'s same object)."""
        asked = (names, id(keyed))
        answered = self.answers.get(asked)
        if answered is not None and answered[0] is keyed:
            return answered[1]
        files = self._file_keys(keyed, names)
        self.answers[asked] = (keyed, files)
        return files

    def _file_keys(self, keyed: dict[str, Known], names: tuple[str, ...]) -> dict[str, str]:
        table = self.tables.setdefault(names, {})
        chains: dict[str, str] = {}
        files: dict[str, str] = {}
        new: list[tuple[str, Known, str]] = []
        for name, known in keyed.items():
            entry = table.get(name)
            if entry is not None and entry[0] is known:
                files[name] = entry[1]
                continue
            folder = name.rpartition("/")[0]
            chain = chains.get(folder)
            if chain is None:
                chain = chains[folder] = self.inputs.chain(folder, names)
            new.append((name, known, chain))
        made = file_keys((name, known.content, chain) for name, known, chain in new)
        for (name, known, _chain), key in zip(new, made, strict=True):
            table[name] = (known, key)
            files[name] = key
        return files

    def chains(self, keyed: dict[str, Known], names: tuple[str, ...]) -> dict[str, str]:
        """The configuration files up the tree of each folder of ``keyed``, by folder."""
        folders = {name.rpartition("/")[0] for name in keyed}
        return {folder: self.inputs.chain(folder, names) for folder in folders}


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
        looks: FileModes | None = None,
        files: Sequence[str] = (),
    ) -> None:
        self.store = Store(folder, max_bytes)
        self._python = tuple(name for name in files if name.endswith(_PYTHON))
        self.root = root
        self.ids = ContentIds(root, index, top, looks)
        self.outside = Outside()
        self.whole = whole
        self._shared = _Shared(Inputs(root, self.outside))
        self._recorder = Recorder(self.ids, self.store)
        self._used: list[tuple[str, dict[str, int]]] = []
        self._environ = dict(os.environ)  # read once: os.environ decodes every item it gives

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
        _keys, hits = self._lookup(plan, context)
        return len(hits) if plan.hook.cache == "per-file" else len(plan.files) * bool(hits)

    def run(self, plan: HookPlan, context: RunContext) -> HookResult:
        """Run ``plan`` by its runner, on what the cache does not already hold."""
        if not self.cacheable(plan) or not plan.files:
            return self._ran(plan, context)
        started_at, start = time.time(), time.monotonic()
        planning = PlanContext(root=context.root, policy=context.policy, tests=context.tests)
        keys, hits = self._lookup(plan, planning)
        self._used.append((keys.bucket, self._stale(plan, keys, hits, int(time.time()))))
        if hits and context.head_start is not None:  # served, or run on fewer files
            context.head_start.running.kill()
            context = replace(context, head_start=None)
        if len(hits) == len(plan.files):
            return _cached(plan, started_at, time.monotonic() - start)
        torun = plan
        if hits:
            missed = tuple(name for name in plan.files if name not in hits)
            torun = self._replanned(plan, missed, planning)
        result = self._ran(torun, context)
        if _a_pass(result):
            self._earn(torun, keys, every=not hits)
        skipped = len(plan.files) - len(torun.files)
        return replace(result, files=len(plan.files), cached_files=skipped) if skipped else result

    def _lookup(self, plan: HookPlan, context: PlanContext) -> tuple[_Keys, set[str]]:
        """``plan``'s keys and the files they hit, served only as what is there now: the run
        looked at each file once, and read the configuration files once, maybe long before
        this hook started. So before a hit is served, each file it covers is looked at again
        (one ``lstat``), and the configuration files read are checked; what another process
        changed since is looked at anew (``forget``), and the hook keyed again."""
        keys = self._keys(plan, context)
        hits = self._hits(plan, keys)
        for _again in range(2):
            if not hits:
                return keys, hits
            whole = plan.hook.cache == "whole"
            knowns = list(keys.keyed.values()) if whole else [keys.keyed[n] for n in hits]
            held = self.ids.holding(knowns)
            changed = [known.path for known in knowns if known not in held]
            inputs = not keys.reads or keys.inputs.unchanged()
            if inputs and not changed:
                return keys, hits
            if not inputs and self._shared.inputs is keys.inputs:
                self._share_anew()
            self.ids.forget(changed)
            keys = self._keys(plan, context)
            hits = self._hits(plan, keys)
        return keys, set()  # still changing: nothing is served

    def finish(self) -> None:
        """Record the run's passes not yet recorded and the hits' new times, and wait for all
        of it; called once, when the run has ended."""
        used, self._used = self._used, []
        self._recorder.finish(used)
        self.store.save_programs()

    def _ran(self, plan: HookPlan, context: RunContext) -> HookResult:
        """``plan`` run by its runner (the passes earned so far recorded while its program
        runs), after which what it changed is forgotten (every file, for a fixer given no
        file names)."""
        started = _both(context.started, self._recorder.record_now)
        result = plan.hook.runner.run(plan, replace(context, started=started))
        if plan.writes and not any(plan.batches):
            self.ids.forget()
        elif result.modified:
            self.ids.forget(result.modified)
        else:
            return result
        self._share_anew()  # it may have changed a configuration file
        return result

    def _share_anew(self) -> None:
        self._shared = _Shared(Inputs(self.root, self.outside))

    def _keys(self, plan: HookPlan, context: PlanContext) -> _Keys:
        hook, shared = plan.hook, self._shared
        rooted = _rooted(plan, shared.inputs)
        bucket = bucket_key(
            plan,
            root=self.root,
            python=context.programs.python,
            rooted=rooted,
            memo=self.store.programs(),
            environ=self._environ,
        )
        names, whole = bare_names(hook.cache_inputs), hook.cache == "whole"
        wanted = tuple(dict.fromkeys((*plan.files, *self._python))) if whole else plan.files
        keyed = self.ids.many(wanted)
        files: dict[str, str] | None = {}
        if not whole:
            shared.chains(keyed, names)  # read as the hook starts, for keys made now or later
            files = shared.file_keys(keyed, names) if self.store.known(bucket) else None
        elif len(keyed) == len(wanted):
            chains = shared.chains(keyed, names)
            contents = {name: known.content for name, known in keyed.items()}
            files = {"": whole_key(bucket, contents, chains)}
        return _Keys(bucket, files, keyed, rooted, shared, names)

    def _hits(self, plan: HookPlan, keys: _Keys) -> set[str]:
        known = self.store.known(keys.bucket)
        if not known or keys.files is None:
            return set()
        if plan.hook.cache == "whole":
            key = keys.files.get("")
            return set(plan.files) if key is not None and key in known else set()
        return {name for name, key in keys.files.items() if key in known}

    def _stale(self, plan: HookPlan, keys: _Keys, hits: set[str], now: int) -> dict[str, int]:
        """The keys of ``hits`` last used long enough ago to be written again as used now
        (so least recently used means that), with ``now``."""
        files = keys.files
        if not hits or files is None:
            return {}
        known = self.store.known(keys.bucket)
        used = [files[""]] if plan.hook.cache == "whole" else [files[name] for name in hits]
        return {key: now for key in used if known[key] < now - REFRESH_SECONDS}

    def _replanned(self, plan: HookPlan, files: tuple[str, ...], context: PlanContext) -> HookPlan:
        """``plan`` for ``files`` only, planned again by its runner (its batches and argv)."""
        again = plan.hook.runner.plan(plan.hook, files, context)
        if again.skip_reason is not None or again.missing:
            return plan
        return replace(again, scratch=plan.scratch, waits_for=plan.waits_for)

    def _earn(self, ran: HookPlan, keys: _Keys, *, every: bool) -> None:
        """Hand ``ran``'s pass to the recorder, unless a configuration file it was keyed by
        changed while it ran (looked at again now); ``every``: it ran on every file keyed."""
        hook = ran.hook
        if keys.reads and not keys.inputs.unchanged():
            if self._shared.inputs is keys.inputs:
                self._share_anew()  # read them again for the next hooks
            return
        if _rooted(ran, keys.inputs.fresh()) != keys.rooted:
            return
        files = keys.files
        if hook.cache == "whole":
            if files and every:
                self._recorder.add(Earned(keys.bucket, keys.keyed, whole=True, keys=files))
            return
        if files is None:
            make = partial(keys.shared.file_keys, keys.keyed, keys.names)
            self._recorder.add(Earned(keys.bucket, keys.keyed, make=make))
            return
        keyed = keys.keyed
        if not every:
            keyed = {name: keyed[name] for name in ran.files if name in keyed}
            files = {name: files[name] for name in keyed}
        self._recorder.add(Earned(keys.bucket, keyed, keys=files))


def open_cache(
    folder: Path,
    *,
    max_mb: int,
    root: Path,
    index: Path | None,
    top: Path | None,
    whole: bool,
    looks: FileModes | None = None,
    files: Sequence[str] = (),
) -> ResultCache:
    """The result cache in ``folder`` for a run in ``root`` (``whole``: the run checks every
    file, so whole-program hooks may be cached; ``looks``: the selection's looks at the files,
    taken before any hook runs; ``files``: the run's files, of which every Python file is in
    a whole-program hook's key)."""
    return ResultCache(
        folder,
        max_bytes=max_mb * 1024 * 1024,
        root=root,
        index=index,
        top=top,
        whole=whole,
        looks=looks,
        files=files,
    )


_PYTHON = (".py", ".pyi")
"""The files a whole-program hook is keyed by besides its own: a type checker follows a
module's imports into any Python file of the project, whatever files it was given."""


def _rooted(plan: HookPlan, inputs: Inputs) -> list[tuple[str, str]]:
    """The configuration files ``plan`` reads named from the root: its ``cache-inputs`` that
    are not bare names, and the project's files its arguments name (``--config cfg.toml``)."""
    return [*inputs.rooted(plan.hook.cache_inputs), *named(plan.argv[1:], inputs.root, inputs)]


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


def _both(first: Callable[[], None], then: Callable[[], None]) -> Callable[[], None]:
    def both() -> None:
        first()
        then()

    return both
