"""What a run produces: the outcome of every hook, phase and the workflow, as plain values."""

from __future__ import annotations

import signal
from collections import Counter
from enum import StrEnum

from crackjack.core.valueclass import field, value


class HookStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    FIXED = "fixed"
    SKIPPED = "skipped"
    TIMED_OUT = "timed out"
    MISSING = "missing"
    ERROR = "error"
    INTERRUPTED = "interrupted"


@value(kw_only=True, eq=True)
class TestCounts:
    """pytest's own tally: the numbers of its final summary line, plus what was collected."""

    __test__ = False  # for pytest: not a test class

    collected: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    xfailed: int = 0
    xpassed: int = 0
    deselected: int = 0

    @property
    def done(self) -> int:
        """Tests that have an outcome (an error in setup or teardown counts with its test)."""
        return self.passed + self.failed + self.skipped + self.xfailed + self.xpassed

    def describe(self) -> str:
        """``3 failed, 120 passed, 2 skipped``: pytest's words and order."""
        parts = (
            ("failed", self.failed),
            ("passed", self.passed),
            ("skipped", self.skipped),
            ("deselected", self.deselected),
            ("xfailed", self.xfailed),
            ("xpassed", self.xpassed),
            ("error" if self.errors == 1 else "errors", self.errors),
        )
        return ", ".join(f"{n} {word}" for word, n in parts if n) or "no tests ran"


@value
class TestProblem:
    """A failed or erroring test (or test file), with pytest's one-line reason."""

    __test__ = False  # for pytest: not a test class

    nodeid: str
    category: str
    reason: str


@value
class TestDuration:
    """How long one test took (setup, call and teardown)."""

    __test__ = False  # for pytest: not a test class
    nodeid: str
    seconds: float


@value(kw_only=True)
class TestReport:
    """What the test runner learnt from pytest's plugin, beyond the exit code."""

    __test__ = False  # for pytest: not a test class

    counts: TestCounts
    problems: tuple[TestProblem, ...] = ()
    slowest: tuple[TestDuration, ...] = ()
    coverage: float | None = None
    coverage_required: float | None = None
    last_started: str = ""
    python: str = ""
    shard: str = ""


@value(kw_only=True)
class Finding:
    """One finding of a tool at a place in a file, read from its machine-readable output."""

    path: str
    line: int
    column: int
    message: str
    code: str = ""
    severity: str = "error"
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        """As the tools print them: ``a.py:1:8: F401 message`` (a rule number first), or
        ``a.py:2:10: message  [assignment]`` (a named code last)."""
        place = f"{self.path}:{self.line}:{self.column}:"
        if not self.code:
            return f"{place} {self.message}"
        if self.code[:1].isupper() and self.code[-1:].isdigit():
            return f"{place} {self.code} {self.message}"
        return f"{place} {self.message}  [{self.code}]"


@value
class OutputGap:
    """Lines of a hook's output kept only in its log file: ``lines`` of them, between
    ``output[:at]`` and ``output[at:]``."""

    at: int
    lines: int


@value(kw_only=True)
class HookResult:
    """The outcome of one hook over all its batches. ``started_early``: it started before its
    phase, beside an earlier one; ``started_ahead``: its program even before the run planned,
    from the last run's launch (``core.run.headstart``); ``rerun_reason``: why that first
    result was thrown away and the hook run again after the fixers (empty if it was not).
    ``cached``: nothing ran, the
    whole pass came from the result cache; ``cached_files``: how many of its ``files`` had
    their pass served from the cache (all of them when ``cached``)."""

    hook: str
    name: str
    phase: str
    status: HookStatus
    fails_run: bool
    duration: float = 0.0
    files: int = 0
    returncode: int | None = None
    signal: int | None = None
    modified: tuple[str, ...] = ()
    output: str = ""
    gap: OutputGap | None = None
    log_path: str | None = None
    message: str = ""
    started_at: float = 0.0
    ended_at: float = 0.0
    tests: TestReport | None = None
    findings: tuple[Finding, ...] = ()
    started_early: bool = False
    started_ahead: bool = False
    rerun_reason: str = ""
    cached: bool = False
    cached_files: int = 0

    @property
    def signal_name(self) -> str | None:
        return None if self.signal is None else signal_name(self.signal)

    @property
    def note(self) -> str:
        """The message, then ``started ahead``, ``started early`` or ``rerun after fixes`` where
        that is so: what the views say beside the status."""
        scheduled = "rerun after fixes" if self.rerun_reason else ""
        scheduled = scheduled or ("started ahead" if self.started_ahead else "")
        scheduled = scheduled or ("started early" if self.started_early else "")
        return "; ".join(part for part in (self.message, scheduled) if part)


def signal_name(number: int) -> str:
    """``SIGTERM`` for 15; a number no signal has is named as such."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


@value
class Totals:
    """How many hooks ended in each status."""

    counts: tuple[tuple[HookStatus, int], ...] = ()

    @classmethod
    def of(cls, results: tuple[HookResult, ...]) -> Totals:
        counter = Counter(r.status for r in results)
        return cls(tuple((s, counter[s]) for s in HookStatus if counter[s]))

    def get(self, status: HookStatus) -> int:
        return dict(self.counts).get(status, 0)

    def describe(self) -> str:
        said = ", ".join(f"{n} {status}" for status, n in self.counts)
        return f"hooks: {said}" if said else "no hooks"


@value(kw_only=True)
class PhaseResult:
    """The outcome of one phase: its hooks' results and how long it took."""

    phase: str
    hooks: tuple[HookResult, ...]
    duration: float

    @property
    def failed(self) -> bool:
        return any(h.fails_run for h in self.hooks)


@value(kw_only=True)
class RunResult:
    """The outcome of a workflow. ``interrupted_by`` is the signal that stopped it, if any."""

    workflow: str
    phases: tuple[PhaseResult, ...]
    duration: float
    interrupted_by: int | None = None
    subscriber_errors: tuple[str, ...] = field(default=())

    @property
    def hooks(self) -> tuple[HookResult, ...]:
        return tuple(h for p in self.phases for h in p.hooks)

    @property
    def failed(self) -> bool:
        return any(p.failed for p in self.phases)

    @property
    def totals(self) -> Totals:
        return Totals.of(self.hooks)
