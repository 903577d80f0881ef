"""Time crackjack against pre-commit, prek and lefthook in every scenario of issue 13.

``python bench/peers.py [--runs N] [--warmup W] [--scenario KEY ...]`` works in a clone of the
corpus of bench/corpus.py with one more commit: each runner's configuration of the same checks
(``.pre-commit-config.yaml`` for pre-commit and prek, ``lefthook.yml``, and ``[tool.crackjack]``
plus a fixed mypy target in ``pyproject.toml``), and, for the commit scenario, one clone of that
per runner with the runner's own git hook installed. Scenarios: ``commit`` (``git commit`` of 5
staged files through each installed hook, without and with unstaged edits, and git alone),
``trivial`` (one hook that runs ``true`` on every file), ``version`` (``crackjack --version``
against ``python -c pass``), ``set-a`` (the fast workflow's checks on every file) and ``set-b``
(those and mypy, against mypy alone); with the result cache on (issue 14): ``cache-rerun``
(set B rerun with nothing changed, against prek), ``cache-commit`` (the commit of 5 staged files
a ``crackjack --fast --staged`` passed, against prek), ``cache-one`` (one Python file changed:
each per-file hook must check that file alone, read from the events) and ``cache-cold`` (an
empty cache against ``--no-cache``). Before every run (not timed) the clone is reset; the
contenders of a scenario take turns, one run of each per round. Each contender first runs once
with its output kept, and must run every hook and reach the same verdict as the others. Prints
a Markdown table and a verdict per target, and writes ``bench/.work/peers-results.json``. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import testphase
import yaml
from commit import (
    CONFIG,
    CRACKJACK_RUN,
    FRAMEWORK_IDS,
    OTHERS,
    PREK_RUN,
    STAGED,
    Checked,
    Variant,
    ensure_clone,
    local_config,
    make_variants,
    plan_of_staged,
    precommit_hooks,
    prepare_commit_environment,
)
from corpus import CORPUS, PACKAGE, VERSION, WORK, ensure_corpus, git, git_output, reset
from run import (
    BIN,
    CRACKJACK,
    Contender,
    Verdict,
    compile_crackjack,
    environment_metadata,
    measure,
    parse_args,
    plan_steps,
    run_quietly,
    short,
)
from tools import PinnedEnv, ensure_tools

REPO = WORK / "peers-corpus"
"""The corpus with every runner's configuration committed: the run scenarios work here."""
CLEAN = WORK / "peers-clean"
"""A clone of :data:`REPO` with the fixers' fixes committed: set B where nothing is left to fix."""
CLONES = WORK / "peers-hooks"
"""One clone of :data:`REPO` per runner, with its git hook installed: the commit scenario."""
RESULTS = WORK / "peers-results.json"
OUTPUTS = WORK / "peers-check"
"""The output of each contender's checked run, one file per scenario and contender."""

LEFTHOOK_ENV = PinnedEnv(WORK / "lefthook-venv", "lefthook==2.2.2", ("lefthook",))
"""lefthook from PyPI: its wheel ships the Go binary behind a Python launcher."""
PRE_COMMIT = str(BIN / "pre-commit")
PREK = str(BIN / "prek")
MYPY = str(BIN / "mypy")

TRIVIAL_CONFIG = "bench-trivial.pre-commit-config.yaml"
SET_B_CONFIG = "bench-set-b.pre-commit-config.yaml"
LEFTHOOK_CONFIG = "lefthook.yml"
TRIVIAL = "trivial"
"""The name of the one-hook workflow, its phase and its lefthook hook."""
SET_B = "set-b"
"""The name of set B's lefthook hook."""
SET_B_CLEAN = "set-b-clean"
"""Set B where the fixers have nothing left to fix."""
MYPY_FILES = ("src/pip/_internal/cli",)
"""What mypy checks, written as ``files`` in pip's own ``[tool.mypy]``: every runner and mypy
alone run ``mypy`` with no file arguments and the same configuration. pip's 13 command-line
modules pass (with what they import, followed and cached as mypy does): about 4 s cold here."""
COMMIT = ("-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-q")
COMMIT_MESSAGE = "A commit of 5 files (crackjack benchmark)"

TRUE_HOOK: dict[str, object] = {"id": "true", "name": "true", "entry": "true", "language": "system"}
MYPY_HOOK: dict[str, object] = {
    "id": "mypy",
    "name": "mypy",
    "entry": MYPY,
    "language": "system",
    "pass_filenames": False,
    "types_or": ["python", "pyi"],
    "require_serial": True,
}
GLOBS = {"python": ("py",), "pyi": ("pyi",), "toml": ("toml",), "yaml": ("yaml", "yml")}
"""identify's file types as the file name endings of a lefthook glob."""

LEFTHOOK_DONE = re.compile(r"^(?P<mark>✓|✔️|✗|🥊)\s*(?P<hook>\S+) \(", re.MULTILINE)
"""A hook's line in lefthook's summary: ``✓ ruff-check (0.05 seconds)``."""
LEFTHOOK_SKIP = re.compile(r"^│\s+(?P<hook>\S+) \(skip\)", re.MULTILINE)
"""A hook lefthook skipped: ``│  check-toml (skip) no files for inspection``."""

RAN = "passed, failed or fixed"
"""The status a checked run expects of a hook whose result may differ between runners (crackjack
says ``fixed`` where the others say ``failed``)."""
Statuses = Callable[[str], dict[str, str]]


def lefthook_binary() -> Path:
    """The Go binary inside lefthook's wheel, where its launcher finds it (no Python start)."""
    machine = platform.machine().lower()
    arch = {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    folder = f"lefthook-{platform.system().lower()}-{arch}"
    return LEFTHOOK_ENV.site_packages / "lefthook" / "bin" / folder / "lefthook"


def lefthook_statuses(output: str) -> dict[str, str]:
    """Each hook's status in lefthook's output, by crackjack's hook id."""
    found = {m["hook"]: "skipped" for m in LEFTHOOK_SKIP.finditer(output)}
    for match in LEFTHOOK_DONE.finditer(output):
        found[match["hook"]] = "passed" if match["mark"] in {"✓", "✔️"} else "failed"
    return {FRAMEWORK_IDS.get(hook, hook): status for hook, status in found.items()}


crackjack_statuses: Statuses = CRACKJACK_RUN.statuses
framework_statuses: Statuses = PREK_RUN.statuses
"""pre-commit's and prek's output (the same lines), by crackjack's hook id."""


def no_statuses(output: str) -> dict[str, str]:
    return {}


def lefthook_command(spec: Mapping[str, object]) -> dict[str, object]:
    """A ``repo: local`` hook spec as a lefthook command: the same program, arguments and files
    (``{staged_files}``, which ``--all-files`` makes every file), file types as a glob."""
    run = " ".join([str(spec["entry"]), *(shlex.quote(arg) for arg in _strings(spec, "args"))])
    if spec.get("pass_filenames", True):
        run += " {staged_files}"
    command: dict[str, object] = {"run": run}
    types = _strings(spec, "types")
    if "text" in types:
        command["file_types"] = "text"
    endings = [e for t in (*types, *_strings(spec, "types_or")) if t != "text" for e in GLOBS[t]]
    if endings:
        command["glob"] = f"*.{{{','.join(endings)}}}" if len(endings) > 1 else f"*.{endings[0]}"
    return command


def _strings(spec: Mapping[str, object], key: str) -> list[str]:
    found = spec.get(key, [])
    return [str(item) for item in found] if isinstance(found, list) else []


def lefthook_config(fast: Sequence[Mapping[str, object]]) -> str:
    """lefthook's configuration: the fast hooks as the installed ``pre-commit`` hook (and set
    A), the trivial hook, and set B, every group with ``parallel: true``."""

    def group(specs: Sequence[Mapping[str, object]]) -> dict[str, object]:
        commands = {str(spec["id"]): lefthook_command(spec) for spec in specs}
        return {"parallel": True, "commands": commands}

    config = {
        "colors": False,
        "pre-commit": group(fast),
        TRIVIAL: group([TRUE_HOOK]),
        SET_B: group([*fast, MYPY_HOOK]),
    }
    header = "# Written by bench/peers.py: the checks of .pre-commit-config.yaml, for lefthook.\n"
    return header + yaml.safe_dump(config, sort_keys=False, width=100)


def crackjack_pyproject(pyproject: str) -> str:
    """pip's ``pyproject.toml`` with the trivial workflow and mypy's fixed target."""
    if pyproject.count("[tool.mypy]\n") != 1:
        raise SystemExit("bench: the corpus's pyproject.toml has no single [tool.mypy] table")
    files = ", ".join(f'"{name}"' for name in MYPY_FILES)
    fixed = pyproject.replace("[tool.mypy]\n", f"[tool.mypy]\nfiles = [{files}]\n")
    return fixed + (
        "\n# Added by bench/peers.py: one hook that runs `true` on every file.\n"
        f'[tool.crackjack.hooks.true]\ncommand = ["true"]\nphase = "{TRIVIAL}"\n\n'
        f'[tool.crackjack.workflows.{TRIVIAL}]\nphases = ["{TRIVIAL}"]\n'
    )


def configurations(pyproject: str) -> dict[str, str]:
    """Every file the runners read, by path in the clone."""
    fast = precommit_hooks()
    header = "# Written by bench/peers.py.\n"
    return {
        CONFIG: header + local_config(fast),
        TRIVIAL_CONFIG: header + local_config([TRUE_HOOK]),
        SET_B_CONFIG: header + local_config([*fast, MYPY_HOOK]),
        LEFTHOOK_CONFIG: lefthook_config(fast),
        "pyproject.toml": crackjack_pyproject(pyproject),
    }


HOOK_STATUSES: dict[str, Statuses] = {
    "git alone": no_statuses,
    "crackjack": crackjack_statuses,
    "pre-commit": framework_statuses,
    "prek": framework_statuses,
    "lefthook": lefthook_statuses,
}
"""The runners of the commit scenario, in the table's order: how to read their hook's output."""


def installer(runner: str) -> tuple[str, ...]:
    """The command that installs ``runner``'s git hook in a clone (git alone installs none)."""
    programs = {"crackjack": str(CRACKJACK), "pre-commit": PRE_COMMIT, "prek": PREK}
    programs["lefthook"] = str(lefthook_binary())
    return (programs[runner], "install") if runner in programs else ()


def hook_clone(runner: str) -> Path:
    """The clone of :data:`REPO` with ``runner``'s git hook installed by its own installer."""
    argv = installer(runner)

    def install(clone: Path) -> None:
        if argv:
            subprocess.run(argv, cwd=clone, check=True, capture_output=True)

    label = f"hook: {' '.join(short(a) for a in argv) or 'none'}"
    return ensure_clone(CLONES / runner.replace(" ", "-"), {}, REPO, install, label)


def reset_repo() -> None:
    reset(REPO)


@dataclass(frozen=True, slots=True)
class Case:
    """One contender of a scenario: a command, where it runs, how to read its hooks' statuses
    and what its checked run must show, what to do before it (not timed) and what to check
    after it (not timed either)."""

    runner: str
    argv: tuple[str, ...]
    statuses: Statuses = no_statuses
    expected: Mapping[str, str] = field(default_factory=dict)
    """Each hook's expected status, by crackjack's hook id (:data:`RAN`: passed or failed)."""
    exit_code: int | None = None
    """The exit code the checked run must have, if it is known beforehand."""
    cwd: Path = REPO
    prepare: Callable[[], None] = reset_repo
    check: Callable[[], str] | None = None
    variant: str = ""
    how: str = ""
    """What the table says runs, if not the command itself."""
    env: Mapping[str, str | None] = field(default_factory=dict)
    """Changes to the environment it runs in (None: the variable removed): the result cache
    scenarios turn the cache on (:data:`CACHE_ON`)."""

    @property
    def name(self) -> str:
        return f"{self.runner} ({self.variant})" if self.variant else self.runner

    @property
    def command(self) -> str:
        return " ".join(short(arg) for arg in self.argv)

    def contender(self) -> Contender:
        argv, cwd, env = self.argv, self.cwd, self.env
        return Contender(
            self.name,
            self.how or f"`{self.command}`",
            (lambda: run_with(argv, cwd, env)) if env else (lambda: run_quietly(argv, cwd)),
            prepare=self.prepare,
            check=self.check,
        )


CACHE_ON: Mapping[str, str | None] = {"CRACKJACK_NO_CACHE": None}
"""The result cache on (every other scenario runs with ``CRACKJACK_NO_CACHE=1``)."""
CACHE_OFF: Mapping[str, str | None] = {"CRACKJACK_NO_CACHE": "1"}


def environment(changes: Mapping[str, str | None]) -> dict[str, str]:
    """This process's environment with ``changes`` (None: removed)."""
    env = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_with(argv: Sequence[str], cwd: Path, changes: Mapping[str, str | None]) -> int:
    """``run_quietly`` in this environment with ``changes``."""
    done = subprocess.run(
        argv,
        cwd=cwd,
        env=environment(changes),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )
    return done.returncode


@dataclass(frozen=True, slots=True)
class Target:
    """Contender ``name`` at most ``factor`` x contender ``reference``, on medians (``strict``:
    below it)."""

    name: str
    reference: str
    factor: float
    strict: bool = False
    note: str = ""


@dataclass(slots=True)
class Scenario:
    key: str
    title: str
    cases: list[Case]
    reference: str
    """The runner the ratio column divides by (in the same variant)."""
    targets: list[Target]
    agree: tuple[str, ...] = ()
    """The hooks whose status must be the same for every runner (beside the exit code)."""
    contenders: dict[str, Contender] = field(default_factory=dict)
    checked: list[Checked] = field(default_factory=list)

    def ratio(self, case: Case) -> float:
        name = f"{self.reference} ({case.variant})" if case.variant else self.reference
        return self.contenders[case.name].median / self.contenders[name].median

    def verdicts(self) -> list[Verdict]:
        found = []
        for target in self.targets:
            mine = self.contenders[target.name].median
            reference = self.contenders[target.reference].median
            word = "below" if target.strict else "at most"
            note = f", {target.note}" if target.note else ""
            found.append(
                Verdict(
                    f"({self.key}) {target.name} {word} {target.factor} x {target.reference}"
                    f"{note}: ratio {mine / reference:.2f}",
                    mine,
                    target.factor * reference,
                    strict=target.strict,
                )
            )
        return found

    def disagreements(self) -> list[str]:
        """Where the runners' checked runs (those with expected hooks) do not reach the same
        verdict, in each variant: their exit codes, and the statuses of :attr:`agree`."""
        found = []
        runners = [case for case in self.cases if case.expected]
        for variant in dict.fromkeys(case.variant for case in runners):
            names = {case.name for case in runners if case.variant == variant}
            group = [checked for checked in self.checked if checked.name in names]
            codes = {checked.name: checked.exit_code for checked in group}
            if len(set(codes.values())) > 1:
                found.append(f"exit codes differ: {codes}")
            for hook in self.agree:
                seen = {checked.name: checked.statuses.get(hook, "-") for checked in group}
                if len(set(seen.values())) > 1:
                    found.append(f"{hook} differs: {seen}")
        return found


def checked_run(scenario: str, case: Case) -> Checked:
    """Run ``case`` once with its output kept, and say whether it ran every hook as expected,
    exited as expected and left the clone as it should (commit.py's checked runs, for any
    runner: here the output names the hooks without ``--verbose``)."""
    case.prepare()
    done = subprocess.run(
        case.argv,
        cwd=case.cwd,
        env=environment(case.env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )
    problem = case.check() if case.check is not None else ""
    output = (done.stdout + done.stderr).decode(errors="replace")
    OUTPUTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "-", case.name).strip("-")
    saved = OUTPUTS / f"{scenario}-{stem}.txt"
    saved.write_text(output, encoding="utf-8")
    statuses = case.statuses(output)
    wrong_exit = case.exit_code is not None and done.returncode != case.exit_code
    failures = (
        *([f"exit code {done.returncode}, expected {case.exit_code}"] if wrong_exit else []),
        *([problem] if problem else []),
        *(
            f"{hook}: {statuses.get(hook, 'not in the output')}, expected {status}"
            for hook, status in case.expected.items()
            if not _as_expected(statuses.get(hook), status)
        ),
    )
    return Checked(
        tool=case.runner,
        variant=case.variant,
        command=case.command,
        exit_code=done.returncode,
        statuses=statuses,
        output=str(saved.relative_to(WORK)),
        failures=failures,
    )


def _as_expected(found: str | None, expected: str) -> bool:
    return found in {"passed", "failed", "fixed"} if expected == RAN else found == expected


def commit_prepare(variant: Variant, base: str) -> Callable[[], None]:
    """Back to ``base`` (undoing the last run's commit), then the variant's edits."""

    def prepare() -> None:
        git(variant.repo, "reset", "-q", "--soft", base)
        variant.prepare()

    return prepare


def commit_check(variant: Variant, base: str) -> Callable[[], str]:
    """After a commit: one new commit on ``base`` with exactly the staged edits, and the
    unstaged edits, the index and the refs as they were (``variant``, its index now HEAD)."""
    committed = dataclasses.replace(variant, head=variant.index)
    repo = variant.repo

    def check() -> str:
        if git_output(repo, "rev-parse", "HEAD").decode().strip() == base:
            return "no commit was made"
        problems = []
        parent = git_output(repo, "rev-parse", "HEAD^").decode().strip()
        if parent != base:
            problems.append(f"HEAD^ is {parent}, not the base commit")
        changed = git_output(repo, "diff", "--name-only", "-z", base, "HEAD").decode()
        if sorted(filter(None, changed.split("\0"))) != sorted(STAGED):
            problems.append(f"the commit changed {changed.split()}")
        left = committed.check()
        return "; ".join([*problems, *([left] if left else [])])

    return check


def commit_scenario(base: str) -> Scenario:
    """Every runner's installed hook in its own clone (so each clone's hook is what its
    installer wrote, untouched), and git alone in a clone without a hook."""
    cases = []
    for runner in HOOK_STATUSES:
        clone = hook_clone(runner)
        git(clone, "reset", "-q", "--soft", base)  # a commit an interrupted run left is undone
        heads = {path: (REPO / path).read_bytes() for path in (*STAGED, *OTHERS)}
        for variant in make_variants(heads, clone):
            expected = plan_of_staged(variant)[1] if runner != "git alone" else {}
            cases.append(
                Case(
                    runner,
                    ("git", *COMMIT, "-m", COMMIT_MESSAGE),
                    HOOK_STATUSES[runner],
                    expected,
                    0,
                    clone,
                    commit_prepare(variant, base),
                    commit_check(variant, base),
                    variant.key,
                    f"`git commit`, hook by `{' '.join(short(a) for a in installer(runner))}`"
                    if runner != "git alone"
                    else "`git commit`, no hook",
                )
            )
    return Scenario(
        "commit",
        f"`git commit` of {len(STAGED)} staged files through each runner's installed git hook:"
        f" (a) nothing else changed, (b) unstaged edits too, in those files and {len(OTHERS)}"
        " others",
        cases,
        "prek",
        [
            Target("crackjack (a)", "prek (a)", 1.2),
            Target("crackjack (a)", "prek (a)", 1.0, strict=True, note="aiming below prek"),
            Target("crackjack (a)", "pre-commit (a)", 0.6),
            Target("crackjack (b)", "prek (b)", 1.3),
        ],
    )


def framework_run(program: str, *config: str) -> tuple[str, ...]:
    return (program, "run", "--all-files", *(("-c", config[0]) if config else ()))


def run_scenarios() -> list[Scenario]:
    """trivial, version, set A and set B, in :data:`REPO` (reset before every run)."""
    crackjack, lefthook = str(CRACKJACK), str(lefthook_binary())
    steps, idle = plan_steps(REPO)
    fast = {step.id: RAN for step in steps} | dict.fromkeys(idle, "skipped")
    set_b = fast | {"mypy": "passed"}
    trivial = {"true": "passed"}
    return [
        Scenario(
            TRIVIAL,
            "one hook that runs `true` on every file",
            [
                Case("crackjack", (crackjack, "-w", TRIVIAL), crackjack_statuses, trivial, 0),
                Case(
                    "pre-commit",
                    framework_run(PRE_COMMIT, TRIVIAL_CONFIG),
                    framework_statuses,
                    trivial,
                    0,
                ),
                Case("prek", framework_run(PREK, TRIVIAL_CONFIG), framework_statuses, trivial, 0),
                Case(
                    "lefthook",
                    (lefthook, "run", TRIVIAL, "--all-files"),
                    lefthook_statuses,
                    trivial,
                    0,
                ),
            ],
            "pre-commit",
            [Target("crackjack", "pre-commit", 0.5)],
            ("true",),
        ),
        Scenario(
            "version",
            "`crackjack --version` against the interpreter alone",
            [
                Case("crackjack --version", (crackjack, "--version"), exit_code=0),
                Case("python -c pass", (sys.executable, "-c", "pass"), exit_code=0),
            ],
            "python -c pass",
            [Target("crackjack --version", "python -c pass", 2.0)],
        ),
        Scenario(
            "set-a",
            f"set A: the fast workflow's checks ({len(steps)} of them with files here) on"
            " every file",
            [
                Case("crackjack", (crackjack, "--fast"), crackjack_statuses, fast),
                Case("pre-commit", framework_run(PRE_COMMIT), framework_statuses, fast),
                Case("prek", framework_run(PREK), framework_statuses, fast),
                Case(
                    "lefthook",
                    (lefthook, "run", "pre-commit", "--all-files"),
                    lefthook_statuses,
                    fast,
                ),
            ],
            "lefthook",
            [Target("crackjack", "lefthook", 1.0)],
        ),
        set_b_scenario(SET_B, REPO, set_b, "on every file"),
        set_b_scenario(
            SET_B_CLEAN,
            fixed_clone(),
            set_b,
            "on every file of a clone with the fixers' fixes committed (nothing left to fix)",
        ),
    ]


def set_b_scenario(key: str, repo: Path, set_b: Mapping[str, str], where: str) -> Scenario:
    """Set B in ``repo``, reset before every run."""
    crackjack, lefthook = str(CRACKJACK), str(lefthook_binary())
    skip = ("--skip", "bandit", "--skip", "pytest")

    def prepare() -> None:
        reset(repo)

    def case(runner: str, argv: tuple[str, ...], statuses: Statuses = no_statuses) -> Case:
        expected = set_b if statuses is not no_statuses else {}
        code = 0 if statuses is no_statuses else None
        return Case(runner, argv, statuses, expected, code, cwd=repo, prepare=prepare)

    return Scenario(
        key,
        f"set B: set A and mypy (`mypy`, with `files = {list(MYPY_FILES)}`) {where}",
        [
            case("crackjack", (crackjack, *skip), crackjack_statuses),
            case("pre-commit", framework_run(PRE_COMMIT, SET_B_CONFIG), framework_statuses),
            case("prek", framework_run(PREK, SET_B_CONFIG), framework_statuses),
            case("lefthook", (lefthook, "run", SET_B, "--all-files"), lefthook_statuses),
            case("mypy alone", (MYPY,)),
        ],
        "mypy alone",
        [Target("crackjack", "mypy alone", 1.05)],
        ("mypy",),
    )


def fixed_clone() -> Path:
    """A clone of :data:`REPO` with what crackjack's fixers change committed: a project that
    passes its formatters, as a project's daily runs find it. In :data:`REPO` the fixers change
    Python files mypy reads, so every correct runner must run mypy after them (or again), and
    no runner can come near mypy alone there."""

    def fix(clone: Path) -> None:
        subprocess.run((str(CRACKJACK), "--fast"), cwd=clone, capture_output=True, check=False)
        git(clone, "add", "-u")
        git(clone, "commit", "-q", "--no-verify", "--no-gpg-sign", "-m", "The fixers' fixes")

    return ensure_clone(CLEAN, {}, REPO, fix, "fixes: crackjack --fast")


CACHE_RERUN = "cache-rerun"
CACHE_COMMIT = "cache-commit"
CACHE_ONE = "cache-one"
CACHE_COLD = "cache-cold"
CACHE_SCENARIOS = (CACHE_RERUN, CACHE_COMMIT, CACHE_ONE, CACHE_COLD)
PER_FILE_HOOKS = (
    "debug-statements",
    "check-merge-conflict",
    "trailing-whitespace",
    "end-of-file",
    "ruff-check",
    "ruff-format",
)
"""The built-in hooks cached per file that check a Python file."""
EDITED = "src/pip/_internal/commands/show.py"
"""The one Python file ``cache-one`` changes before each run."""
EVENTS = WORK / "cache-one-events.jsonl"
PASSING = WORK / "peers-passing"
"""A clone of :data:`CLEAN` that crackjack passes: the cache scenarios' project."""
RUFF = str(BIN / "ruff")


def passing_clone() -> Path:
    """:data:`CLEAN` with a ``# noqa`` on each line ruff still reports (pip's configuration
    with this ruff), so that every hook of set B passes: the cache keeps only passes, and
    issue 14's scenarios start after a passing run."""

    def silence(clone: Path) -> None:
        for _ in range(3):
            subprocess.run((RUFF, "check", "--add-noqa", "."), cwd=clone, capture_output=True)
            subprocess.run((str(CRACKJACK), "--fast"), cwd=clone, capture_output=True)
            git(clone, "add", "-u")
            if not git_output(clone, "diff", "--cached", "--name-only"):
                break
            git(clone, "commit", "-q", "--no-verify", "--no-gpg-sign", "-m", "noqa")
        done = subprocess.run((str(CRACKJACK), "--fast"), cwd=clone, capture_output=True)
        if done.returncode:
            raise SystemExit(f"bench: {clone} does not pass crackjack --fast")

    return ensure_clone(PASSING, {}, fixed_clone(), silence, "passing: ruff --add-noqa")


def keep_caches(repo: Path) -> Callable[[], None]:
    """Before a rerun: the tracked files as committed, every tool's cache kept (a rerun with
    nothing changed, as a developer's second run finds the clone)."""

    def prepare() -> None:
        git(repo, "reset", "--hard", "-q")

    return prepare


def cold(repo: Path) -> Callable[[], None]:
    """Before a cold run: the clone reset (tools' caches removed) and crackjack's cache too."""

    def prepare() -> None:
        reset(repo)
        shutil.rmtree(repo / ".git" / "crackjack" / "cache", ignore_errors=True)

    return prepare


def cache_scenarios(base: str, chosen: Sequence[str]) -> list[Scenario]:
    """Issue 14's targets, with crackjack's result cache on: a rerun with nothing changed
    (set B's hooks: the standard workflow without bandit and pytest, which prek's
    configuration does not have), a commit of files a run already passed, one changed file,
    and the cold run against ``--no-cache``."""
    makers = {
        CACHE_RERUN: cache_rerun,
        CACHE_COMMIT: lambda: cache_commit(base),
        CACHE_ONE: cache_one,
        CACHE_COLD: cache_cold,
    }
    return [makers[key]() for key in CACHE_SCENARIOS if key in chosen]


def cache_rerun() -> Scenario:
    crackjack, repo = str(CRACKJACK), passing_clone()
    steps, idle = plan_steps(repo)
    set_b = {step.id: RAN for step in steps} | dict.fromkeys(idle, "skipped") | {"mypy": "passed"}
    argv = (crackjack, "--skip", "bandit", "--skip", "pytest")
    prepare = keep_caches(repo)
    return Scenario(
        CACHE_RERUN,
        "a rerun with nothing changed after a passing run: set B on every file of the passing"
        " clone (the fixers' fixes and a `# noqa` on what ruff still reports committed), every"
        " tool's cache kept between runs",
        [
            Case(
                "crackjack, cached", argv, crackjack_statuses, set_b, 0, repo, prepare, env=CACHE_ON
            ),
            Case(
                "crackjack, --no-cache",
                argv,
                crackjack_statuses,
                set_b,
                0,
                repo,
                prepare,
                env=CACHE_OFF,
            ),
            Case(
                "prek",
                framework_run(PREK, SET_B_CONFIG),
                framework_statuses,
                set_b,
                0,
                repo,
                prepare,
            ),
        ],
        "prek",
        [Target("crackjack, cached", "prek", 0.15)],
        ("mypy",),
    )


def cache_commit(base: str) -> Scenario:
    """Variant (a) of the commit scenario, the staged contents passed by ``crackjack --fast
    --staged`` before each commit (not timed)."""
    cases = []
    for runner, label, env, warm in (
        ("crackjack", "crackjack, passed before", CACHE_ON, True),
        ("crackjack", "crackjack, --no-cache", CACHE_OFF, False),
        ("prek", "prek", {}, False),
    ):
        clone = hook_clone(runner)
        git(clone, "reset", "-q", "--soft", base)
        heads = {path: (REPO / path).read_bytes() for path in (*STAGED, *OTHERS)}
        variant = make_variants(heads, clone)[0]
        prepare = commit_prepare(variant, base)
        if warm:
            prepare = warmed(prepare, clone)
        cases.append(
            Case(
                label,
                ("git", *COMMIT, "-m", COMMIT_MESSAGE),
                HOOK_STATUSES[runner],
                plan_of_staged(variant)[1],
                0,
                clone,
                prepare,
                commit_check(variant, base),
                how=f"`git commit`, hook by `{' '.join(short(a) for a in installer(runner))}`",
                env=env,
            )
        )
    return Scenario(
        CACHE_COMMIT,
        f"`git commit` of {len(STAGED)} staged files whose contents `crackjack --fast --staged`"
        " passed just before (not timed), through each runner's installed git hook",
        cases,
        "prek",
        [Target("crackjack, passed before", "prek", 0.5)],
    )


def warmed(prepare: Callable[[], None], clone: Path) -> Callable[[], None]:
    def both() -> None:
        prepare()
        run_with((str(CRACKJACK), "--fast", "--staged"), clone, CACHE_ON)

    return both


def cache_one() -> Scenario:
    """The fast workflow after one Python file changed (a new edit before each run): each
    per-file hook must check that file alone, as the events of every crackjack run say."""
    crackjack, repo = str(CRACKJACK), passing_clone()
    steps, idle = plan_steps(repo)
    fast = {step.id: RAN for step in steps} | dict.fromkeys(idle, "skipped")
    edits = iter(range(1, 1 << 30))

    def prepare() -> None:
        git(repo, "reset", "--hard", "-q")
        path = repo / EDITED
        path.write_bytes(path.read_bytes() + f"\n\nBENCH_EDIT = {next(edits)}\n".encode())

    run_with((crackjack, "--fast"), repo, CACHE_ON)  # the passing run before (not timed)

    pythons = sum(
        1 for name in git_output(repo, "ls-files", "-z").split(b"\0") if name.endswith(b".py")
    )
    argv = (crackjack, "--fast", "--events", str(EVENTS))
    return Scenario(
        CACHE_ONE,
        f"the fast workflow with 1 of {pythons} Python files changed since a passing run;"
        " checked after each crackjack run: each per-file hook checked that one file",
        [
            Case(
                "crackjack, cached",
                argv,
                crackjack_statuses,
                fast,
                0,
                repo,
                prepare,
                check=one_file_checked,
                env=CACHE_ON,
            ),
            Case(
                "crackjack, --no-cache",
                argv,
                crackjack_statuses,
                fast,
                0,
                repo,
                prepare,
                env=CACHE_OFF,
            ),
            Case("prek", framework_run(PREK), framework_statuses, fast, 0, repo, prepare),
        ],
        "prek",
        [],
    )


def one_file_checked() -> str:
    """What is wrong with the last run's events: a per-file hook that did not check exactly
    the one changed file."""
    wrong = []
    seen = set()
    for line in EVENTS.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        if event.get("event") in ("HookCompleted", "HookFailed"):
            result = event["result"]
            if result["hook"] in PER_FILE_HOOKS:
                seen.add(result["hook"])
                ran = result["files"] - result.get("cached_files", 0)
                if ran != 1:
                    wrong.append(f"{result['hook']} checked {ran}")
    missing = sorted(set(PER_FILE_HOOKS) - seen)
    return "; ".join([*wrong, *(f"{hook} did not run" for hook in missing)])


def cache_cold() -> Scenario:
    crackjack, repo = str(CRACKJACK), passing_clone()
    steps, idle = plan_steps(repo)
    fast = {step.id: RAN for step in steps} | dict.fromkeys(idle, "skipped")
    argv = (crackjack, "--fast")
    return Scenario(
        CACHE_COLD,
        "the fast workflow on every file of the passing clone (every pass is recorded),"
        " crackjack's cache emptied before each run, against `--no-cache`",
        [
            Case(
                "crackjack, cold cache",
                argv,
                crackjack_statuses,
                fast,
                0,
                repo,
                cold(repo),
                env=CACHE_ON,
            ),
            Case(
                "crackjack, --no-cache",
                argv,
                crackjack_statuses,
                fast,
                0,
                repo,
                cold(repo),
                env=CACHE_OFF,
            ),
        ],
        "crackjack, --no-cache",
        [Target("crackjack, cold cache", "crackjack, --no-cache", 1.05)],
    )


SCENARIOS = ("commit", TRIVIAL, "version", "set-a", SET_B, SET_B_CLEAN, *CACHE_SCENARIOS)


def _codes(contender: Contender) -> str:
    return ",".join(str(code) for code in sorted(set(contender.exit_codes)))


def scenario_table(scenario: Scenario) -> str:
    lines = [
        f"| contender | command | median (s) | min (s) | x {scenario.reference} | exit codes"
        " | checks after the run |",
        "| --- | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for case in scenario.cases:
        c = scenario.contenders[case.name]
        kept = f"{c.problems.count('')}/{len(c.problems)} right" if c.check is not None else ""
        lines.append(
            f"| {c.name} | {c.how} | {c.median:.3f} | {c.minimum:.3f} |"
            f" {scenario.ratio(case):.2f} | {_codes(c)} | {kept} |"
        )
    return "\n".join(lines)


def scenario_report(scenario: Scenario) -> str:
    failed = [f"{c.name}: {'; '.join(c.failures)}" for c in scenario.checked if c.failures]
    problems = sorted(
        {
            f"{c.name}: {problem}"
            for c in scenario.contenders.values()
            for problem in c.problems
            if problem
        }
    )
    differ = scenario.disagreements()
    statuses = f" and the status of {', '.join(scenario.agree)}" if scenario.agree else ""
    runners = any(case.expected for case in scenario.cases)
    agreed = f"the runners' exit codes{statuses} agree" if runners else ""
    not_passed = "; ".join(
        f"{c.name}: {', '.join(f'{hook} {status}' for hook, status in bad.items())}"
        for c in scenario.checked
        if (bad := {h: s for h, s in c.statuses.items() if s in {"failed", "fixed"}})
    )
    lines = [
        f"### {scenario.key}: {scenario.title}",
        "",
        scenario_table(scenario),
        "",
        "- checked runs (once each, before the warm-up, output in bench/.work/peers-check/): "
        + ("; ".join(failed) if failed else "every hook, exit code and clone as expected"),
        *([f"- same verdict: {'; '.join(differ) if differ else agreed}"] if agreed else []),
        *([f"- after the timed runs: {'; '.join(problems)}"] if problems else []),
        *([f"- hooks that did not pass: {not_passed}"] if not_passed else []),
        *(verdict.line() for verdict in scenario.verdicts()),
    ]
    return "\n".join(lines)


def report(scenarios: Sequence[Scenario], meta: Mapping[str, object]) -> str:
    runs = len(next(iter(scenarios[0].contenders.values())).seconds)
    lines = [
        f"Corpus: {PACKAGE} {VERSION} sdist, a clone with every runner's configuration committed;"
        f" {runs} timed runs of each contender, interleaved round-robin; wall clock;"
        " `CRACKJACK_NO_CACHE=1` but where a contender says it runs with the cache.",
        f"pre-commit {meta['pre-commit']}, prek {meta['prek']}, lefthook {meta['lefthook']},"
        f" {meta['git']}, {meta['mypy']}.",
        f"1-minute load average before / after: {meta['load_average_before']:.2f} /"
        f" {meta['load_average_after']:.2f} on {meta['cpus']} CPUs.",
        "",
        *(f"{scenario_report(s)}\n" for s in scenarios),
        "- `crackjack --skip-hooks` within 1.05 x plain pytest + 0.3 s: measured by"
        " bench/testphase.py (`--testphase` runs it after these).",
    ]
    return "\n".join(lines)


def versions_of(*argv: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    return done.stdout.strip()


def metadata(package: Path, runs: int, warmup: int) -> dict[str, object]:
    return {
        **environment_metadata(package),
        "pre-commit": importlib.metadata.version("pre-commit"),
        "prek": importlib.metadata.version("prek"),
        "lefthook": versions_of(str(lefthook_binary()), "version"),
        "lefthook_env": LEFTHOOK_ENV.versions(),
        "git": versions_of("git", "--version"),
        "mypy": versions_of(MYPY, "--version"),
        "crackjack_no_cache": os.environ.get("CRACKJACK_NO_CACHE"),
        "corpus": f"{PACKAGE}=={VERSION}, cloned, with every runner's configuration committed",
        "mypy_files": list(MYPY_FILES),
        "runs": runs,
        "warmup": warmup,
    }


def write_json(scenarios: Sequence[Scenario], meta: Mapping[str, object]) -> None:
    data = {
        "meta": meta,
        "scenarios": {
            s.key: {
                "title": s.title,
                "reference": s.reference,
                "checked_runs": [dataclasses.asdict(c) for c in s.checked],
                "disagreements": s.disagreements(),
                "measurements": [
                    {
                        "runner": case.runner,
                        "variant": case.variant,
                        "ratio": s.ratio(case),
                        **s.contenders[case.name].as_json(),
                    }
                    for case in s.cases
                ],
                "targets": [
                    {
                        "target": v.target,
                        "measured": v.measured,
                        "limit": v.limit,
                        "passed": v.passed,
                    }
                    for v in s.verdicts()
                ],
            }
            for s in scenarios
        },
    }
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scenario",
        nargs="+",
        choices=SCENARIOS,
        default=list(SCENARIOS),
        help="the scenarios to run (default: all)",
    )
    parser.add_argument(
        "--testphase",
        action="store_true",
        help="then run bench/testphase.py with the same --runs and --warmup",
    )


def prepare_peers_environment() -> None:
    """commit.py's conditions (no terminal, no CI, isolated git, pre-commit's and prek's
    homes), crackjack's result cache off, and lefthook's hook calling its binary directly."""
    prepare_commit_environment()
    os.environ["CRACKJACK_NO_CACHE"] = "1"
    os.environ["LEFTHOOK_BIN"] = str(lefthook_binary())


def ensure_repo() -> str:
    """:data:`REPO`, built if missing or out of date; its commit, the base of every clone."""
    pyproject = (ensure_corpus(CORPUS) / "pyproject.toml").read_text(encoding="utf-8")
    ensure_clone(REPO, configurations(pyproject))
    return git_output(REPO, "rev-parse", "HEAD").decode().strip()


def bases(scenarios: Sequence[Scenario]) -> dict[Path, str]:
    """The commit each clone the scenarios run in is at before they run."""
    repos = dict.fromkeys(case.cwd for s in scenarios for case in s.cases)
    return {repo: git_output(repo, "rev-parse", "HEAD").decode().strip() for repo in repos}


def put_back(at: Mapping[Path, str]) -> None:
    """Every clone at its commit of before the runs and reset, whatever the last run left."""
    for repo, commit in at.items():
        git(repo, "reset", "-q", "--soft", commit)
        reset(repo)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv, __doc__, options)
    for program in (CRACKJACK, Path(PRE_COMMIT), Path(PREK), Path(MYPY)):
        if not program.is_file():
            raise SystemExit(f"bench: {program} not found: install crackjack[dev] here")
    ensure_tools()
    LEFTHOOK_ENV.ensure()
    prepare_peers_environment()
    package = compile_crackjack()
    base = ensure_repo()
    chosen = [
        *([commit_scenario(base)] if "commit" in args.scenario else []),
        *(s for s in run_scenarios() if s.key in args.scenario),
        *cache_scenarios(base, args.scenario),
    ]
    meta = metadata(package, args.runs, args.warmup)
    before = bases(chosen)
    try:
        for scenario in chosen:
            print(f"bench: {scenario.key}: checked runs", file=sys.stderr)
            scenario.checked = [checked_run(scenario.key, case) for case in scenario.cases]
            for found in scenario.checked:
                if found.failures:
                    print(
                        f"bench: checked run of {found.name}: {found.failures}",
                        file=sys.stderr,
                    )
            scenario.contenders = {case.name: case.contender() for case in scenario.cases}
            print(f"bench: {scenario.key}: timing", file=sys.stderr)
            measure(list(scenario.contenders.values()), runs=args.runs, warmup=args.warmup)
    finally:
        put_back(before)
    meta["load_average_after"] = os.getloadavg()[0]
    print(report(chosen, meta))
    write_json(chosen, meta)
    if args.testphase:
        return testphase.main(["--runs", str(args.runs), "--warmup", str(args.warmup)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
