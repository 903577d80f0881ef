"""Day one on real projects: crackjack with no configuration of its own agrees with each project's
own tools, run the project's way, and never changes a byte of the project's `.venv`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.gitrepo import run_git
from tests.realprojects import (
    CRACKJACK,
    PROJECTS,
    RealProject,
    build,
    changed_entries,
    own_verdicts,
    run,
    tree_digest,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def cache(request: pytest.FixtureRequest) -> Path:
    folder: Path = request.config.cache.mkdir("crackjack-real-projects")
    return folder


def hooks_of(report: Path) -> dict[str, dict[str, Any]]:
    document = json.loads(report.read_text(encoding="utf-8"))
    return {hook["hook"]: hook for phase in document["phases"] for hook in phase["hooks"]}


def counts_of(hook: dict[str, Any]) -> dict[str, int]:
    tests = hook.get("tests") or {}
    return {kind: n for kind, n in (tests.get("counts") or {}).items() if n and kind != "collected"}


@pytest.mark.parametrize("project", PROJECTS, ids=lambda project: project.name)
def test_crackjack_agrees_with_the_projects_own_tools_and_leaves_its_venv_alone(
    project: RealProject, cache: Path, tmp_path: Path
) -> None:
    root = build(project, cache, tmp_path)
    verdicts, counts = own_verdicts(project, root)
    venv_before = tree_digest(root / ".venv")
    check, fix = tmp_path / "check.json", tmp_path / "fix.json"

    # The built-in hooks, not those of a .pre-commit-config.yaml the sdist may ship.
    builtins = ("--config", "pyproject.toml")
    ci = run(
        [CRACKJACK, "--ci", *builtins, "--report", str(check), "--", *project.pytest_args], root
    )
    assert check.exists(), ci.stdout + ci.stderr
    hooks = hooks_of(check)
    mismatches = [
        f"{hook}: crackjack says {hooks[hook]['status'] if hook in hooks else 'nothing'}, "
        f"the project's own tool {'passes' if passes else 'fails'}"
        for hook, passes in verdicts.items()
        if hook not in hooks or (hooks[hook]["status"] == "passed") != passes
    ]
    if "pytest" in hooks and counts_of(hooks["pytest"]) != counts:
        mismatches.append(f"pytest counts: crackjack {counts_of(hooks['pytest'])}, plain {counts}")

    run([CRACKJACK, "--fast", *builtins, "--report", str(fix)], root)
    listed = run_git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    project_files = {name for name in listed.split("\0") if not name.startswith(".venv/")}
    outside = sorted(
        name
        for hook in hooks_of(fix).values()
        for name in hook["modified"]
        if name not in project_files
    )
    if outside:
        mismatches.append(f"--fast modified files that are not the project's: {outside[:10]}")
    changed = changed_entries(venv_before, tree_digest(root / ".venv"))
    if changed:
        mismatches.append(f"{len(changed)} entries under .venv changed, e.g. {changed[:5]}")
    if mismatches:
        statuses = ", ".join(f"{hook}: {result['status']}" for hook, result in hooks.items())
        pytest.fail("\n".join([*mismatches, f"crackjack --ci: {statuses}"]), pytrace=False)
