"""Time crackjack's start-up tricks: crackjack with each one against crackjack without it.

``python bench/startup.py [--runs N] [--warmup W] [--scenario KEY ...]`` builds copies of the
crackjack package under ``bench/.work/startup/``: the package of commit :data:`BASE` (every
trick in place) as it is, the same package with one patch of ``bench/tricks/`` applied for each
trick (that trick undone, nothing else), and this checkout's package. Each copy runs through a
launcher made like pip's console script, with the copy first on ``sys.path``, so the copies
differ only in their source. In every round, each scenario runs every copy that claims it once,
in an order that rotates from round to round, after warm-up rounds. For each copy the table
gives the median of the paired differences with :data:`BASE` (the two runs of one round are
seconds apart, so a busy moment of the machine falls on both) and its 95 % confidence
interval; a trick saves a measurable amount when the interval of its "without" copy lies above
zero. Prints a Markdown table and writes ``bench/.work/startup-results.json``. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from commit import REPO, ensure_repo, make_variants, precommit_config
from commit import STAGED as COMMIT_STAGED
from corpus import CORPUS, WORK, ensure_corpus, reset
from run import Contender, environment_metadata
from testphase import NO_CACHE, SUITE, ensure_suite, prepare_suite_environment

import crackjack as crackjack_package

BASE = "fc6c26e39c0f9823633d977c3352f962884b3690"
"""main before issue 10 took the start-up tricks out: every trick in place."""
TRICKS = Path(__file__).resolve().parent / "tricks"
COPIES = WORK / "startup"
RESULTS = WORK / "startup-results.json"
LAUNCHER = """\
#!{python}
import re
import sys
sys.path.insert(0, {folder!r})
from {module} import {function}
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit({function}())
"""
"""pip's console script, with the copy's folder first on ``sys.path``."""


@dataclass(frozen=True, slots=True)
class Scenario:
    key: str
    argv: tuple[str, ...]
    cwd: Path
    prepare: Callable[[], None]
    """Before every run, not timed."""


@dataclass(frozen=True, slots=True)
class Copy:
    """One copy of the package: :data:`BASE`, ``BASE`` with ``patch`` applied, or the checkout."""

    key: str
    title: str
    scenarios: frozenset[str]
    """The scenarios the trick claims to help (where its absence is timed)."""
    patch: str | None = None
    checkout: bool = False

    @property
    def folder(self) -> Path:
        return COPIES / self.key

    @property
    def launcher(self) -> Path:
        return self.folder / "bin" / "crackjack"


@dataclass(slots=True)
class Row:
    scenario: Scenario
    copy: Copy
    contender: Contender
    differences: list[float] = field(default_factory=list)
    """This copy's time minus :data:`BASE`'s, round by round (empty for ``BASE`` itself)."""


ALL = frozenset({"version", "fast", "staged", "staged-edits", "tests"})
RUNS = frozenset({"fast", "staged", "staged-edits", "tests"})
COPIES_TIMED = (
    Copy("base", "the base commit (--base)", ALL),
    Copy(
        "no-deferred",
        "without `Deferred`: the plain log (and Rich) made before the first hook starts",
        RUNS,
        "no-deferred.patch",
    ),
    Copy(
        "no-lazy",
        "without `Deferred` and `LazyConsole`: the console made as the run command starts",
        RUNS,
        "no-lazy.patch",
    ),
    Copy(
        "top-imports",
        "like no-lazy, and every function-local import of cli/runner.py and cli/records.py"
        " at module level",
        RUNS,
        "top-imports.patch",
    ),
    Copy(
        "no-exit",
        "without `_exit_at_once`'s `os._exit`: `sys.exit`, the interpreter's teardown",
        ALL,
        "no-exit.patch",
    ),
    Copy(
        "no-version-shortcut",
        "without `main()`'s `--version` answered before Typer: Typer's eager option answers",
        frozenset({"version"}),
        "no-version-shortcut.patch",
    ),
    Copy(
        "eager-checks",
        "without `_in_process`: the catalogue imports every in-process check at start",
        frozenset({"fast", "tests"}),
        "eager-checks.patch",
    ),
    Copy(
        "eager-yaml",
        "without syntax.py's local import: PyYAML imported with the syntax checks",
        frozenset({"fast", "staged"}),
        "eager-yaml.patch",
    ),
    Copy("checkout", "this checkout's package", ALL, checkout=True),
)


def git_archive(revision: str, folder: Path) -> None:
    source = Path(crackjack_package.__file__).resolve().parent.parent
    archive = subprocess.run(
        ["git", "-C", str(source), "archive", revision, "crackjack"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)


def entry_point(pyproject: bytes) -> tuple[str, str]:
    """The module and function of the ``crackjack`` console script."""
    target = tomllib.loads(pyproject.decode())["project"]["scripts"]["crackjack"]
    module, _, function = target.partition(":")
    return module, function


def build(copy: Copy) -> None:
    """(Re)make the copy, its bytecode (as ``pip install .`` would) and its launcher."""
    shutil.rmtree(copy.folder, ignore_errors=True)
    copy.folder.mkdir(parents=True)
    package = Path(crackjack_package.__file__).resolve().parent
    if copy.checkout:
        shutil.copytree(package, copy.folder / "crackjack", ignore=shutil.ignore_patterns("*.pyc"))
        pyproject = (package.parent / "pyproject.toml").read_bytes()
    else:
        git_archive(BASE, copy.folder)
        show = ["git", "-C", str(package.parent), "show", f"{BASE}:pyproject.toml"]
        pyproject = subprocess.run(show, capture_output=True, check=True).stdout
    if copy.patch is not None:
        # The ceiling keeps git from finding this checkout's repository above the copy, where
        # it would apply the patch relative to that repository's root (and so to nothing).
        env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(COPIES)}
        apply = ["git", "apply", str(TRICKS / copy.patch)]
        subprocess.run(apply, cwd=copy.folder, env=env, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(copy.folder)], check=True)
    module, function = entry_point(pyproject)
    text = LAUNCHER.format(
        python=sys.executable, folder=str(copy.folder), module=module, function=function
    )
    copy.launcher.parent.mkdir()
    copy.launcher.write_text(text, encoding="utf-8")
    copy.launcher.chmod(0o755)


def nothing() -> None:
    """No preparation: the run changes no file."""


def scenarios() -> list[Scenario]:
    staged, edited = make_variants({path: (REPO / path).read_bytes() for path in COMMIT_STAGED})
    return [
        Scenario("version", ("--version",), CORPUS, nothing),
        Scenario("fast", ("--fast",), CORPUS, lambda: reset(CORPUS)),
        Scenario("staged", ("--staged", "--fast"), REPO, staged.prepare),
        Scenario("staged-edits", ("--staged", "--fast"), REPO, edited.prepare),
        Scenario("tests", ("--skip-hooks", "--", *NO_CACHE), SUITE, nothing),
    ]


def quietly(argv: Sequence[str], cwd: Path) -> Callable[[], int]:
    def action() -> int:
        done = subprocess.run(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        return done.returncode

    return action


def rows_for(found: Sequence[Scenario], copies: Sequence[Copy]) -> list[Row]:
    return [
        Row(
            scenario,
            copy,
            Contender(
                f"{copy.key}: crackjack {' '.join(scenario.argv)}",
                copy.title,
                quietly((str(copy.launcher), *scenario.argv), scenario.cwd),
                prepare=scenario.prepare,
            ),
        )
        for scenario in found
        for copy in copies
        if scenario.key in copy.scenarios
    ]


def measure(rows: Sequence[Row], *, runs: int, warmup: int) -> None:
    """Round-robin: every row once per round, scenario by scenario, each scenario's order
    rotated by one from round to round."""
    by_scenario: dict[str, list[Row]] = {}
    for row in rows:
        by_scenario.setdefault(row.scenario.key, []).append(row)
    for round_ in range(warmup + runs):
        keep = round_ >= warmup
        for group in by_scenario.values():
            shift = round_ % len(group)
            for row in group[shift:] + group[:shift]:
                row.contender.time_once(keep=keep)
            base = group[0].contender.seconds
            if keep:
                for row in group[1:]:
                    row.differences.append(row.contender.seconds[-1] - base[-1])
        label = f"run {round_ - warmup + 1}/{runs}" if keep else f"warm-up {round_ + 1}/{warmup}"
        print(f"bench: {label} done", file=sys.stderr)


def median_interval(values: Sequence[float]) -> tuple[float, float]:
    """A confidence interval of at least 95 % for the median (sign test, order statistics)."""
    ordered, n = sorted(values), len(values)
    k, tail = 0, 0.0
    while True:
        tail += math.comb(n, k) / 2**n
        if tail > 0.025:
            break
        k += 1
    # The k-th smallest and k-th largest (1-based): the chance that the median lies beyond
    # each is what ``tail`` summed up to k - 1, at most 2.5 %.
    if k == 0:
        return ordered[0], ordered[-1]
    return ordered[k - 1], ordered[n - k]


def verdict(row: Row) -> str:
    low, high = median_interval(row.differences)
    if low > 0:
        return "slower: the trick saves time"
    if high < 0:
        return "faster"
    return "no measurable difference"


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| scenario | copy | what differs | median (s) | min (s) | vs base: median of paired"
        " differences (ms) | 95 % interval (ms) | reading | exit codes |",
        "| --- | --- | --- | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for row in rows:
        c = row.contender
        codes = ",".join(str(code) for code in sorted(set(c.exit_codes)))
        if row.differences:
            low, high = median_interval(row.differences)
            delta = f"{statistics.median(row.differences) * 1000:+.0f}"
            interval, reading = f"{low * 1000:+.0f} .. {high * 1000:+.0f}", verdict(row)
        else:
            delta, interval, reading = "", "", "reference"
        lines.append(
            f"| {row.scenario.key} | {row.copy.key} | {row.copy.title} | {c.median:.3f} |"
            f" {c.minimum:.3f} | {delta} | {interval} | {reading} | {codes} |"
        )
    return "\n".join(lines)


def report(found: Sequence[Scenario], rows: Sequence[Row], meta: dict[str, object]) -> str:
    commands = "; ".join(f"{s.key}: `crackjack {' '.join(s.argv)}`" for s in found)
    return "\n".join(
        [
            f"{len(rows[0].contender.seconds)} timed runs of each, wall clock, output to"
            f" /dev/null. Scenarios: {commands}.",
            "",
            table(rows),
            "",
            f"- base: commit {BASE[:7]}; patches: bench/tricks/; checkout:"
            f" {meta['crackjack_source'] or 'unknown'}",
            f"- 1-minute load average before / after: {meta['load_average_before']:.2f} /"
            f" {meta['load_average_after']:.2f} on {meta['cpus']} CPUs",
        ]
    )


def patches_digest(copies: Sequence[Copy]) -> str:
    digest = hashlib.sha256()
    for copy in copies:
        if copy.patch is not None:
            digest.update((TRICKS / copy.patch).read_bytes())
    return digest.hexdigest()


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each copy")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds before those")
    parser.add_argument(
        "--scenario", nargs="+", choices=sorted(ALL), default=sorted(ALL), help="only these"
    )
    parser.add_argument(
        "--copies",
        nargs="+",
        choices=[copy.key for copy in COPIES_TIMED],
        default=[copy.key for copy in COPIES_TIMED],
        help="only these copies (base is always timed)",
    )
    parser.add_argument(
        "--base", default=BASE, help="the commit the base copy is made of (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    global BASE
    args = parse(sys.argv[1:] if argv is None else argv)
    BASE = args.base
    prepare_suite_environment()
    ensure_corpus(CORPUS)
    ensure_repo(precommit_config())
    ensure_suite()
    copies = [c for c in COPIES_TIMED if c.key in args.copies or c is COPIES_TIMED[0]]
    for copy in copies:
        build(copy)
    found = [s for s in scenarios() if s.key in args.scenario]
    rows = rows_for(found, copies)
    meta: dict[str, object] = {
        **environment_metadata(Path(crackjack_package.__file__).resolve().parent),
        "base": BASE,
        "patches_sha256": patches_digest(copies),
        "runs": args.runs,
        "warmup": args.warmup,
    }
    try:
        measure(rows, runs=args.runs, warmup=args.warmup)
    finally:
        reset(CORPUS)
        reset(REPO)
    meta["load_average_after"] = os.getloadavg()[0]
    print(report(found, rows, meta))
    data = {
        "meta": meta,
        "rows": [
            {
                "scenario": row.scenario.key,
                "copy": row.copy.key,
                **row.contender.as_json(),
                "differences": row.differences,
            }
            for row in rows
        ],
    }
    RESULTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
