from __future__ import annotations

from pathlib import Path

import pytest

from crackjack.core.config.load import Catalogue, build_catalogue, find_pyproject, load_project
from crackjack.core.errors import ConfigError
from crackjack.core.git.worktree import find_work_tree
from crackjack.core.runners.command import Command
from crackjack.core.runners.hook import Hook
from crackjack.core.runners.inprocess import InProcess
from crackjack.hooks.catalogue import BUILTIN_HOOKS, BUILTINS
from tests.project import make_project


def catalogue_of(root: Path) -> Catalogue:
    project = load_project(root, {})
    return build_catalogue(project.settings, BUILTINS)


def test_defaults_without_any_pyproject(tmp_path: Path) -> None:
    assert find_pyproject(tmp_path, None) is None
    project = load_project(tmp_path, {})
    assert project.root == tmp_path
    assert project.settings.jobs is None
    assert project.settings.fail_fast is False
    assert project.settings.missing_tools == "fail"


@pytest.mark.parametrize(
    ("toml", "env", "flags", "expected"),
    [
        (None, None, None, None),
        (2, None, None, 2),
        (2, "3", None, 3),
        (2, "3", 4, 4),
        (None, "3", None, 3),
        (None, None, 4, 4),
    ],
)
def test_precedence_defaults_pyproject_environment_flags(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    toml: int | None,
    env: str | None,
    flags: int | None,
    expected: int | None,
) -> None:
    make_project(tmp_path, config=f"jobs = {toml}\n" if toml else "")
    if env:
        monkeypatch.setenv("CRACKJACK_JOBS", env)
    project = load_project(tmp_path, {"jobs": flags} if flags else {})
    assert project.settings.jobs == expected


def test_kebab_and_snake_case_keys_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path, config='fail-fast = true\nmissing_tools = "warn"\n')
    assert load_project(tmp_path, {}).settings.fail_fast is True
    assert load_project(tmp_path, {}).settings.missing_tools == "warn"
    monkeypatch.setenv("CRACKJACK_FAIL_FAST", "false")
    assert load_project(tmp_path, {}).settings.fail_fast is False


def test_skip_variable_is_a_comma_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRACKJACK_SKIP", "mypy, ruff-check,,")
    assert load_project(tmp_path, {}).settings.skip == ("mypy", "ruff-check")


def test_nearest_pyproject_is_found_walking_up(tmp_path: Path) -> None:
    make_project(tmp_path, config="jobs = 3\n")
    deep = tmp_path / "src" / "pkg"
    deep.mkdir(parents=True)
    assert find_pyproject(deep, None) == tmp_path / "pyproject.toml"
    project = load_project(deep, {})
    assert project.root == tmp_path
    assert project.settings.jobs == 3


def test_the_walk_stops_at_the_repository_root(tmp_path: Path) -> None:
    make_project(tmp_path, config="jobs = 3\n")
    repo = make_project(tmp_path / "repo", git=True)
    (repo / "pyproject.toml").unlink()
    top = find_work_tree(repo).top
    assert find_pyproject(repo, top) is None
    assert load_project(repo, {}, top=top).root == repo


def test_toml_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.crackjack]\njobs = = 2\n")
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path, {})
    assert f"{tmp_path / 'pyproject.toml'}:2:8: invalid TOML" in str(caught.value)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('jobs = "many"\n', "tool.crackjack.jobs: expected a whole number"),
        ("jobs = 0\n", "tool.crackjack.jobs: input should be greater than or equal to 1"),
        ("colour = true\n", "tool.crackjack.colour: unknown key"),
        (
            '[tool.crackjack.hooks.ruff]\ntimeout = "x"\n',
            "tool.crackjack.hooks.ruff.timeout: expected a number",
        ),
        (
            "[tool.crackjack.hooks.mypy]\nenabled = 3\n",
            "tool.crackjack.hooks.mypy.enabled: expected true or false",
        ),
        (
            "[tool.crackjack.hooks.mypy]\nbogus = 1\n",
            "tool.crackjack.hooks.mypy.bogus: unknown key",
        ),
        (
            'missing-tools = "maybe"\n',
            "tool.crackjack.missing-tools: input should be 'fail' or 'warn'",
        ),
        ("[tool.crackjack.workflows.x]\n", "tool.crackjack.workflows.x.phases: is required"),
    ],
)
def test_invalid_settings_name_the_key(tmp_path: Path, config: str, message: str) -> None:
    make_project(tmp_path, config=config)
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path, {})
    assert message in str(caught.value)


def test_invalid_environment_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRACKJACK_JOBS", "lots")
    with pytest.raises(ConfigError, match=r"^CRACKJACK_JOBS: expected a whole number$"):
        load_project(tmp_path, {})


def test_tool_crackjack_must_be_a_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool]\ncrackjack = 3\n")
    with pytest.raises(ConfigError, match=r"tool\.crackjack must be a table"):
        load_project(tmp_path, {})


def test_builtin_hooks_can_be_changed_and_disabled(tmp_path: Path) -> None:
    make_project(
        tmp_path,
        config="""
        [tool.crackjack.hooks.ruff-check]
        args = ["--select", "E,F,I"]
        timeout = 30
        [tool.crackjack.hooks.mypy]
        enabled = false
        """,
    )
    hooks = catalogue_of(tmp_path).hooks
    assert hooks["ruff-check"].args == ("--select", "E,F,I")
    assert command_of(hooks["ruff-check"])[:2] == ("ruff", "check")
    assert hooks["ruff-check"].timeout == 30
    assert hooks["mypy"].enabled is False
    assert list(hooks)[: len(BUILTIN_HOOKS)] == [h.id for h in BUILTIN_HOOKS]


def command_of(hook: Hook) -> tuple[str, ...]:
    assert isinstance(hook.runner, Command)
    return hook.runner.command


def test_a_project_hook_and_workflow(tmp_path: Path) -> None:
    make_project(
        tmp_path,
        config="""
        [tool.crackjack.hooks.codespell]
        command = ["codespell"]
        phase = "docs"
        files = ["*.py", "*.md"]
        pass_filenames = true
        [tool.crackjack.workflows.pre-push]
        phases = ["fast", "docs"]
        """,
    )
    catalogue = catalogue_of(tmp_path)
    hook = catalogue.hooks["codespell"]
    assert (command_of(hook), hook.phase, hook.files) == (("codespell",), "docs", ("*.py", "*.md"))
    assert catalogue.workflows["pre-push"].phases == ("fast", "docs")
    assert "docs" in {hook.phase for hook in catalogue.hooks.values()}


def test_replacing_the_command_of_an_in_process_hook(tmp_path: Path) -> None:
    make_project(
        tmp_path, config='[tool.crackjack.hooks.check-toml]\ncommand = ["taplo", "check"]\n'
    )
    hook = catalogue_of(tmp_path).hooks["check-toml"]
    assert not isinstance(hook.runner, InProcess)
    assert hook.runner.program(hook) == "taplo"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[tool.crackjack.hooks.new]\nphase = "fast"\n', "hooks.new: a new hook needs command"),
        ('[tool.crackjack.hooks.new]\ncommand = ["x"]\n', "hooks.new: a new hook needs phase"),
        (
            '[tool.crackjack.hooks.new]\ncommand = []\nphase = "fast"\n',
            "hooks.new.command: must not be empty",
        ),
        (
            '[tool.crackjack.hooks.new]\ncommand = ["a", "b"]\nphase = "fast"\nshell = true\n',
            "with shell = true, give one shell command string",
        ),
        (
            '[tool.crackjack.hooks.new]\ncommand = ["x"]\nphase = "a b"\n',
            "is not a valid phase name",
        ),
        ('[tool.crackjack.hooks.mypy]\nfiles = ["[a"]\n', "hooks.mypy: invalid file pattern '[a'"),
        (
            '[tool.crackjack.hooks.mypy]\ntypes = ["pyhton"]\n',
            "hooks.mypy: unknown file type(s): pyhton",
        ),
        ('exclude = ["a//b"]\n', "tool.crackjack.exclude: "),
        (
            '[tool.crackjack.workflows.w]\nphases = ["nope"]\n',
            "workflows.w.phases: unknown phase 'nope'",
        ),
    ],
)
def test_invalid_hooks_and_workflows(tmp_path: Path, config: str, message: str) -> None:
    make_project(tmp_path, config=config)
    with pytest.raises(ConfigError) as caught:
        catalogue_of(tmp_path)
    assert message in str(caught.value)
