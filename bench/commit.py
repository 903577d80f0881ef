"""Time a commit: ``crackjack --staged --fast`` against ``pre-commit run`` and ``prek run``.

``python bench/commit.py [--runs N] [--warmup W]`` works in a clone of the corpus of
bench/corpus.py with one more commit: a ``.pre-commit-config.yaml`` of ``repo: local`` hooks
that run the checks of crackjack's fast workflow as a pre-commit user runs them
(pre-commit-hooks' console scripts from bench/tools.py, and ruff). Before every run (not timed)
the clone is reset and small edits to 5 Python files are staged, in two variants: (a) nothing
else is changed, (b) there are unstaged edits too, in the same 5 files and in 5 others. After
every run (not timed) the edited files, the index, ``git status`` and the refs are checked
against what they held before it. The tools take turns, one run of each per round. Prints a
Markdown table and writes ``bench/.work/commit-results.json``. See bench/README.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from corpus import (
    CORPUS,
    MARKER,
    PACKAGE,
    VERSION,
    WORK,
    ensure_corpus,
    git,
    git_env,
    git_output,
    read_marker,
    reset,
)
from run import (
    BIN,
    CRACKJACK,
    FLOOR_IMPORTS,
    Action,
    Contender,
    Step,
    Verdict,
    compile_crackjack,
    environment_metadata,
    measure,
    parse_args,
    plan_steps,
    prepare_environment,
    run_quietly,
    sequential,
    short,
    table,
    tool_step,
)
from tools import TOOLS, TOOLS_BIN, ensure_tools

from crackjack.core.files.selection import StagedFiles
from crackjack.core.runners.command import Command
from crackjack.core.runners.inprocess import InProcess
from crackjack.hooks.catalogue import BUILTIN_HOOKS

REPO = WORK / "commit-corpus"
CONFIG = ".pre-commit-config.yaml"
RESULTS = WORK / "commit-results.json"
OUTPUTS = WORK / "commit-check"
"""The output of each tool's checked run (``--verbose``), one file per tool and variant."""
HOMES = {"PRE_COMMIT_HOME": WORK / "pre-commit-home", "PREK_HOME": WORK / "prek-home"}
"""Where pre-commit and prek keep their state and caches: kept between runs, never timed cold."""

STAGED = (
    "src/pip/_internal/cli/req_command.py",
    "src/pip/_internal/commands/cache.py",
    "src/pip/_internal/commands/download.py",
    "src/pip/_internal/commands/show.py",
    "src/pip/_internal/commands/wheel.py",
)
"""The files of the commit, each with a small staged edit. Every hook passes them, before and
after the edit (ruff 0.17.6 with pip's own settings)."""
OTHERS = (
    "src/pip/_internal/cli/base_command.py",
    "src/pip/_internal/cli/parser.py",
    "src/pip/_internal/commands/index.py",
    "src/pip/_internal/commands/list.py",
    "src/pip/_internal/commands/uninstall.py",
)
"""Files with an unstaged edit and nothing staged, in variant (b)."""
UNSTAGED_EDIT = b"# Work in progress: not part of this commit (crackjack benchmark).\n"
"""The unstaged edit of variant (b): a new first line, far from the staged edit at the end."""

PRE_COMMIT_IDS = {
    "debug-statements": "debug-statements",
    "check-merge-conflict": "check-merge-conflict",
    "check-large-files": "check-added-large-files",
    "check-toml": "check-toml",
    "check-yaml": "check-yaml",
    "trailing-whitespace": "trailing-whitespace",
    "end-of-file": "end-of-file-fixer",
    "ruff-check": "ruff-check",
    "ruff-format": "ruff-format",
}
"""By crackjack hook id: the id of the same hook in pre-commit-hooks' or ruff-pre-commit's
manifest, the ids a pre-commit user's configuration has."""

CRACKJACK_STATUS = re.compile(r"^(?P<hook>\S+) \.+ (?P<status>\w+) ", re.MULTILINE)
"""A hook's line in crackjack's plain output: ``ruff-check ...... passed  0.01s  (5 files)``."""
FRAMEWORK_STATUS = re.compile(
    r"^(?P<hook>\S+?)\.{3,}(?:\(no files to check\))?(?P<status>Passed|Failed|Skipped)$",
    re.MULTILINE,
)
"""A hook's line in pre-commit's and prek's output: ``ruff-check......Passed``."""


def staged_edit(number: int) -> bytes:
    """Appended to the ``number``-th staged file: a small function every hook passes."""
    return (
        f"\n\ndef _bench_commit_{number}() -> int:\n"
        f'    """A small change to commit."""\n'
        f"    return {number}\n"
    ).encode()


def blob_id(content: bytes) -> str:
    """The id git gives ``content`` as a blob (SHA-1 repository)."""
    header = b"blob %d\0" % len(content)
    return hashlib.sha1(header + content, usedforsecurity=False).hexdigest()


@dataclass(frozen=True, slots=True)
class Variant:
    """The state of the clone before (and, when all went well, after) every run of a variant.

    ``head``, ``index`` and ``worktree``: the content of each edited file in HEAD, in the
    index and in the work tree.
    """

    key: str
    title: str
    head: Mapping[str, bytes]
    index: Mapping[str, bytes]
    worktree: Mapping[str, bytes]
    repo: Path = REPO
    """The clone the variant is laid out in."""

    @property
    def status(self) -> dict[str, str]:
        """``git status --porcelain``'s two letters for every file that shows in it."""
        found = {}
        for path, head in self.head.items():
            staged = "M" if self.index[path] != head else " "
            unstaged = "M" if self.worktree[path] != self.index[path] else " "
            if staged + unstaged != "  ":
                found[path] = staged + unstaged
        return found

    @property
    def unstaged(self) -> tuple[str, ...]:
        return tuple(path for path in self.head if self.worktree[path] != self.index[path])

    def prepare(self) -> None:
        """Reset the clone, stage the edits, then write the unstaged ones."""
        reset(self.repo)
        for path in STAGED:
            (self.repo / path).write_bytes(self.index[path])
        git(self.repo, "add", "--", *STAGED)
        for path in self.unstaged:
            (self.repo / path).write_bytes(self.worktree[path])

    def check(self) -> str:
        """What is not as :meth:`prepare` left it: edited files, index, status, refs; or ""."""
        problems = [
            f"{path}: work tree changed"
            for path, content in self.worktree.items()
            if (self.repo / path).read_bytes() != content
        ]
        listed = git_output(self.repo, "ls-files", "--stage", "-z", "--", *self.index)
        blobs = {}
        for entry in filter(None, listed.split(b"\0")):
            meta, path = entry.split(b"\t", 1)
            blobs[os.fsdecode(path)] = meta.split()[1].decode()
        problems += [
            f"{path}: index changed"
            for path, content in self.index.items()
            if blobs.get(path) != blob_id(content)
        ]
        status = porcelain_status(self.repo)
        if status != self.status:
            problems.append(f"git status is {status}, was {self.status}")
        refs = git_output(self.repo, "for-each-ref", "--format=%(refname)").decode().split()
        left = [ref for ref in refs if not ref.startswith("refs/heads/")]
        if left:
            problems.append(f"refs left behind: {', '.join(left)}")
        if (self.repo / ".git" / "crackjack" / "recovery").exists():
            problems.append("crackjack's recovery data left behind")
        return "; ".join(problems)


def porcelain_status(repo: Path = REPO) -> dict[str, str]:
    out = git_output(
        repo, "--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=all"
    )
    return {os.fsdecode(e[3:]): e[:2].decode() for e in filter(None, out.split(b"\0"))}


def make_variants(head: Mapping[str, bytes], repo: Path = REPO) -> tuple[Variant, Variant]:
    index = dict(head)
    for number, path in enumerate(STAGED, 1):
        index[path] = head[path] + staged_edit(number)
    edited = {path: UNSTAGED_EDIT + content for path, content in index.items()}
    return (
        Variant("a", f"{len(STAGED)} files staged, nothing unstaged", head, index, index, repo),
        Variant(
            "b",
            f"the same, plus unstaged edits to those {len(STAGED)} files and {len(OTHERS)} others",
            head,
            index,
            edited,
            repo,
        ),
    )


@dataclass(frozen=True, slots=True)
class Runner:
    """A tool under test: its command, and how its output names each hook's status."""

    name: str
    argv: tuple[str, ...]
    status_line: re.Pattern[str]
    hook_ids: Mapping[str, str] = field(default_factory=dict)
    """By the tool's hook id: crackjack's (only where they differ)."""

    @property
    def command(self) -> str:
        return " ".join(short(arg) for arg in self.argv)

    def statuses(self, output: str) -> dict[str, str]:
        """Each hook's status in ``output``, by crackjack's hook id, in lower case."""
        return {
            self.hook_ids.get(found["hook"], found["hook"]): found["status"].lower()
            for found in self.status_line.finditer(output)
        }


FRAMEWORK_IDS = {framework: crackjack for crackjack, framework in PRE_COMMIT_IDS.items()}
CRACKJACK_RUN = Runner("crackjack", (str(CRACKJACK), "--staged", "--fast"), CRACKJACK_STATUS)
PRE_COMMIT_RUN = Runner(
    "pre-commit", (str(BIN / "pre-commit"), "run"), FRAMEWORK_STATUS, FRAMEWORK_IDS
)
PREK_RUN = Runner("prek", (str(BIN / "prek"), "run"), FRAMEWORK_STATUS, FRAMEWORK_IDS)
RUNNERS = (CRACKJACK_RUN, PRE_COMMIT_RUN, PREK_RUN)


@dataclass(frozen=True, slots=True)
class Checked:
    """A tool's checked run (in one variant, if the scenario has variants), and what was wrong
    with it (nothing if all is well)."""

    tool: str
    variant: str
    command: str
    exit_code: int
    statuses: dict[str, str]
    """Each hook's status in the output, by crackjack's hook id."""
    output: str
    """Where the output is, under bench/.work."""
    failures: tuple[str, ...]
    ruff_format_saw: str = ""
    """ruff-format's summary line, if it names the number of staged files."""

    @property
    def name(self) -> str:
        return f"{self.tool} ({self.variant})" if self.variant else self.tool


@dataclass(slots=True)
class Row:
    """One tool timed in one variant."""

    runner: Runner
    variant: Variant
    contender: Contender


def precommit_config() -> str:
    """The ``repo: local`` configuration of crackjack's fast hooks (:func:`precommit_hooks`)."""
    header = "# Written by bench/commit.py: crackjack's fast hooks, as pre-commit users run them.\n"
    return header + local_config(precommit_hooks())


def local_config(hooks: Sequence[Mapping[str, object]]) -> str:
    """A ``.pre-commit-config.yaml`` body with ``hooks`` as its one ``repo: local``."""
    local = {"repo": "local", "hooks": [dict(hook) for hook in hooks]}
    return yaml.safe_dump({"repos": [local]}, sort_keys=False, width=100)


def precommit_hooks() -> list[dict[str, object]]:
    """crackjack's fast hooks as pre-commit users run them, as ``repo: local`` hook specs:
    pre-commit-hooks' console scripts (with the arguments bench/tools.py gives them, so they
    do crackjack's work) and ruff (``require_serial``, as ruff-pre-commit declares it). The
    file types are crackjack's, in the same order."""
    hooks: list[dict[str, object]] = []
    for hook in BUILTIN_HOOKS:
        if hook.phase != "fast":
            continue
        if hook.files or hook.exclude or hook.exclude_types:
            raise SystemExit(f"bench: {hook.id}: file patterns are not translated to pre-commit")
        spec: dict[str, object] = {"id": PRE_COMMIT_IDS[hook.id], "name": PRE_COMMIT_IDS[hook.id]}
        if isinstance(hook.runner, InProcess):
            tool = TOOLS[hook.id]
            spec |= {"entry": str(TOOLS_BIN / tool.script), "language": "system"}
            if tool.args:
                spec["args"] = list(tool.args)
        elif isinstance(hook.runner, Command):
            program, *rest = (*hook.runner.command, *hook.args)
            spec |= {"entry": shlex.join([str(BIN / program), *rest]), "language": "system"}
        if hook.types != ("file",):
            spec["types"] = list(hook.types)
        if hook.types_or:
            spec["types_or"] = list(hook.types_or)
        if isinstance(hook.runner, Command):
            spec["require_serial"] = True
        hooks.append(spec)
    return hooks


def ensure_repo(config: str) -> Path:
    """The clone of the corpus with ``config`` committed, built if missing or out of date."""
    return ensure_clone(REPO, {CONFIG: config})


def ensure_clone(
    repo: Path,
    files: Mapping[str, str],
    source: Path = CORPUS,
    setup: Callable[[Path], None] | None = None,
    label: str = "",
) -> Path:
    """A clone of ``source`` (the corpus, or a clone of it) with ``files`` (path: text) written
    and committed, then ``setup`` run in it; built if missing or out of date, then reset.

    The marker records ``source``'s, each file's digest and ``label`` (what ``setup`` does).
    """
    if source == CORPUS:
        ensure_corpus(CORPUS)
    written = [
        f"{name} sha256:{hashlib.sha256(text.encode()).hexdigest()}" for name, text in files.items()
    ]
    marker = " + ".join([read_marker(source) or "", *written, *([label] if label else [])])
    if read_marker(repo) != marker:
        shutil.rmtree(repo, ignore_errors=True)
        clone = ["git", "clone", "--quiet", "--no-hardlinks", str(source), str(repo)]
        subprocess.run(clone, env=git_env(), check=True)
        git(repo, "remote", "remove", "origin")
        if files:
            for name, text in files.items():
                (repo / name).write_text(text, encoding="utf-8")
            git(repo, "add", "--", *files)
            message = f"Add {', '.join(files)}"
            git(repo, "commit", "-q", "--no-verify", "--no-gpg-sign", "-m", message)
        if setup is not None:
            setup(repo)
        (repo / ".git" / MARKER).write_text(marker + "\n", encoding="utf-8")
    reset(repo)
    return repo


def prepare_commit_environment() -> None:
    """The benchmark's conditions (run.py), git without the user's configuration, and
    pre-commit's and prek's homes under bench/.work."""
    prepare_environment()
    isolated = git_env()
    for key in [key for key in os.environ if key not in isolated]:
        del os.environ[key]
    os.environ.update(isolated)
    for key, path in HOMES.items():
        path.mkdir(parents=True, exist_ok=True)
        os.environ[key] = str(path)


def command(argv: Sequence[str]) -> Action:
    return lambda: run_quietly(argv, REPO)


def checked_run(runner: Runner, variant: Variant, expected: Mapping[str, str]) -> Checked:
    """Run ``runner`` once with ``--verbose`` in ``variant``, keep its output, and say whether
    every hook ran (or was skipped) as crackjack's plan says, on the staged files only."""
    variant.prepare()
    done = subprocess.run(
        (*runner.argv, "--verbose"),
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    problem = variant.check()
    output = done.stdout + done.stderr
    OUTPUTS.mkdir(parents=True, exist_ok=True)
    saved = OUTPUTS / f"{runner.name}-{variant.key}.txt"
    saved.write_text(output, encoding="utf-8")
    statuses = runner.statuses(output)
    ruff_files = f"{len(STAGED)} files left unchanged"
    failures = (
        *([f"exit code {done.returncode}"] if done.returncode else []),
        *([problem] if problem else []),
        *(
            f"{hook}: {statuses.get(hook, 'not in the output')}, expected {status}"
            for hook, status in expected.items()
            if statuses.get(hook) != status
        ),
        *([f"ruff-format did not say {ruff_files!r}"] if ruff_files not in output else []),
    )
    return Checked(
        tool=runner.name,
        variant=variant.key,
        command=f"{runner.command} --verbose",
        exit_code=done.returncode,
        statuses=statuses,
        ruff_format_saw=ruff_files if ruff_files in output else "",
        output=str(saved.relative_to(WORK)),
        failures=failures,
    )


def rows_for(variants: Sequence[Variant]) -> list[Row]:
    rows = []
    for variant in variants:
        for runner in RUNNERS:
            contender = Contender(
                f"{runner.command} ({variant.key})",
                f"subprocess in the clone, plain output to a pipe; variant ({variant.key})",
                command(runner.argv),
                prepare=variant.prepare,
                check=variant.check,
            )
            rows.append(Row(runner, variant, contender))
    return rows


def breakdown(variant: Variant, steps: Sequence[Step]) -> list[Contender]:
    """What the times are made of, in ``variant`` (staged files, nothing unstaged): the start-up
    floors, crackjack without running hooks, and the hooks without any framework around them."""
    tools = [tool_step(step) for step in steps]
    return [
        Contender(
            f'python -c "{FLOOR_IMPORTS}"',
            "subprocess: floor, the interpreter and the libraries crackjack must import",
            command((sys.executable, "-c", FLOOR_IMPORTS)),
            prepare=variant.prepare,
        ),
        Contender(
            "pre-commit --version",
            "subprocess: pre-commit's start-up (its interpreter and imports), no hooks",
            command((PRE_COMMIT_RUN.argv[0], "--version")),
            prepare=variant.prepare,
        ),
        Contender(
            "prek --version",
            "subprocess: prek's start-up (a native binary), no hooks",
            command((PREK_RUN.argv[0], "--version")),
            prepare=variant.prepare,
        ),
        Contender(
            "crackjack --staged --fast --dry-run",
            "subprocess: start-up, settings, the staged files, plan, and the plan table printed",
            command((*CRACKJACK_RUN.argv, "--dry-run")),
            prepare=variant.prepare,
        ),
        Contender(
            "all hooks, sequential",
            "in-process calls and ruff on the staged files: one after another in plan order,"
            " timed as one block",
            sequential(steps),
            prepare=variant.prepare,
            check=variant.check,
        ),
        Contender(
            "all tools directly, one after another",
            "pre-commit-hooks scripts and ruff on the staged files, as subprocesses in plan"
            " order, timed as one block",
            sequential(tools),
            prepare=variant.prepare,
            check=variant.check,
        ),
    ]


def verdicts(rows: Sequence[Row]) -> list[Verdict]:
    """The target, in each variant: crackjack at least as fast as prek and faster than
    pre-commit, on medians."""
    found = []
    for key in dict.fromkeys(row.variant.key for row in rows):
        median = {row.runner.name: row.contender.median for row in rows if row.variant.key == key}
        mine = median[CRACKJACK_RUN.name]
        found += [
            Verdict(
                f"({key}) `{CRACKJACK_RUN.command}` at least as fast as `{PREK_RUN.command}`"
                " (median)",
                mine,
                median[PREK_RUN.name],
            ),
            Verdict(
                f"({key}) `{CRACKJACK_RUN.command}` faster than `{PRE_COMMIT_RUN.command}`"
                " (median)",
                mine,
                median[PRE_COMMIT_RUN.name],
                strict=True,
            ),
        ]
    return found


def _kept(contender: Contender) -> str:
    return f"{contender.problems.count('')}/{len(contender.problems)}"


def _codes(contender: Contender) -> str:
    return ",".join(str(code) for code in sorted(set(contender.exit_codes)))


def tool_table(rows: Sequence[Row], variants: Sequence[Variant]) -> str:
    """One line per tool: median and min in each variant, exit codes, runs that left the
    edits, the index and the refs as they were."""
    head = ["tool", "command"]
    for variant in variants:
        head += [f"({variant.key}) median (s)", f"({variant.key}) min (s)"]
    head += ["exit codes", "edits intact after the run"]
    rule = ["---", "---", *["---:"] * 2 * len(variants), "---", "---"]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(rule) + " |"]
    for runner in RUNNERS:
        mine = [row for row in rows if row.runner is runner]
        cells = [runner.name, f"`{runner.command}`"]
        for row in mine:
            cells += [f"{row.contender.median:.3f}", f"{row.contender.minimum:.3f}"]
        cells.append(", ".join(f"({r.variant.key}) {_codes(r.contender)}" for r in mine))
        cells.append(", ".join(f"({r.variant.key}) {_kept(r.contender)}" for r in mine))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(
    rows: Sequence[Row],
    variants: Sequence[Variant],
    parts: Sequence[Contender],
    checked: Sequence[Checked],
    meta: Mapping[str, object],
) -> str:
    runs = len(rows[0].contender.seconds)
    problems = {
        f"{row.contender.name}, run {number}: {problem}"
        for row in rows
        for number, problem in enumerate(row.contender.problems, 1)
        if problem
    }
    failed = [f"{c.tool} ({c.variant}): {'; '.join(c.failures)}" for c in checked if c.failures]
    by_key = {(row.runner.name, row.variant.key): row.contender.median for row in rows}
    extra = ", ".join(
        f"{runner.name} {by_key[runner.name, 'b'] - by_key[runner.name, 'a']:+.3f} s"
        for runner in RUNNERS
    )
    lines = [
        f"Corpus: {PACKAGE} {VERSION} sdist (a clone with {CONFIG} committed);"
        f" {runs} timed runs of each, wall clock.",
        *(f"- ({v.key}) {v.title}" for v in variants),
        "",
        tool_table(rows, variants),
        "",
        f"What the times are made of, in variant ({variants[0].key}):",
        "",
        table(parts),
        "",
        "- checked runs (`--verbose`, once per tool and variant, before the warm-up): "
        + (
            "; ".join(failed)
            if failed
            else "every tool exited 0, ran every hook that has files and skipped"
            f" {' and '.join(h for h, s in checked[0].statuses.items() if s == 'skipped')},"
            f" and its ruff-format saw {len(STAGED)} files"
        ),
        "- edits intact after the run: the edited files' work tree and index content, `git status`"
        " and the refs are what they were before the run (unstaged edits kept, nothing staged"
        " or left behind)" + (": " + "; ".join(sorted(problems)) if problems else ""),
        f"- hiding and restoring the unstaged edits, (b) minus (a), medians: {extra}",
        f"- 1-minute load average before / after: {meta['load_average_before']:.2f} /"
        f" {meta['load_average_after']:.2f} on {meta['cpus']} CPUs",
        *(verdict.line() for verdict in verdicts(rows)),
    ]
    return "\n".join(lines)


def metadata(package: Path, config: str, runs: int, warmup: int) -> dict[str, object]:
    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True)
    return {
        **environment_metadata(package),
        "pre-commit": importlib.metadata.version("pre-commit"),
        "prek": importlib.metadata.version("prek"),
        "git": git_version.stdout.strip(),
        "corpus": f"{PACKAGE}=={VERSION}, cloned, with {CONFIG} committed",
        "staged": list(STAGED),
        "unstaged_only": list(OTHERS),
        "config": config,
        "homes": {key: str(path) for key, path in HOMES.items()},
        "runs": runs,
        "warmup": warmup,
    }


def write_json(
    rows: Sequence[Row],
    parts: Sequence[Contender],
    checked: Sequence[Checked],
    meta: Mapping[str, object],
) -> None:
    data = {
        "meta": meta,
        "checked_runs": [dataclasses.asdict(found) for found in checked],
        "measurements": [
            {"tool": row.runner.name, "variant": row.variant.key, **row.contender.as_json()}
            for row in rows
        ],
        "breakdown": [part.as_json() for part in parts],
        "targets": [
            {"target": v.target, "measured": v.measured, "limit": v.limit, "passed": v.passed}
            for v in verdicts(rows)
        ],
    }
    RESULTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def plan_of_staged(variant: Variant) -> tuple[list[Step], dict[str, str]]:
    """crackjack's plan for the staged files of ``variant``, and each hook's expected status.

    Fails unless every hook with files has exactly the staged files.
    """
    variant.prepare()
    steps, idle = plan_steps(variant.repo, StagedFiles())
    wrong = [step.id for step in steps if sorted(step.plan.files) != sorted(STAGED)]
    if wrong:
        raise SystemExit(f"bench: crackjack's plan does not give the staged files to {wrong}")
    expected = {step.id: "passed" for step in steps} | dict.fromkeys(idle, "skipped")
    return steps, expected


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv, __doc__)
    for runner in RUNNERS:
        if not Path(runner.argv[0]).is_file():
            raise SystemExit(f"bench: {runner.argv[0]} not found: install crackjack[dev] here")
    prepare_commit_environment()
    ensure_tools()
    package = compile_crackjack()
    config = precommit_config()
    ensure_repo(config)
    variants = make_variants({path: (REPO / path).read_bytes() for path in (*STAGED, *OTHERS)})
    meta = metadata(package, config, args.runs, args.warmup)
    try:
        steps, expected = plan_of_staged(variants[0])
        checked = [checked_run(r, v, expected) for v in variants for r in RUNNERS]
        for found in checked:
            if found.failures:
                print(f"bench: checked run of {found.command}: {found.failures}", file=sys.stderr)
        rows = rows_for(variants)
        parts = breakdown(variants[0], steps)
        measure([*(row.contender for row in rows), *parts], runs=args.runs, warmup=args.warmup)
    finally:
        reset(REPO)
    meta["load_average_after"] = os.getloadavg()[0]
    print(report(rows, variants, parts, checked, meta))
    write_json(rows, parts, checked, meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
