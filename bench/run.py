"""Time ``crackjack --fast`` against its own hooks run by hand, on the corpus of bench/corpus.py.

``python bench/run.py [--runs N] [--warmup W]`` prints a Markdown table and writes
``bench/.work/results.json``. Every run of anything starts from a freshly reset corpus (the
reset is not timed), so the fixers always do the same work. The contenders take turns, one run
each per round, so a busy moment of the machine falls on all of them alike. See bench/README.md.
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
from dataclasses import dataclass, field
from pathlib import Path

from corpus import CORPUS, PACKAGE, VERSION, WORK, ensure_corpus, reset

import crackjack as crackjack_package
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
        return "subprocess: `" + " ".join(_short(a) for a in (*self.plan.argv, "FILES")) + "`"

    def run(self) -> int:
        check = self.plan.hook.check
        if check is None:
            return max(_run_quietly((*self.plan.argv, *b), self.root) for b in self.plan.batches)
        hook = self.plan.hook
        failed = [
            check(batch, root=self.root, args=hook.args, fix=hook.fixer).failed
            for batch in self.plan.batches
        ]
        return int(any(failed))


@dataclass(slots=True)
class Contender:
    name: str
    how: str
    action: Action
    is_hook: bool = False
    seconds: list[float] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def minimum(self) -> float:
        return min(self.seconds)

    def time_once(self, *, keep: bool) -> None:
        reset(CORPUS)
        start = time.perf_counter()
        code = self.action()
        elapsed = time.perf_counter() - start
        if keep:
            self.seconds.append(elapsed)
            self.exit_codes.append(code)

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "how": self.how,
            "median": self.median,
            "min": self.minimum,
            "seconds": self.seconds,
            "exit_codes": self.exit_codes,
        }


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
        return f"- **{verdict}** {self.target}: {self.measured:.3f} s (limit {self.limit:.3f} s)"


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


def contenders(steps: Sequence[Step]) -> list[Contender]:
    return [
        Contender("crackjack --version", "subprocess", crackjack("--version")),
        *(Contender(step.id, step.how, step.run, is_hook=True) for step in steps),
        Contender(
            "all hooks, sequential",
            "one after another in plan order, each as above, timed as one block",
            sequential(steps),
        ),
        Contender(
            "all hooks, parallel",
            "all started at once, one thread each, then wait for all (ignores fixer order)",
            parallel(steps),
        ),
        Contender(
            "crackjack --fast --dry-run",
            "subprocess: start-up, settings, file discovery, plan, and the plan table printed",
            crackjack("--fast", "--dry-run"),
        ),
        Contender(
            "crackjack --fast",
            "subprocess, plain output to a pipe (no TERM, no CI)",
            crackjack("--fast"),
        ),
    ]


def measure(timed: Sequence[Contender], *, runs: int, warmup: int) -> None:
    for round_ in range(warmup + runs):
        keep = round_ >= warmup
        for contender in timed:
            contender.time_once(keep=keep)
        label = f"run {round_ - warmup + 1}/{runs}" if keep else f"warm-up {round_ + 1}/{warmup}"
        print(f"bench: {label} done", file=sys.stderr)


def critical_path(steps: Sequence[Step], medians: dict[str, float]) -> float:
    """The plan's longest chain of hooks that must not overlap, from the hooks' medians."""
    finish: dict[str, float] = {}
    for step in steps:
        ready = max((finish[w] for w in step.plan.waits_for if w in finish), default=0.0)
        finish[step.id] = ready + medians[step.id]
    return max(finish.values(), default=0.0)


def slowest_hook(timed: Sequence[Contender]) -> Contender:
    return max((c for c in timed if c.is_hook), key=lambda c: c.median)


def verdicts(timed: Sequence[Contender]) -> list[Verdict]:
    by_name = {c.name: c for c in timed}
    slowest = slowest_hook(timed)
    return [
        Verdict(
            "`crackjack --version` < 150 ms", by_name["crackjack --version"].median, VERSION_TARGET
        ),
        Verdict(
            f"`crackjack --fast` <= {FAST_FACTOR} x slowest hook ({slowest.name})"
            f" + {FAST_ALLOWANCE} s",
            by_name["crackjack --fast"].median,
            FAST_FACTOR * slowest.median + FAST_ALLOWANCE,
        ),
    ]


def table(timed: Sequence[Contender]) -> str:
    rows = [
        "| measurement | how | median (s) | min (s) | exit codes |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for c in timed:
        codes = ",".join(str(code) for code in sorted(set(c.exit_codes)))
        rows.append(f"| {c.name} | {c.how} | {c.median:.3f} | {c.minimum:.3f} | {codes} |")
    return "\n".join(rows)


def report(
    timed: Sequence[Contender], steps: Sequence[Step], idle: Sequence[str], meta: dict[str, object]
) -> str:
    slowest = slowest_hook(timed)
    medians = {c.name: c.median for c in timed if c.is_hook}
    runs = len(timed[0].seconds)
    lines = [
        f"Corpus: {PACKAGE} {VERSION} sdist, {max(len(s.plan.files) for s in steps)} files;"
        f" {runs} timed runs of each, wall clock.",
        "",
        table(timed),
        "",
        f"- slowest single hook: {slowest.name}, median {slowest.median:.3f} s",
        f"- critical path of crackjack's plan, from the hook medians: "
        f"{critical_path(steps, medians):.3f} s",
        f"- hooks with no files here (not timed): {', '.join(idle) or 'none'}",
        f"- 1-minute load average before / after: {meta['load_average_before']:.2f} /"
        f" {meta['load_average_after']:.2f} on {meta['cpus']} CPUs (other work inflates every row)",
        *(verdict.line() for verdict in verdicts(timed)),
    ]
    return "\n".join(lines)


def source_revision() -> str:
    """The commit of crackjack's source checkout, ``+dirty`` with uncommitted changes, or ""."""
    source = Path(crackjack_package.__file__).resolve().parent.parent
    git = ["git", "-C", str(source)]
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    head = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], env=env, capture_output=True, text=True, check=False
    )
    if head.returncode != 0:
        return ""
    diff = subprocess.run([*git, "diff", "--quiet", "HEAD", "--"], env=env, check=False)
    return head.stdout.strip() + ("+dirty" if diff.returncode else "")


def metadata(steps: Sequence[Step], runs: int, warmup: int) -> dict[str, object]:
    ruff = subprocess.run([str(BIN / "ruff"), "--version"], capture_output=True, text=True)
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpus": len(os.sched_getaffinity(0)),
        "load_average_before": os.getloadavg()[0],
        "python": platform.python_version(),
        "pythondontwritebytecode": bool(os.environ.get("PYTHONDONTWRITEBYTECODE")),
        "crackjack": importlib.metadata.version("crackjack"),
        "crackjack_source": source_revision(),
        "ruff": ruff.stdout.strip(),
        "corpus": f"{PACKAGE}=={VERSION}",
        "files_per_hook": {step.id: len(step.plan.files) for step in steps},
        "runs": runs,
        "warmup": warmup,
    }


def write_json(timed: Sequence[Contender], steps: Sequence[Step], meta: dict[str, object]) -> None:
    medians = {c.name: c.median for c in timed if c.is_hook}
    data = {
        "meta": meta,
        "measurements": [c.as_json() for c in timed],
        "slowest_hook": slowest_hook(timed).name,
        "critical_path": critical_path(steps, medians),
        "targets": [
            {"target": v.target, "measured": v.measured, "limit": v.limit, "passed": v.passed}
            for v in verdicts(timed)
        ],
    }
    RESULTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each measurement")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds before those")
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
    timed = contenders(steps)
    meta = metadata(steps, args.runs, args.warmup)
    try:
        measure(timed, runs=args.runs, warmup=args.warmup)
    finally:
        reset(CORPUS)
    meta["load_average_after"] = os.getloadavg()[0]
    print(report(timed, steps, idle, meta))
    write_json(timed, steps, meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
