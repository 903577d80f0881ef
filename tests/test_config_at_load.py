"""Every configuration mistake is found when the settings load, before anything runs: the same
one-line refusal (exit 2, the key path, no traceback) from a run, ``--dry-run``,
``crackjack hooks`` and the git hook. TOML values are typed, so none is coerced; environment
variables are text, so they are parsed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from crackjack.core.config.load import build_catalogue, load_project
from crackjack.core.errors import ConfigError
from crackjack.hooks.catalogue import BUILTINS
from tests.gitrepo import run_git
from tests.project import PYTHON, CliResult, hook_table, make_project, run_cli, workflow_table

PROBE = hook_table(
    "probe", command=[PYTHON, "-c", "open('ran', 'w').close()"], phase="fast", pass_filenames=False
)
"""A hook that leaves a file ``ran`` behind: proof that something ran."""

FILE = "pyproject.toml: "
"""Mistakes pydantic finds are named with the file; those of the catalogue by key path alone."""

MISTAKES: dict[str, tuple[str, str]] = {
    # wrong types: no coercion
    "string-for-int": ('jobs = "4"\n', FILE + "tool.crackjack.jobs: expected a whole number"),
    "bool-for-int": ("jobs = true\n", FILE + "tool.crackjack.jobs: expected a whole number"),
    "float-for-int": ("jobs = 4.0\n", FILE + "tool.crackjack.jobs: expected a whole number"),
    "string-for-bool": (
        'fail-fast = "yes"\n',
        FILE + "tool.crackjack.fail-fast: expected true or false",
    ),
    "int-for-bool": ("fail_fast = 1\n", FILE + "tool.crackjack.fail_fast: expected true or false"),
    "string-for-float": (
        'kill-grace = "2"\n',
        FILE + "tool.crackjack.kill-grace: expected a number",
    ),
    "bool-for-float": (
        "kill-grace = true\n",
        FILE + "tool.crackjack.kill-grace: expected a number",
    ),
    "number-in-a-list": ("skip = [1]\n", FILE + "tool.crackjack.skip.0: expected a string"),
    "string-for-hook-bool": (
        hook_table("mypy", pass_filenames="no"),
        FILE + "tool.crackjack.hooks.mypy.pass_filenames: expected true or false",
    ),
    "string-for-timeout": (
        hook_table("mypy", timeout="60"),
        FILE + "tool.crackjack.hooks.mypy.timeout: expected a number",
    ),
    "number-for-enabled": (
        hook_table("mypy", enabled=1),
        FILE + "tool.crackjack.hooks.mypy.enabled: expected true or false",
    ),
    "number-for-string": (
        hook_table("mypy", name=3),
        FILE + "tool.crackjack.hooks.mypy.name: expected a string",
    ),
    "string-for-list": (
        hook_table("mypy", args="--strict"),
        FILE + "tool.crackjack.hooks.mypy.args: expected a list",
    ),
    "number-in-env": (
        "[tool.crackjack.hooks.mypy.env]\nLEVEL = 1\n",
        FILE + "tool.crackjack.hooks.mypy.env.LEVEL: expected a string",
    ),
    "string-for-tests-int": (
        '[tool.crackjack.tests]\nslowest = "5"\n',
        FILE + "tool.crackjack.tests.slowest: expected a whole number",
    ),
    "string-for-tests-bool": (
        '[tool.crackjack.tests]\nallow-no-tests = "true"\n',
        FILE + "tool.crackjack.tests.allow-no-tests: expected true or false",
    ),
    "string-for-phases": (
        '[tool.crackjack.workflows.w]\nphases = "fast"\n',
        FILE + "tool.crackjack.workflows.w.phases: expected a list",
    ),
    # a hook's phase that no workflow runs
    "builtin-hook-unknown-phase": (
        hook_table("mypy", phase="fsat"),
        "tool.crackjack.hooks.mypy.phase: unknown phase 'fsat': no workflow runs it"
        " (known: fast, comprehensive, tests; or add a workflow that runs it)",
    ),
    "new-hook-unknown-phase": (
        hook_table("spell", command=["codespell"], phase="docs"),
        "tool.crackjack.hooks.spell.phase: unknown phase 'docs': no workflow runs it"
        " (known: fast, comprehensive, tests; or add a workflow that runs it)",
    ),
    # a workflow naming an unknown phase, or none
    "workflow-unknown-phase": (
        workflow_table("w", ["fast", "nope"]),
        "tool.crackjack.workflows.w.phases: unknown phase 'nope'"
        " (known: fast, comprehensive, tests)",
    ),
    "workflow-no-phase": (
        workflow_table("w", []),
        "tool.crackjack.workflows.w.phases: name at least one phase"
        " (known: fast, comprehensive, tests)",
    ),
    # tests.alongside naming an unknown phase
    "alongside-unknown-phase": (
        '[tool.crackjack.tests]\nalongside = "nope"\n',
        "tool.crackjack.tests.alongside: unknown phase 'nope' (known: fast, comprehensive, tests)",
    ),
}

ROUTES = {
    "run": ["--fast"],
    "dry-run": ["--dry-run"],
    "hooks": ["hooks"],
    "git-hook pre-commit": ["git-hook", "pre-commit"],
    "git-hook pre-push": ["git-hook", "pre-push"],
}


def project_with(root: Path, mistake: str) -> Path:
    """A git repository with a staged file, the probe hook and ``mistake`` in its settings."""
    make_project(root, {"a.txt": "hello\n"}, config=mistake + PROBE, git=True)
    run_git(root, "add", "a.txt")
    return root


def assert_refused(result: CliResult, root: Path, message: str) -> None:
    assert result.code == 2, result
    assert result.out == ""
    assert result.err.splitlines() == [f"crackjack: {_located(message, root)}"], result.err
    assert not (root / "ran").exists()


def _located(message: str, root: Path) -> str:
    return f"{root}/{message}" if message.startswith(FILE) else message


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("mistake", MISTAKES)
def test_every_mistake_is_refused_at_load_on_every_route(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    mistake: str,
    route: str,
) -> None:
    config, message = MISTAKES[mistake]
    root = project_with(tmp_path / "p", config)

    result = run_cli(ROUTES[route], root, monkeypatch, capsys)

    assert_refused(result, root, message)


@pytest.mark.parametrize(
    "mistake",
    [
        "string-for-int",
        "string-for-hook-bool",
        "builtin-hook-unknown-phase",
        "workflow-no-phase",
        "alongside-unknown-phase",
    ],
)
def test_the_installed_hook_refuses_the_commit(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    mistake: str,
) -> None:
    config, message = MISTAKES[mistake]
    root = project_with(tmp_path / "p", config)
    assert run_cli(["install"], root, monkeypatch, capsys).code == 0

    done = subprocess.run(
        ["git", "commit", "-q", "-m", "refused"],
        cwd=root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )

    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.splitlines() == [f"crackjack: {_located(message, root)}"], done.stderr
    assert not (root / "ran").exists()
    assert subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=root).returncode


def test_a_workflow_may_run_a_phase_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workflow_table("docs", ["docs"]) + hook_table(
        "spell", command=["codespell"], phase="docs"
    )
    root = project_with(tmp_path / "p", config)

    listed = run_cli(["hooks"], root, monkeypatch, capsys)
    planned = run_cli(["--workflow", "docs", "--dry-run"], root, monkeypatch, capsys)

    assert (listed.code, planned.code) == (0, 0), (listed, planned)
    assert "spell" in planned.out


def test_a_disabled_builtin_workflow_phase_is_no_mistake_of_the_project(tmp_path: Path) -> None:
    """Redefining ``standard`` leaves the built-in hooks of the phases it drops where they were:
    only a phase the project gives a hook must be run by some workflow."""
    make_project(tmp_path, config=workflow_table("standard", ["fast"]))
    settings = load_project(tmp_path, {}).settings
    catalogue = build_catalogue(settings, BUILTINS)
    assert catalogue.workflows["standard"].phases == ("fast",)


@pytest.mark.parametrize(
    ("beside", "expected"), [(None, None), ("comprehensive", ("tests", "comprehensive"))]
)
def test_the_catalogue_says_which_phase_the_tests_run_beside(
    tmp_path: Path, beside: str | None, expected: tuple[str, str] | None
) -> None:
    make_project(
        tmp_path, config=f'[tool.crackjack.tests]\nalongside = "{beside}"\n' * bool(beside)
    )
    settings = load_project(tmp_path, {}).settings
    assert build_catalogue(settings, BUILTINS).alongside == expected


def test_integers_are_numbers(tmp_path: Path) -> None:
    make_project(tmp_path, config="kill-grace = 1\n" + hook_table("mypy", timeout=60))
    settings = load_project(tmp_path, {}).settings
    assert settings.kill_grace == 1.0
    assert settings.hooks["mypy"].timeout == 60.0


def test_environment_variables_are_text_and_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(tmp_path, config="jobs = 2\nfail-fast = false\n")
    for name, value in {
        "CRACKJACK_JOBS": "4",
        "CRACKJACK_FAIL_FAST": "1",
        "CRACKJACK_SKIP": "mypy,bandit",
        "CRACKJACK_KILL_GRACE": "0.5",
        "CRACKJACK_MISSING_TOOLS": "warn",
    }.items():
        monkeypatch.setenv(name, value)
    settings = load_project(tmp_path, {}).settings
    assert (settings.jobs, settings.fail_fast, settings.skip) == (4, True, ("mypy", "bandit"))
    assert (settings.kill_grace, settings.missing_tools) == (0.5, "warn")


def test_flags_win_over_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRACKJACK_JOBS", "4")
    assert load_project(tmp_path, {"jobs": 3, "fail_fast": True}).settings.jobs == 3


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CRACKJACK_JOBS", "lots", "CRACKJACK_JOBS: expected a whole number"),
        ("CRACKJACK_FAIL_FAST", "maybe", "CRACKJACK_FAIL_FAST: expected true or false"),
        ("CRACKJACK_KILL_GRACE", "soon", "CRACKJACK_KILL_GRACE: expected a number"),
    ],
)
def test_a_bad_environment_value_names_the_variable(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    message: str,
) -> None:
    root = project_with(tmp_path / "p", "")
    monkeypatch.setenv(name, value)

    result = run_cli(["--dry-run"], root, monkeypatch, capsys)

    assert_refused(result, root, message)


def test_a_mistake_in_the_file_is_one_even_when_the_environment_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(tmp_path, config='jobs = "4"\n')
    monkeypatch.setenv("CRACKJACK_JOBS", "4")
    with pytest.raises(ConfigError, match=r"pyproject\.toml: tool\.crackjack\.jobs: expected a"):
        load_project(tmp_path, {})


def test_every_mistake_of_a_table_is_named(tmp_path: Path) -> None:
    make_project(tmp_path, config='jobs = "4"\n' + hook_table("mypy", serial="no"))
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path, {})
    assert [line.partition(": ")[2] for line in str(caught.value).splitlines()] == [
        "tool.crackjack.jobs: expected a whole number",
        "tool.crackjack.hooks.mypy.serial: expected true or false",
    ]
