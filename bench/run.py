"""Time ``crackjack --fast`` against its own hooks run by hand, on the corpus of bench/corpus.py.

``python bench/run.py [--runs N] [--warmup W]`` prints a Markdown table and writes
``bench/.work/results.json``. Every run of anything starts from a freshly reset corpus (the
reset is not timed), so the fixers always do the same work. The contenders take turns, one run
each per round, so a busy moment of the machine falls on all of them alike. The hooks are timed
twice over: the in-process checks called in this process, and the pre-commit-hooks scripts a
pre-commit user runs for them (bench/tools.py), each as a subprocess. See bench/README.md.
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
from tools import PACKAGE as TOOLS_PACKAGE
from tools import TOOLS, ensure_tools, versions

import crackjack as crackjack_package
from crackjack.cli.output import CI_VARIABLES
from crackjack.core.files.batching import partition
from crackjack.core.files.selection import AllFiles, FileSelection
from crackjack.core.run.plan import HookPlan
from crackjack.core.run.session import SessionRequest, plan_session
from crackjack.core.runners.inprocess import InProcess
from crackjack.hooks.catalogue import BUILTINS

BIN = Path(sys.executable).parent
CRACKJACK = BIN / "crackjack"
RESULTS = WORK / "results.json"
VERSION_TARGET = 0.150
FAST_FACTOR = 1.2
FAST_ALLOWANCE = 0.4
FLOOR_IMPORTS = "import typer, rich.console, anyio, pydantic_settings"
"""The libraries every crackjack run imports: its fixed start-up cost beside the interpreter's."""

CALLS = "calls"
"""The set of hook rows with the in-process checks called directly (no interpreter start)."""
TOOLS_SET = "tools"
"""The set of hook rows with every hook run as a standalone tool (pre-commit-hooks, ruff)."""

READINGS = {
    CALLS: (
        "(a) strict",
        "slowest hook by in-process call cost",
        "no interpreter start for the simple checks",
    ),
    TOOLS_SET: (
        "(b) standalone tools",
        "slowest hook run as a standalone tool",
        "ruff directly, pre-commit-hooks for the simple checks",
    ),
}
"""The two readings of "slowest single hook" in the ``--fast`` target: label, what, how."""

Action = Callable[[], int]


@dataclass(frozen=True, slots=True)
class Step:
    """One planned hook, run without crackjack around it.

    With no ``argv`` the hook's in-process check is called in this process on each batch;
    otherwise ``argv`` is run as a subprocess on each batch: the plan's own command, or the
    standalone tool that stands in for an in-process check (``tool``, see :func:`tool_step`).
    """

    plan: HookPlan
    root: Path
    argv: tuple[str, ...]
    batches: tuple[tuple[str, ...], ...]
    tool: str = ""

    @property
    def id(self) -> str:
        return self.plan.hook.id

    @property
    def name(self) -> str:
        return f"{self.id} ({self.tool})" if self.tool else self.id

    @property
    def how(self) -> str:
        if not self.argv:
            return "in-process call of the check function (no interpreter start-up)"
        return "subprocess: `" + " ".join(short(a) for a in (*self.argv, "FILES")) + "`"

    def run(self) -> int:
        if self.argv:
            return max(run_quietly((*self.argv, *batch), self.root) for batch in self.batches)
        hook = self.plan.hook
        if not isinstance(hook.runner, InProcess):
            raise AssertionError(f"{self.id}: neither a command nor an in-process check")
        failed = [
            hook.runner.check(batch, root=self.root, args=hook.args, fix=hook.fixer).failed
            for batch in self.batches
        ]
        return int(any(failed))


def planned_step(plan: HookPlan, root: Path) -> Step:
    """The hook as crackjack's plan has it: same argv (none for a check) and same batches."""
    return Step(plan, root, plan.argv, plan.batches)


def tool_step(step: Step) -> Step:
    """The pre-commit-hooks script for an in-process check; a command hook stays as it is.

    The script gets the files of each of the plan's batches, split again, as crackjack splits
    a command's files, to fit the command line limit (one batch per plan batch here).
    """
    if step.argv:
        return step
    argv = TOOLS[step.id].argv
    batches = tuple(
        split
        for batch in step.batches
        for split in partition(argv, [f"./{n}" if n.startswith("-") else n for n in batch])
    )
    return Step(step.plan, step.root, argv, batches, tool=TOOLS_PACKAGE)


def reset_corpus() -> None:
    reset(CORPUS)


@dataclass(slots=True)
class Contender:
    name: str
    how: str
    action: Action
    hook: str = ""
    """The hook id of a single-hook row, else empty."""
    sets: frozenset[str] = frozenset()
    """The sets of hook rows (:data:`CALLS`, :data:`TOOLS_SET`) this row belongs to."""
    prepare: Callable[[], None] = reset_corpus
    """Before every run, not timed: put the corpus back (and set up what the run needs)."""
    check: Callable[[], str] | None = None
    """After every run, not timed: what is wrong with the corpus now, "" when nothing is."""
    seconds: list[float] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """What ``check`` found after each timed run ("" for a run that left things right)."""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def minimum(self) -> float:
        return min(self.seconds)

    def time_once(self, *, keep: bool) -> None:
        self.prepare()
        start = time.perf_counter()
        code = self.action()
        elapsed = time.perf_counter() - start
        problem = self.check() if self.check is not None else ""
        if not keep:
            if problem:
                print(f"bench: warm-up of {self.name}: {problem}", file=sys.stderr)
            return
        self.seconds.append(elapsed)
        self.exit_codes.append(code)
        if self.check is not None:
            self.problems.append(problem)

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "how": self.how,
            "hook": self.hook,
            "sets": sorted(self.sets),
            "median": self.median,
            "min": self.minimum,
            "seconds": self.seconds,
            "exit_codes": self.exit_codes,
            **({"problems": self.problems} if self.check is not None else {}),
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    target: str
    measured: float
    limit: float
    strict: bool = False
    """Passed only below the limit, not at it."""

    @property
    def passed(self) -> bool:
        return self.measured < self.limit if self.strict else self.measured <= self.limit

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return f"- **{verdict}** {self.target}: {self.measured:.3f} s (limit {self.limit:.3f} s)"


def short(arg: str) -> str:
    return Path(arg).name if os.path.isabs(arg) else arg


def run_quietly(argv: Sequence[str], cwd: Path) -> int:
    """Run ``argv`` with its output captured through pipes, as crackjack captures it."""
    done = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    return done.returncode


def prepare_environment() -> None:
    """Plain, reproducible conditions: no terminal, no CI, no crackjack settings, our tools."""
    for key in [k for k in os.environ if k.startswith("CRACKJACK_") or k in CI_VARIABLES]:
        del os.environ[key]
    os.environ.pop("TERM", None)
    os.environ["PATH"] = os.pathsep.join((str(BIN), os.environ.get("PATH", os.defpath)))


def compile_crackjack() -> Path:
    """Write the bytecode of crackjack's modules, as ``pip install .`` or a first run would.

    Under ``PYTHONDONTWRITEBYTECODE=1`` an editable install never caches it, so every run
    would compile crackjack's modules again. Returns the package directory.
    """
    package = Path(crackjack_package.__file__).resolve().parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    return package


def plan_steps(root: Path, files: FileSelection | None = None) -> tuple[list[Step], list[str]]:
    """The fast workflow's hooks that have work to do, and the ids of those that have none.

    ``files``: which files the plan looks at, as crackjack's flags choose them (default: all).
    """
    request = SessionRequest(workflows=("fast",), files=files or AllFiles(), cwd=root)
    plan = plan_session(request, BUILTINS).plan
    hooks = [h for phase in plan.phases for h in phase.hooks]
    missing = [h.hook.id for h in hooks if h.missing]
    if missing:
        raise SystemExit(f"bench: programs not found for {', '.join(missing)}")
    in_process = [h.hook.id for h in hooks if isinstance(h.hook.runner, InProcess)]
    unknown = [hook_id for hook_id in in_process if hook_id not in TOOLS]
    if unknown:
        raise SystemExit(f"bench: no standalone tool known for {', '.join(unknown)}")
    steps = [planned_step(h, root) for h in hooks if h.skip_reason is None]
    idle = [h.hook.id for h in hooks if h.skip_reason is not None]
    return steps, idle


def crackjack(*args: str) -> Action:
    return lambda: run_quietly((str(CRACKJACK), *args), CORPUS)


def python(*args: str) -> Action:
    return lambda: run_quietly((sys.executable, *args), CORPUS)


def sequential(steps: Sequence[Step]) -> Action:
    return lambda: max(step.run() for step in steps)


def parallel(steps: Sequence[Step]) -> Action:
    """Every hook started at once on its own thread (tools as subprocesses), then wait for all."""

    def action() -> int:
        with ThreadPoolExecutor(max_workers=len(steps)) as pool:
            return max(pool.map(Step.run, steps))

    return action


def contenders(steps: Sequence[Step]) -> list[Contender]:
    tools = [tool_step(step) for step in steps]
    return [
        Contender("crackjack --version", "subprocess", crackjack("--version")),
        Contender(
            "python -c pass", "subprocess: floor, the interpreter alone", python("-c", "pass")
        ),
        Contender(
            f'python -c "{FLOOR_IMPORTS}"',
            "subprocess: floor, the interpreter and the libraries crackjack must import",
            python("-c", FLOOR_IMPORTS),
        ),
        *(
            Contender(
                step.name,
                step.how,
                step.run,
                hook=step.id,
                sets=frozenset({CALLS} if not step.argv else {CALLS, TOOLS_SET}),
            )
            for step in steps
        ),
        Contender(
            "all hooks, sequential",
            "in-process calls and ruff: one after another in plan order, timed as one block",
            sequential(steps),
        ),
        Contender(
            "all hooks, parallel",
            "in-process calls and ruff: all started at once, one thread each, then wait for"
            " all (ignores fixer order)",
            parallel(steps),
        ),
        *(
            Contender(tool.name, tool.how, tool.run, hook=tool.id, sets=frozenset({TOOLS_SET}))
            for tool, step in zip(tools, steps, strict=True)
            if tool is not step
        ),
        Contender(
            "all tools directly, one after another",
            "pre-commit-hooks scripts and ruff, as subprocesses in plan order, timed as one block",
            sequential(tools),
        ),
        Contender(
            "all tools directly, in parallel",
            "pre-commit-hooks scripts and ruff, all started at once, then wait for all"
            " (ignores fixer order)",
            parallel(tools),
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


def slowest_hook(timed: Sequence[Contender], which: str) -> Contender:
    """The single-hook row with the largest median among the set ``which``."""
    return max((c for c in timed if which in c.sets), key=lambda c: c.median)


def hook_medians(timed: Sequence[Contender], which: str) -> dict[str, float]:
    return {c.hook: c.median for c in timed if which in c.sets}


def verdicts(timed: Sequence[Contender]) -> list[Verdict]:
    by_name = {c.name: c for c in timed}
    fast = by_name["crackjack --fast"].median
    found = [
        Verdict(
            "`crackjack --version` < 150 ms", by_name["crackjack --version"].median, VERSION_TARGET
        )
    ]
    for which, (label, what, how) in READINGS.items():
        slowest = slowest_hook(timed, which)
        found.append(
            Verdict(
                f"{label}: `crackjack --fast` <= {FAST_FACTOR} x {what} + {FAST_ALLOWANCE} s"
                f" ({how}; slowest: {slowest.name}, {slowest.median:.3f} s)",
                fast,
                FAST_FACTOR * slowest.median + FAST_ALLOWANCE,
            )
        )
    return found


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
    calls, tools = slowest_hook(timed, CALLS), slowest_hook(timed, TOOLS_SET)
    runs = len(timed[0].seconds)
    lines = [
        f"Corpus: {PACKAGE} {VERSION} sdist, {max(len(s.plan.files) for s in steps)} files;"
        f" {runs} timed runs of each, wall clock.",
        "",
        table(timed),
        "",
        f"- slowest single hook, in-process calls and ruff: {calls.name},"
        f" median {calls.median:.3f} s",
        f"- slowest single hook, standalone tools: {tools.name}, median {tools.median:.3f} s",
        f"- critical path of crackjack's plan, from the hook medians: "
        f"{critical_path(steps, hook_medians(timed, CALLS)):.3f} s with the in-process calls,"
        f" {critical_path(steps, hook_medians(timed, TOOLS_SET)):.3f} s with the standalone tools",
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


def environment_metadata(package: Path) -> dict[str, object]:
    """The date, the machine, its load, and the versions of everything the benchmark runs."""
    ruff = subprocess.run([str(BIN / "ruff"), "--version"], capture_output=True, text=True)
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpus": len(os.sched_getaffinity(0)),
        "load_average_before": os.getloadavg()[0],
        "python": platform.python_version(),
        "pythondontwritebytecode": bool(os.environ.get("PYTHONDONTWRITEBYTECODE")),
        "crackjack_bytecode": f"python -m compileall -q {package}",
        "crackjack": importlib.metadata.version("crackjack"),
        "crackjack_source": source_revision(),
        "ruff": ruff.stdout.strip(),
        "tools": versions(),
    }


def metadata(steps: Sequence[Step], package: Path, runs: int, warmup: int) -> dict[str, object]:
    return {
        **environment_metadata(package),
        "corpus": f"{PACKAGE}=={VERSION}",
        "files_per_hook": {step.id: len(step.plan.files) for step in steps},
        "runs": runs,
        "warmup": warmup,
    }


def write_json(timed: Sequence[Contender], steps: Sequence[Step], meta: dict[str, object]) -> None:
    data = {
        "meta": meta,
        "measurements": [c.as_json() for c in timed],
        "slowest_hook": {which: slowest_hook(timed, which).name for which in READINGS},
        "critical_path": {
            which: critical_path(steps, hook_medians(timed, which)) for which in READINGS
        },
        "targets": [
            {"target": v.target, "measured": v.measured, "limit": v.limit, "passed": v.passed}
            for v in verdicts(timed)
        ],
    }
    RESULTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def parse_args(
    argv: Sequence[str],
    description: str | None = __doc__,
    options: Callable[[argparse.ArgumentParser], None] | None = None,
) -> argparse.Namespace:
    """``--runs`` and ``--warmup``, and the script's own ``options`` if it has more."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each measurement")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds before those")
    if options is not None:
        options(parser)
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
    ensure_tools()
    package = compile_crackjack()
    steps, idle = plan_steps(CORPUS)
    timed = contenders(steps)
    meta = metadata(steps, package, args.runs, args.warmup)
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
