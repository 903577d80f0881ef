"""The result cache's recorder: the passes a run's hooks earn, recorded on a thread of its own
as the hooks earn them, while later hooks run (DESIGN.md 9). Other runs see them at once; this
run serves none of them to its own hooks (``Store.settle``).

A pass is recorded for the files that still hold, after its hook ended, the content the hook
was keyed by (``ContentIds.holding``): the hook read what its key says. Each batch of passes
looks at each of its files once, makes the keys a hook left to be made (``make``: a hook that
could hit nothing ran at once), and writes one segment per bucket. Most of that happens while
the run waits for a hook's program, when the interpreter has nothing else to do, rather than
after the last hook; ``finish`` records what is left and waits for all of it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from crackjack.core.cache.contents import ContentIds, Known
from crackjack.core.cache.store import Store


class Earned:
    """A pass to record for those of ``keys`` (file to key; a whole-program hook's key under
    ``""``; made by ``make`` when None) whose files still hold what ``keyed`` says
    (``whole``: all of them)."""

    __slots__ = ("bucket", "keyed", "keys", "make", "whole")

    def __init__(
        self,
        bucket: str,
        keyed: dict[str, Known],
        *,
        whole: bool = False,
        keys: dict[str, str] | None = None,
        make: Callable[[], dict[str, str]] | None = None,
    ) -> None:
        self.bucket = bucket
        self.keyed = keyed
        self.whole = whole
        self.keys = keys
        self.make = make

    def kept(self, held: set[Known]) -> list[str]:
        """The keys to record, given which files still hold what they were keyed by."""
        keys = self.keys
        if keys is None:
            keys = self.keys = self.make() if self.make is not None else {}
        if self.whole:
            whole = all(known in held for known in self.keyed.values())
            return list(keys.values()) if whole else []
        keyed = self.keyed
        return [key for name, key in keys.items() if keyed[name] in held]


class Recorder:
    """Records the passes of one run in ``store`` (files looked at through ``ids``)."""

    def __init__(self, ids: ContentIds, store: Store) -> None:
        self._ids = ids
        self._store = store
        self._pending: list[Earned] = []
        self._wake = threading.Condition()
        self._closing = False
        self._kicked = False
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def add(self, earned: Earned) -> None:
        """Record ``earned`` (its hook has ended) at the next ``record_now`` or ``finish``."""
        with self._wake:
            self._pending.append(earned)

    def record_now(self) -> None:
        """Record the passes handed over so far, on the recorder's thread: called as a hook's
        program starts, so that the work is done while the run waits for it (and the passes
        of the hooks that ended meanwhile are recorded together, each file looked at once)."""
        with self._wake:
            if not self._pending:
                return
            if self._thread is None:
                thread = threading.Thread(
                    target=self._work, name="crackjack result cache", daemon=True
                )
                try:
                    thread.start()
                except RuntimeError:  # no thread to be had (a limit): finish records it all
                    return
                self._thread = thread
            self._kicked = True
            self._wake.notify()

    def finish(self, used: Iterable[tuple[str, dict[str, int]]]) -> None:
        """Record what is left and the hits' new times (``used``: bucket and keys), and wait
        for all of it. Whatever fails in it is the store's warning, said once: the cache
        never fails a run."""
        with self._wake:
            self._closing = True
            self._wake.notify()
            thread = self._thread
        if thread is not None:
            thread.join()
        try:
            if self._error is not None:
                raise self._error
            if self._pending:
                self._record(self._pending)
            writes: dict[str, dict[str, int]] = {}
            for bucket, keys in used:
                writes.setdefault(bucket, {}).update(keys)
            for bucket, keys in writes.items():
                self._store.add(bucket, keys)
        except Exception as exc:
            self._store.warn(f"the result cache could not record this run's passes: {exc!r}")
        self._store.settle()

    def _work(self) -> None:
        try:
            while True:
                with self._wake:
                    while not self._kicked and not self._closing:
                        self._wake.wait()
                    batch, self._pending, self._kicked = self._pending, [], False
                if batch:
                    self._record(batch)
                if self._closing:
                    return  # finish records what came after this batch
        except Exception as exc:  # said by finish, on the run's thread
            self._error = exc

    def _record(self, batch: list[Earned]) -> None:
        held = self._ids.holding(set().union(*(one.keyed.values() for one in batch)))
        now, writes = int(time.time()), dict[str, dict[str, int]]()
        for one in batch:
            writes.setdefault(one.bucket, {}).update(dict.fromkeys(one.kept(held), now))
        for bucket, keys in writes.items():
            self._store.add(bucket, keys)
