"""Time pinned tool environments (issue 15): reusing one, and building one with uv.

``python bench/toolenvs.py [--runs N] [--warmup W]`` measures, in rounds where each contender
and its baseline take turns (one run each per round, the two alternating which goes first,
after warm-up rounds), medians of ``--runs``:

1. **Reuse.** ``crackjack --fast --hook ruff-pinned`` on a small generated project (its own git
   repository, 40 Python files) whose hook says ``requires = ["ruff==0.15.16"]`` (the
   environment built before the rounds), against the same run of a copy of the project whose
   hook names that environment's ruff by its path (the tool already installed). Each reusing run
   is checked to have installed nothing (no ``EnvInstall*`` event in its ``--events``).
   Target: the reusing run costs no more than the other (within ``FACTOR``, the noise between
   two identical runs on this machine).
2. **Build with uv.** For each requirement set, crackjack's build (``build()`` of
   ``crackjack.core.toolenv.build``: ``uv venv``, ``uv pip install --python``, the marker, the
   lock and the link), into an empty environments folder, against ``uv pip install`` of the same
   requirements into a fresh venv made before the timing. Both use uv's cache, warmed by the
   warm-up round, so downloads count for neither. Target: at most 2 x ``uv pip install``.

Prints a Markdown table and the verdicts; writes ``bench/.work/toolenvs-results.json``. Needs
uv (the ``dev`` extra installs it) and, the first time, PyPI. See bench/README.md.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from corpus import WORK, git, git_env
from run import (
    BIN,
    CRACKJACK,
    Contender,
    Verdict,
    compile_crackjack,
    environment_metadata,
    parse_args,
    prepare_environment,
    run_quietly,
    table,
)

from crackjack.core.toolenv.build import build
from crackjack.core.toolenv.env import ToolEnv
from crackjack.core.toolenv.installers import Installer
from crackjack.core.toolenv.spec import EnvSpec

HERE = WORK / "toolenvs"
HOME = HERE / "home"
BUILD_HOME = HERE / "build-home"
"""Where the build scenario builds (emptied before each build), away from the reused one."""
RESULTS = WORK / "toolenvs-results.json"
RUFF = "ruff==0.15.16"
SETS: tuple[tuple[str, ...], ...] = ((RUFF,), ("black==25.1.0",))
"""Requirement sets built: one wheel, and a tool with five dependencies."""
FACTOR = 1.05
BUILD_FACTOR = 2.0
UV = BIN / "uv"


def project(name: str, command: list[str], requires: list[str]) -> Path:
    """A git repository of 40 small Python files whose one hook runs ``command``."""
    root = HERE / name
    shutil.rmtree(root, ignore_errors=True)
    (root / "src").mkdir(parents=True)
    for index in range(40):
        body = f'"""Module {index}."""\n\n\ndef f{index}(x: int) -> int:\n    return x + {index}\n'
        (root / "src" / f"m{index}.py").write_text(body, encoding="utf-8")
    hook = {"command": command, "phase": "fast", "files": ["*.py"], "requires": requires}
    lines = ["[tool.crackjack.hooks.ruff-pinned]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in hook.items() if value]
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "project")
    return root


def no_install(events: Path) -> str:
    text = events.read_text(encoding="utf-8") if events.exists() else ""
    return "it installed an environment" if '"EnvInstall' in text else ""


def reuse_contenders() -> list[Contender]:
    env = ToolEnv.of((RUFF,), None)
    outcome = build(env, Installer("uv", str(UV)))
    if outcome.error or env.folder is None:
        raise SystemExit(f"bench: {outcome.error}")
    pinned = project("pinned", ["ruff", "check"], [RUFF])
    given = project("given", [str(env.folder / "bin" / "ruff"), "check"], [])
    events = HERE / "pinned-events.jsonl"
    argv = (str(CRACKJACK), "--fast", "--hook", "ruff-pinned")
    return [
        Contender(
            "ruff check, requires (env reused)",
            f"crackjack --fast, requires = [{RUFF!r}]",
            lambda: run_quietly((*argv, "--events", str(events)), pinned),
            prepare=lambda: None,
            check=lambda: no_install(events),
        ),
        Contender(
            "ruff check, path given",
            "crackjack --fast, command = [<env>/bin/ruff, 'check']",
            lambda: run_quietly(argv, given),
            prepare=lambda: None,
        ),
    ]


def build_contenders(requires: tuple[str, ...]) -> list[Contender]:
    fresh = HERE / "fresh-venv"

    env = ToolEnv(EnvSpec.of(requires, None), BUILD_HOME)

    def crackjack_build() -> int:
        return 0 if build(env, Installer("uv", str(UV))).built else 1

    def empty_home() -> None:
        shutil.rmtree(BUILD_HOME, ignore_errors=True)

    def fresh_venv() -> None:
        shutil.rmtree(fresh, ignore_errors=True)
        subprocess.run([str(UV), "venv", "-q", "--python", sys.executable, str(fresh)], check=True)

    install = (str(UV), "pip", "install", "-q", "--python", str(fresh / "bin" / "python"))
    shown = " ".join(requires)
    return [
        Contender(f"build {shown}", "crackjack's build (uv)", crackjack_build, prepare=empty_home),
        Contender(
            f"uv pip install {shown}",
            "into a fresh venv",
            lambda: run_quietly((*install, *requires), HERE),
            prepare=fresh_venv,
        ),
    ]


def verdicts(timed: Sequence[Contender]) -> list[Verdict]:
    reused, given = timed[0], timed[1]
    found = [
        Verdict("reusing an environment vs the tool's path", reused.median, given.median * FACTOR)
    ]
    for ours, uv in zip(timed[2::2], timed[3::2], strict=True):
        found.append(
            Verdict(f"{ours.name} vs 2 x {uv.name}", ours.median, uv.median * BUILD_FACTOR)
        )
    return found


def measure(timed: Sequence[Contender], *, runs: int, warmup: int) -> None:
    """``run.measure``, but each pair (a contender and its baseline) takes turns going first:
    on a loaded machine the second of two back-to-back runs is often the slower."""
    pairs = list(zip(timed[::2], timed[1::2], strict=True))
    for round_ in range(warmup + runs):
        for first, second in pairs:
            for contender in (first, second) if round_ % 2 == 0 else (second, first):
                contender.time_once(keep=round_ >= warmup)
        label = f"run {round_ - warmup + 1}/{runs}" if round_ >= warmup else "warm-up"
        print(f"bench: {label} done", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not UV.exists():
        raise SystemExit(f"bench: needs uv at {UV} (pip install -e '.[dev]')")
    prepare_environment()
    package = compile_crackjack()
    HERE.mkdir(parents=True, exist_ok=True)
    os.environ.update(git_env())
    os.environ["CRACKJACK_HOME"] = str(HOME)
    timed = reuse_contenders()
    for requires in SETS:
        timed += build_contenders(requires)
    measure(timed, runs=args.runs, warmup=args.warmup)
    found = verdicts(timed)
    print(table(timed))
    print()
    for verdict in found:
        print(verdict.line())
    problems = [problem for c in timed for problem in c.problems if problem]
    for problem in sorted(set(problems)):
        print(f"- **FAIL** {problem}")
    meta = environment_metadata(package) | {"runs": args.runs, "warmup": args.warmup}
    record = {
        "meta": meta,
        "contenders": [c.as_json() for c in timed],
        "verdicts": [
            {"target": v.target, "measured": v.measured, "limit": v.limit, "passed": v.passed}
            for v in found
        ],
    }
    RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0 if all(v.passed for v in found) and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
