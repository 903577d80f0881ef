"""crackjack's pytest plugin: test outcomes as JSON Lines on a pipe, and duration-balanced shards.

What it writes and which variables it reads are the protocol of ``wire``. It imports nothing but
the standard library and pytest (>= 7.0), and runs on the project's Python (3.7 and later).
Without a valid report pipe nothing is reported; the rest works the same. A shard keeps only
the K-th of N shards of the collected tests, balanced by the durations cached under
``crackjack/durations`` (written at the end of unsharded runs).
"""

from __future__ import annotations

import contextlib
import heapq
import math
import os
import time
from typing import TYPE_CHECKING, Any

import pytest

from . import wire

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, MutableMapping, Sequence

    Report = pytest.TestReport | pytest.CollectReport

DURATIONS_KEY = "crackjack/durations"
REASON_LIMIT = 300
# Seconds a queued line waits at most for a write (an xdist controller's lines wait this long).
FLUSH_INTERVAL = 0.1
# Shards count a test as taking at least this long, so tests of no measurable duration are
# still spread over the shards rather than all given to the first.
MIN_COST = 0.001
# Set in an xdist worker's ``workeroutput``: how many tests the worker deselected.
DESELECTED_OUTPUT = "crackjack_deselected"

SHARD: pytest.StashKey[tuple[int, int] | None] = pytest.StashKey()


# Pure functions


def shard_from_env(environ: Mapping[str, str]) -> tuple[int, int] | None:
    """The shard ``CRACKJACK_SHARD`` asks for, or None when it is unset or empty."""
    value = environ.get(wire.SHARD_ENV, "")
    if not value.strip():
        return None
    try:
        return wire.parse_shard(value)
    except ValueError as exc:
        raise pytest.UsageError(f"{wire.SHARD_ENV}={value!r} is not a shard: {exc}") from None


def number(value: object) -> float | None:
    """``value`` as a finite float, if it is a real number (not a bool)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def without_prefix(text: str, prefix: str) -> str:
    """``text.removeprefix(prefix)``, which Python 3.8 lacks."""
    return text[len(prefix) :] if text.startswith(prefix) else text


def known_durations(value: object) -> dict[str, float]:
    """The usable entries (test id -> finite seconds >= 0) of a cached durations mapping."""
    if not isinstance(value, dict):
        return {}
    seconds = {nodeid: number(value[nodeid]) for nodeid in value if isinstance(nodeid, str)}
    return {nodeid: s for nodeid, s in seconds.items() if s is not None and s >= 0}


def shard_of(nodeids: Sequence[str], durations: Mapping[str, float], count: int) -> list[int]:
    """The shard (0 to count - 1) of each test: greedy longest-processing-time first.

    A test of unknown duration counts as the mean of the known ones (1 s when none is); every
    test counts at least ``MIN_COST``. Tests go longest first (then by id) to the least loaded
    shard (the lowest on a tie), so the result does not depend on the order of ``nodeids``.
    """
    if count < 1:
        raise ValueError(f"shard count must be at least 1, not {count}")
    known = known_durations({n: durations[n] for n in set(nodeids) if n in durations})
    default = math.fsum(known.values()) / len(known) if known else 1.0
    cost = {nodeid: max(known.get(nodeid, default), MIN_COST) for nodeid in nodeids}
    order = sorted(range(len(nodeids)), key=lambda i: (-cost[nodeids[i]], nodeids[i]))
    loads = [(0.0, shard) for shard in range(count)]
    shards = [0] * len(nodeids)
    for i in order:
        load, shard = heapq.heappop(loads)
        shards[i] = shard
        heapq.heappush(loads, (load + cost[nodeids[i]], shard))
    return shards


def take_report_fd(environ: MutableMapping[str, str]) -> int | None:
    """Remove ``CRACKJACK_REPORT_FD`` from ``environ``; its file descriptor, made
    non-inheritable, or None when it is unset or not an open file descriptor."""
    value = environ.pop(wire.REPORT_FD_ENV, "").strip()
    if not value.isascii() or not value.isdigit():
        return None
    fd = int(value)
    try:
        os.fstat(fd)
        os.set_inheritable(fd, False)
    except (OSError, OverflowError):
        return None
    return fd


def one_line(text: str) -> str:
    """The first non-blank line of ``text``, stripped and cut to ``REASON_LIMIT`` characters."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line[:REASON_LIMIT]


def skip_reason(longrepr: object) -> str:
    """The reason of a skip, from a skipped report's ``(path, lineno, message)`` longrepr."""
    if isinstance(longrepr, (tuple, list)) and len(longrepr) == 3:
        message = str(longrepr[2])
        return "" if message == "Skipped" else without_prefix(message, "Skipped: ")
    return str(longrepr or "")


def failure_reason(report: Report) -> str:
    """The crash message of a failure, or the last line of its long representation."""
    message = getattr(getattr(report.longrepr, "reprcrash", None), "message", None)
    if isinstance(message, str) and message.strip():
        return message
    lines = [line.strip() for line in report.longreprtext.splitlines() if line.strip()]
    # pytest marks the exception lines of a traceback with "E   "
    return without_prefix(lines[-1], "E   ").strip() if lines else ""


def report_reason(report: Report) -> str:
    """A short one-line reason for a failed, skipped or xfailed report ("" when passed)."""
    if report.passed:
        return ""
    if report.skipped:
        wasxfail = getattr(report, "wasxfail", None)
        if isinstance(wasxfail, str):
            return one_line(without_prefix(wasxfail, "reason: "))
        return one_line(skip_reason(report.longrepr))
    return one_line(failure_reason(report))


def default_category(report: pytest.TestReport) -> str:
    """The category pytest's terminal plugin gives a report no other plugin categorises, for
    runs without that plugin (``-p no:terminal``), whose tests pytest then counts nowhere."""
    if report.failed and report.when != "call":
        return "error"
    return str(report.outcome)


def collect_category(report: pytest.CollectReport) -> str:
    """The summary category of a collection report, as the terminal reporter counts it."""
    if report.failed:
        return "error"
    return "skipped" if report.skipped else ""


def coverage_message(cov_plugin: object) -> dict[str, object] | None:
    """The coverage message from pytest-cov's plugin object, when it measured a total."""
    total = number(getattr(cov_plugin, "cov_total", None))
    if total is None:
        return None
    fail_under = number(getattr(getattr(cov_plugin, "options", None), "cov_fail_under", None))
    if fail_under is not None and fail_under <= 0:
        fail_under = None  # coverage's default 0 means no minimum, as pytest-cov shows it
    return {"type": wire.COVERAGE, "total": total, "fail_under": fail_under}


def merge_durations(cached: object, finished: Mapping[str, float]) -> dict[str, float]:
    """The cached durations updated with this run's."""
    return {**known_durations(cached), **finished}


# Reporting


class Reporter:
    """The main process's side: reports to the pipe and records durations."""

    def __init__(self, config: pytest.Config, fd: int | None) -> None:
        self.config = config
        self.fd = fd
        self.collected_sent = False
        self.running: dict[str, float] = {}
        self.finished: dict[str, float] = {}
        self.pending: list[bytes] = []
        self.written = time.monotonic()
        self.distributed: bool | None = None

    def send(self, message: Mapping[str, object], *, now: bool = False) -> None:
        self.queue(wire.encode(message), now=now)

    def queue(self, line: bytes, *, now: bool = False) -> None:
        """Queue one line; write everything queued, in one write, when ``now`` or when the last
        write is ``FLUSH_INTERVAL`` old.

        A test's start is written at once where tests run (if that test crashes pytest,
        crackjack knows which one it was), so a test costs one system call, not three; an xdist
        controller, which runs none, writes a few times a second instead.
        """
        if self.fd is None:
            return
        self.pending.append(line)
        if now or time.monotonic() - self.written >= FLUSH_INTERVAL:
            self.flush()

    def flush(self) -> None:
        """Write what is queued; the first failed write (such as EPIPE once crackjack is gone)
        ends the reporting. A pipe write interrupted midway goes on where it stopped."""
        if self.fd is None or not self.pending:
            return
        data = memoryview(b"".join(self.pending))
        self.pending.clear()
        self.written = time.monotonic()
        try:
            while data:
                data = data[os.write(self.fd, data) :]
        except OSError:
            self.close()

    def close(self) -> None:
        self.flush()
        fd, self.fd = self.fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def send_collected(self, count: int) -> None:
        if not self.collected_sent:
            self.collected_sent = True
            self.send({"type": wire.COLLECTED, "count": count}, now=True)

    def send_report(self, report: Report, category: str) -> None:
        if category and getattr(report, "count_towards_summary", True):
            reason = report_reason(report)
            self.queue(wire.report_line(report.nodeid, str(report.when), category, reason))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.send_collected(len(session.items))

    def pytest_deselected(self, items: Sequence[pytest.Item]) -> None:
        self.send({"type": wire.DESELECTED, "count": len(items)})

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self.send_report(report, collect_category(report))

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        if self.distributed is None:
            self.distributed = self.config.pluginmanager.hasplugin("dsession")
        self.queue(wire.start_line(nodeid), now=not self.distributed)

    def category(self, report: pytest.TestReport) -> str:
        """The summary category of ``report``: the stats list the terminal reporter just filed
        it in (this hook runs after its own), else what ``pytest_report_teststatus`` says.

        Asking the hook once more would cost about as much as the rest of the plugin does per test.
        """
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        for category, reports in getattr(terminal, "stats", {}).items():
            if reports and reports[-1] is report:
                return str(category)
        status = self.config.hook.pytest_report_teststatus(report=report, config=self.config)
        return str(status[0]) if status else default_category(report)

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.send_report(report, self.category(report))
        nodeid = report.nodeid
        self.running[nodeid] = self.running.get(nodeid, 0.0) + report.duration
        if report.when == "teardown":
            duration = self.running.pop(nodeid)
            self.finished[nodeid] = round(duration, 4)
            self.queue(wire.finished_line(nodeid, round(duration, 6)))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.save_durations()
        coverage = coverage_message(self.config.pluginmanager.getplugin("_cov"))
        if coverage is not None:
            self.send(coverage)
        self.send({"type": wire.SESSION_FINISHED, "exitstatus": int(session.exitstatus)}, now=True)

    def save_durations(self) -> None:
        """Merge this run's durations into the cache, unless this run is one shard of several:
        every shard of a split must see the same durations to agree on the split."""
        cache: pytest.Cache | None = getattr(self.config, "cache", None)
        shard = self.config.stash.get(SHARD, None)
        if cache is None or not self.finished or (shard is not None and shard[1] > 1):
            return
        cache.set(DURATIONS_KEY, merge_durations(cache.get(DURATIONS_KEY, None), self.finished))

    def pytest_unconfigure(self) -> None:
        self.close()


class XdistReporter:
    """The main process's xdist hooks (registered only with xdist, which defines them)."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self.deselected_sent = False

    def pytest_xdist_node_collection_finished(self, ids: Sequence[str]) -> None:
        """Under xdist the workers collect: the first to finish gives the count."""
        self.reporter.send_collected(len(ids))

    def pytest_testnodedown(self, node: Any) -> None:
        """The workers deselect (the main process does not collect): the first worker down
        that deselected tests tells how many (they all collect and deselect the same)."""
        output = getattr(node, "workeroutput", None)
        count = output.get(DESELECTED_OUTPUT, 0) if isinstance(output, dict) else 0
        if count and not self.deselected_sent:
            self.deselected_sent = True
            self.reporter.send({"type": wire.DESELECTED, "count": count})


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SHARD] = shard_from_env(os.environ)
    if is_worker(config):
        return
    reporter = Reporter(config, take_report_fd(os.environ))
    config.pluginmanager.register(reporter, "crackjack-reporter")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistReporter(reporter), "crackjack-xdist-reporter")


def split(
    items: Iterable[pytest.Item], config: pytest.Config
) -> tuple[list[pytest.Item], list[pytest.Item]]:
    """The items of this run's shard, and the others."""
    shard = config.stash.get(SHARD, None)
    items = list(items)
    if shard is None or shard[1] == 1:
        return items, []
    cache: pytest.Cache | None = getattr(config, "cache", None)
    durations = known_durations(cache.get(DURATIONS_KEY, None)) if cache is not None else {}
    shards = shard_of([item.nodeid for item in items], durations, shard[1])
    keep = shard[0] - 1
    return (
        [item for i, item in enumerate(items) if shards[i] == keep],
        [item for i, item in enumerate(items) if shards[i] != keep],
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep this shard's items; deselect the others (in xdist workers too)."""
    kept, others = split(items, config)
    if others:
        items[:] = kept
        config.hook.pytest_deselected(items=others)


def pytest_deselected(items: Sequence[pytest.Item]) -> None:
    """Count an xdist worker's deselected tests, for the main process's report."""
    config = items[0].config if items else None
    output = getattr(config, "workeroutput", None)
    if isinstance(output, dict):
        output[DESELECTED_OUTPUT] = output.get(DESELECTED_OUTPUT, 0) + len(items)
