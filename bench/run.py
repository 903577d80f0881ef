"""Time ``crackjack --fast`` against its own hooks run by hand, on the corpus of bench/corpus.py.

``python bench/run.py [--runs N] [--warmup W]`` prints a Markdown table and writes
``bench/.work/results.json``. Every run of anything starts from a freshly reset corpus (the
reset is not timed), so the fixers always do the same work. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from corpus import CORPUS, PACKAGE, VERSION, WORK, ensure_corpus, reset

from crackjack.cli.output import CI_VARIABLES
from crackjack.cli.runner import RunRequest, load, make_plan
from crackjack.core.plan import HookPlan

BIN = Path(sys.executable).parent
CRACKJACK = BIN / "crackjack"
RESULTS = WORK / "results.json"
VERSION_TARGET = 0.150
FAST_FACTOR = 1.2
FAST_ALLOWANCE = 0.4

Action = Callable[[], int]


@dataclass(frozen=True, slots=True)
class Measurement:
    name: str
    how: str
    seconds: tuple[float, ...]
    exit_codes: tuple[int, ...]
    is_hook: bool = False

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def minimum(self) -> float:
        return min(self.seconds)


@dataclass(frozen=True, slots=True)
class Step:
    """One planned hook, run the way crackjack runs it but without crackjack around it."""

    plan: HookPlan
    root: Path

    @property
    def id(self) -> str:
        return self.plan.hook.id

    @property
    def how(self) -> str:
        if self.plan.hook.check is not None:
            return "in-process call of the check function (no interpreter start-up)"
        return "subprocess: " + " ".join(_short(arg) for arg in (*self.plan.argv, "FILES"))

    def run(self) -> int:
        check = self.plan.hook.check
        if check is None:
            return max(
                _run_quietly((*self.plan.argv, *batch), self.root) for batch in self.plan.batches
            )
        hook = self.plan.hook
        failed = [
            check(batch, root=self.root, args=hook.args, fix=hook.fixer).failed
            for batch in self.plan.batches
        ]
        return int(any(failed))


def _short(arg: str) -> str:
    return Path(arg).name if os.path.isabs(arg) else arg


def _run_quietly(argv: Sequence[str], cwd: Path) -> int:
    """Run ``argv`` with its output captured through pipes, as crackjack captures it."""
    done = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    return done.returncode


def prepare_environment() -> None:
    """Plain, reproducible conditions: no terminal, no CI, no crackjack settings, our tools."""
    for key in [k for k in os.environ if k.startswith("CRACKJACK_") or k in CI_VARIABLES]:
        del os.environ[key]
    os.environ.pop("TERM", None)
    os.environ["PATH"] = os.pathsep.join((str(BIN), os.environ.get("PATH", os.defpath)))


def plan_steps(root: Path) -> tuple[list[Step], list[str]]:
    """The fast workflow's hooks that have work to do, and the ids of those that have none."""
    project, catalogue = load(root, {})
    plan = make_plan(RunRequest(workflow="fast", settings={}), project, catalogue)
    missing = [h.hook.id for h in plan.hooks if h.missing]
    if missing:
        raise SystemExit(f"bench: programs not found for {', '.join(missing)}")
    steps = [Step(h, root) for h in plan.hooks if h.skip_reason is None]
    idle = [h.hook.id for h in plan.hooks if h.skip_reason is not None]
    return steps, idle


def measure(
    name: str, how: str, action: Action, *, runs: int, warmup: int, is_hook: bool = False
) -> Measurement:
    seconds: list[float] = []
    codes: list[int] = []
    for index in range(warmup + runs):
        reset(CORPUS)
        start = time.perf_counter()
        code = action()
        elapsed = time.perf_counter() - start
        if index >= warmup:
            seconds.append(elapsed)
            codes.append(code)
    print(f"  {name}: median {statistics.median(seconds):.3f} s", file=sys.stderr)
    return Measurement(name, how, tuple(seconds), tuple(codes), is_hook)


def crackjack(*args: str) -> Action:
    return lambda: _run_quietly((str(CRACKJACK), *args), CORPUS)


def sequential(steps: Sequence[Step]) -> Action:
    return lambda: max(step.run() for step in steps)


def parallel(steps: Sequence[Step]) -> Action:
    """Every hook started at once on its own thread (tools as subprocesses), then wait for all."""

    def action() -> int:
        with ThreadPoolExecutor(max_workers=len(steps)) as pool:
            return max(pool.map(Step.run, steps))

    return action


def critical_path(steps: Sequence[Step], medians: dict[str, float]) -> float:
    """The plan's longest chain of hooks that must not overlap, from the hooks' medians."""
    finish: dict[str, float] = {}
    for step in steps:
        ready = max((finish[w] for w in step.plan.waits_for if w in finish), default=0.0)
        finish[step.id] = ready + medians[step.id]
    return max(finish.values(), default=0.0)


def measure_all(steps: Sequence[Step], *, runs: int, warmup: int) -> list[Measurement]:
    timed: list[Measurement] = [
        measure(
            "crackjack --version", "subprocess", crackjack("--version"), runs=runs, warmup=warmup
        )
    ]
    for step in steps:
        timed.append(measure(step.id, step.how, step.run, runs=runs, warmup=warmup, is_hook=True))
    timed += [
        measure(
            "all hooks, sequential",
            "one after another in plan order, as above, in this process",
            sequential(steps),
            runs=runs,
            warmup=warmup,
        ),
        measure(
            "all hooks, parallel",
            "all started at once, one thread each (ignores the order fixers need)",
            parallel(steps),
            runs=runs,
            warmup=warmup,
        ),
        measure(
            "crackjack --fast --dry-run",
            "subprocess: start-up, settings, file discovery and plan only",
            crackjack("--fast", "--dry-run"),
            runs=runs,
            warmup=warmup,
        ),
        measure(
            "crackjack --fast",
            "subprocess, plain output to a pipe (no TERM, no CI)",
            crackjack("--fast"),
            runs=runs,
            warmup=warmup,
        ),
    ]
    return timed


@dataclass(frozen=True, slots=True)
class Verdict:
    target: str
    measured: float
    limit: float

    @property
    def passed(self) -> bool:
        return self.measured <= self.limit

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return f"- **{verdict}** {self.target}: {self.measured:.3f} s vs limit {self.limit:.3f} s"


def verdicts(timed: Sequence[Measurement]) -> tuple[Measurement, list[Verdict]]:
    by_name = {m.name: m for m in timed}
    slowest = max((m for m in timed if m.is_hook), key=lambda m: m.median)
    limit = FAST_FACTOR * slowest.median + FAST_ALLOWANCE
    return slowest, [
        Verdict(
            "`crackjack --version` < 150 ms", by_name["crackjack --version"].median, VERSION_TARGET
        ),
        Verdict(
            f"`crackjack --fast` <= {FAST_FACTOR} x slowest hook ({slowest.name})"
            f" + {FAST_ALLOWANCE} s",
            by_name["crackjack --fast"].median,
            limit,
        ),
    ]


def table(timed: Sequence[Measurement]) -> str:
    rows = [
        "| measurement | how | median (s) | min (s) | exit codes |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for m in timed:
        codes = ",".join(str(c) for c in sorted(set(m.exit_codes)))
        rows.append(f"| {m.name} | {m.how} | {m.median:.3f} | {m.minimum:.3f} | {codes} |")
    return "\n".join(rows)


def report(
    timed: Sequence[Measurement], steps: Sequence[Step], idle: Sequence[str], runs: int
) -> str:
    slowest, checks = verdicts(timed)
    medians = {m.name: m.median for m in timed if m.is_hook}
    lines = [
        f"Corpus: {PACKAGE} {VERSION} sdist ({len(steps[0].plan.files)} files given to"
        f" {steps[0].id}); {runs} timed runs each, median and minimum wall clock.",
        "",
        table(timed),
        "",
        f"- slowest single hook: {slowest.name}, median {slowest.median:.3f} s",
        f"- plan critical path from the hook medians: {critical_path(steps, medians):.3f} s",
        f"- hooks with no files here (not timed): {', '.join(idle) or 'none'}",
        *(check.line() for check in checks),
    ]
    return "\n".join(lines)


def metadata(steps: Sequence[Step], runs: int, warmup: int) -> dict[str, object]:
    ruff = subprocess.run([str(BIN / "ruff"), "--version"], capture_output=True, text=True)
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpus": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "crackjack": importlib.metadata.version("crackjack"),
        "ruff": ruff.stdout.strip(),
        "corpus": f"{PACKAGE}=={VERSION}",
        "files_per_hook": {step.id: len(step.plan.files) for step in steps},
        "runs": runs,
        "warmup": warmup,
    }


def write_json(timed: Sequence[Measurement], steps: Sequence[Step], runs: int, warmup: int) -> None:
    slowest, checks = verdicts(timed)
    medians = {m.name: m.median for m in timed if m.is_hook}
    data = {
        "meta": metadata(steps, runs, warmup),
        "measurements": [{**asdict(m), "median": m.median, "min": m.minimum} for m in timed],
        "slowest_hook": slowest.name,
        "critical_path": critical_path(steps, medians),
        "targets": [
            {"target": c.target, "measured": c.measured, "limit": c.limit, "passed": c.passed}
            for c in checks
        ],
    }
    RESULTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each measurement")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs before those")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not CRACKJACK.is_file():
        raise SystemExit(f"bench: {CRACKJACK} not found: install crackjack in this environment")
    prepare_environment()
    ensure_corpus(CORPUS)
    steps, idle = plan_steps(CORPUS)
    timed = measure_all(steps, runs=args.runs, warmup=args.warmup)
    print(report(timed, steps, idle, args.runs))
    write_json(timed, steps, args.runs, args.warmup)
    reset(CORPUS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
