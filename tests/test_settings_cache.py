"""Validated settings are cached by every input of validation, and read back without pydantic
(issue 13, DESIGN.md 11): a change of each input is seen, a hit is exactly what validation
gives, mistakes are never cached, and a broken cache changes nothing."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest

import crackjack
from crackjack.core.config import validate as validate_module
from crackjack.core.config.load import Project, load_project
from crackjack.core.config.settingscache import KEEP
from crackjack.core.config.values import SettingsValues
from crackjack.core.errors import ConfigError
from crackjack.core.files.fsutil import TEMP_SUFFIX
from tests.gitrepo import commit_all, make_repo, run_git
from tests.project import PYTHON, hook_table, make_project, toml_value, workflow_table

RICH = (
    'jobs = 3\nfail-fast = true\nskip = ["mypy"]\nexclude = ["vendor/"]\n'
    'missing-tools = "warn"\nkill-grace = 0.5\n'
    + hook_table("ruff-check", args=["--select", "E,F"], timeout=60)
    + hook_table("mypy", enabled=False)
    + hook_table(
        "codespell",
        command=["codespell"],
        phase="spelling",
        files=["*.py", "*.md"],
        exclude=["docs/"],
        types_or=["python", "markdown"],
        pass_filenames=True,
        serial=True,
        install="pip install codespell",
    )
    + "[tool.crackjack.hooks.codespell.env]\nLANG = 'C'\n"
    + workflow_table("spell", ["fast", "spelling"])
    + f"[tool.crackjack.tests]\npython = {toml_value(PYTHON)}\nallow-no-tests = true\n"
    + 'slowest = 0\nalongside = "fast"\n'
)
"""Every table and most keys of ``[tool.crackjack]``."""

CONFIGS = {
    "empty": "",
    "top-level": "jobs = 2\nmissing_tools = 'warn'\n",
    "rich": RICH,
    "tests-only": "[tool.crackjack.tests]\nslowest = 7\n",
}


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[SettingsValues]:
    """What each validation (a cache miss) gave, in order."""
    calls: list[SettingsValues] = []
    real = validate_module.validate

    def spy(*args: Any, **kwargs: Any) -> SettingsValues:
        values = real(*args, **kwargs)
        calls.append(values)
        return values

    monkeypatch.setattr(validate_module, "validate", spy)
    return calls


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """crackjack's folder of a git directory (the entries go to ``settings/`` in it)."""
    return tmp_path / "gitdir" / "crackjack"


def load(project: Path, cache: Path, flags: dict[str, Any] | None = None) -> SettingsValues:
    return load_project(project, flags or {}, crackjack_dir=cache).settings


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "settings").glob("*.json"))


# --- a hit is exactly what validation gives -----------------------------------------------------


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_a_hit_is_what_validation_gives(
    tmp_path: Path, cache: Path, validations: list[SettingsValues], config: str
) -> None:
    project = make_project(tmp_path / "p", config=config)
    first = load(project, cache)
    second = load(project, cache)
    assert validations == [first]
    assert second == first
    assert type(second.kill_grace) is float
    assert all(type(hook.timeout) in (float, type(None)) for hook in second.hooks.values())
    assert len(entries(cache)) == 1


def test_a_hit_of_the_rich_config_keeps_every_value(
    tmp_path: Path, cache: Path, validations: list[SettingsValues]
) -> None:
    project = make_project(tmp_path / "p", config=RICH)
    load(project, cache)
    settings = load(project, cache)
    assert len(validations) == 1
    assert (settings.jobs, settings.fail_fast, settings.skip) == (3, True, ("mypy",))
    assert list(settings.hooks) == ["ruff-check", "mypy", "codespell"]
    assert settings.hooks["ruff-check"].written() == {"args": ("--select", "E,F"), "timeout": 60.0}
    assert settings.hooks["codespell"].env == {"LANG": "C"}
    assert settings.workflows["spell"].phases == ("fast", "spelling")
    assert (settings.tests.python, settings.tests.slowest, settings.tests.alongside) == (
        PYTHON,
        0,
        "fast",
    )


def test_no_pyproject_is_cached_too(
    tmp_path: Path, cache: Path, validations: list[SettingsValues]
) -> None:
    (tmp_path / "plain").mkdir()
    assert load(tmp_path / "plain", cache, {"jobs": 2}) == load(
        tmp_path / "plain", cache, {"jobs": 2}
    )
    assert len(validations) == 1
    make_project(tmp_path / "plain")
    load(tmp_path / "plain", cache, {"jobs": 2})
    assert len(validations) == 2, "an empty [tool.crackjack] is not the same input as no file"


# --- a change of each input is seen -------------------------------------------------------------


def test_a_change_of_the_file_bytes_is_seen(
    tmp_path: Path, cache: Path, validations: list[SettingsValues]
) -> None:
    project = make_project(tmp_path / "p", config="jobs = 2\n")
    assert load(project, cache).jobs == 2
    make_project(project, config="jobs = 5\n")
    assert load(project, cache).jobs == 5
    make_project(project, config="jobs = 5\n# a comment\n")
    assert load(project, cache).jobs == 5
    assert len(validations) == 3


@pytest.mark.parametrize("name", ["CRACKJACK_JOBS", "crackjack_jobs"])
def test_a_variable_added_changed_or_removed_is_seen(
    tmp_path: Path,
    cache: Path,
    validations: list[SettingsValues],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    project = make_project(tmp_path / "p", config="jobs = 2\n")
    assert load(project, cache).jobs == 2
    monkeypatch.setenv(name, "3")
    assert load(project, cache).jobs == 3
    monkeypatch.setenv(name, "4")
    assert load(project, cache).jobs == 4
    monkeypatch.delenv(name)
    assert load(project, cache).jobs == 2
    assert len(validations) == 3, "without the variable, the inputs are the first run's"


def test_a_variable_that_sets_nothing_yet_is_an_input_too(
    tmp_path: Path, cache: Path, validations: list[SettingsValues], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "p")
    load(project, cache)
    monkeypatch.setenv("CRACKJACK_SOMETHING_NEW", "1")
    load(project, cache)
    monkeypatch.setenv("OTHER_VARIABLE", "1")
    load(project, cache)
    assert len(validations) == 2, "only CRACKJACK_* variables are inputs"


def test_a_flag_value_is_seen(
    tmp_path: Path, cache: Path, validations: list[SettingsValues]
) -> None:
    project = make_project(tmp_path / "p", config="jobs = 2\n")
    assert load(project, cache, {"jobs": 3}).jobs == 3
    assert load(project, cache, {"jobs": 4}).jobs == 4
    assert load(project, cache, {"jobs": 4, "fail_fast": True}).fail_fast is True
    assert load(project, cache).jobs == 2
    assert len(validations) == 4


def test_crackjacks_version_is_seen(
    tmp_path: Path, cache: Path, validations: list[SettingsValues], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "p", config="jobs = 2\n")
    load(project, cache)
    monkeypatch.setattr(crackjack, "__version__", crackjack.__version__ + ".post1")
    load(project, cache)
    assert len(validations) == 2


def test_the_staged_pyproject_is_its_own_input(
    tmp_path: Path, validations: list[SettingsValues]
) -> None:
    root = make_repo(tmp_path / "repo")
    make_project(root, config="jobs = 2\n")
    commit_all(root)
    make_project(root, config="jobs = 3\n")
    cache = Path(run_git(root, "rev-parse", "--absolute-git-dir").strip()) / "crackjack"

    def settings(*, staged: bool) -> Project:
        return load_project(root, {}, top=root, staged=staged, crackjack_dir=cache)

    assert settings(staged=True).settings.jobs == 2
    assert settings(staged=False).settings.jobs == 3
    assert len(validations) == 2
    again = settings(staged=True)
    assert (again.settings.jobs, again.staged_pyproject) == (2, root / "pyproject.toml")
    assert settings(staged=False).settings.jobs == 3
    assert len(validations) == 2
    run_git(root, "add", "pyproject.toml")
    staged = settings(staged=True)
    assert (staged.settings.jobs, staged.staged_pyproject) == (3, None)
    assert len(validations) == 2, "staged bytes equal to the work tree's are the same input"


# --- mistakes are never cached ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "variables", "message"),
    [
        ('jobs = "4"\n', {}, "pyproject.toml: tool.crackjack.jobs: expected a whole number"),
        ("jobs = [\n", {}, "invalid TOML"),
        ("", {"CRACKJACK_JOBS": "many"}, "CRACKJACK_JOBS: expected a whole number"),
    ],
)
def test_a_mistake_is_found_on_every_run(
    tmp_path: Path,
    cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    config: str,
    variables: dict[str, str],
    message: str,
) -> None:
    project = make_project(tmp_path / "p", config=config)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    errors = []
    for _ in range(2):
        with pytest.raises(ConfigError) as caught:
            load(project, cache)
        errors.append(str(caught.value))
    assert errors[0] == errors[1]
    assert message in errors[0]
    assert entries(cache) == []


def test_a_fixed_mistake_after_a_hit_is_still_refused(tmp_path: Path, cache: Path) -> None:
    project = make_project(tmp_path / "p", config="jobs = 2\n")
    load(project, cache)
    make_project(project, config="jobs = 0\n")
    with pytest.raises(ConfigError, match=r"tool\.crackjack\.jobs"):
        load(project, cache)


# --- a broken cache changes nothing -------------------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"\xff\xfe not json",
        b'{"format": 1, "key": "',
        b"[]",
        b'{"format": 1}',
        b'{"format": 999, "key": "x", "settings": {}}',
        b'{"format": 1, "key": "KEY", "settings": {"jobs": 2}}',
        b'{"format": 1, "key": "KEY", "settings": {"hooks": [], "tests": {}, "workflows": {}}}',
        b'{"format": 1, "key": "KEY", "settings": {"hooks": {}, "tests": {"what": 1},'
        b' "workflows": {}}}',
        b"[" * 100_000,
    ],
)
def test_a_corrupt_entry_is_ignored(
    tmp_path: Path, cache: Path, validations: list[SettingsValues], damage: bytes
) -> None:
    project = make_project(tmp_path / "p", config=RICH)
    expected = load(project, cache)
    [entry] = entries(cache)
    entry.write_bytes(damage.replace(b"KEY", entry.stem.encode()))
    assert load(project, cache) == expected
    assert len(validations) == 2
    assert load(project, cache) == expected
    assert len(validations) == 2, "the entry was written again"


def test_an_entry_of_another_key_is_ignored(
    tmp_path: Path, cache: Path, validations: list[SettingsValues]
) -> None:
    project = make_project(tmp_path / "p", config="jobs = 2\n")
    load(project, cache, {"jobs": 3})
    [other] = entries(cache)
    load(project, cache)
    mine = next(path for path in entries(cache) if path != other)
    mine.write_bytes(other.read_bytes())
    assert load(project, cache).jobs == 2
    assert len(validations) == 3


def test_a_cache_folder_that_cannot_be_made_is_ignored(
    tmp_path: Path, validations: list[SettingsValues]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    project = make_project(tmp_path / "p", config=RICH)
    first = load(project, blocker)
    assert load(project, blocker) == first
    assert len(validations) == 2
    make_project(project, config="jobs = 0\n")
    with pytest.raises(ConfigError, match=r"tool\.crackjack\.jobs"):
        load(project, blocker)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_cache_folder_is_ignored(
    tmp_path: Path, cache: Path, validations: list[SettingsValues]
) -> None:
    (cache / "settings").mkdir(parents=True)
    (cache / "settings").chmod(0o500)
    project = make_project(tmp_path / "p", config=RICH)
    try:
        first = load(project, cache)
        assert load(project, cache) == first
    finally:
        (cache / "settings").chmod(0o700)
    assert len(validations) == 2
    assert entries(cache) == []


def test_only_the_last_few_entries_are_kept(tmp_path: Path, cache: Path) -> None:
    project = make_project(tmp_path / "p")
    for jobs in range(1, KEEP + 4):
        load(project, cache, {"jobs": jobs})
    assert len(entries(cache)) == KEEP


def test_without_a_git_directory_the_user_cache_holds_the_entries(
    tmp_path: Path, validations: list[SettingsValues]
) -> None:
    project = make_project(tmp_path / "p", config="jobs = 2\n")
    load_project(project, {})
    load_project(project, {})
    assert len(validations) == 1
    home = Path(os.environ["XDG_CACHE_HOME"])
    assert len(list((home / "crackjack" / "settings").glob("*.json"))) == 1


# --- a hit does not import pydantic -------------------------------------------------------------

LOAD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from crackjack.core.run.session import read_project_anywhere
    from crackjack.hooks.catalogue import BUILTINS
    project, catalogue = read_project_anywhere(Path.cwd(), {}, BUILTINS)
    assert "codespell" in catalogue.hooks and project.settings.jobs == 3
    print(sorted({name.split(".")[0] for name in sys.modules} & {"pydantic", "pydantic_settings"}))
    """
)


def test_a_hit_does_not_import_pydantic(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    make_project(root, config=RICH)
    git_dir = Path(run_git(root, "rev-parse", "--absolute-git-dir").strip())

    def imported() -> str:
        done = subprocess.run(
            [PYTHON, "-c", LOAD], cwd=root, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    assert imported() == "['pydantic', 'pydantic_settings']"
    assert len(list((git_dir / "crackjack" / "settings").glob("*.json"))) == 1
    assert imported() == "[]"


def test_a_half_written_entry_is_swept(tmp_path: Path, cache: Path) -> None:
    project = make_project(tmp_path / "p")
    (cache / "settings").mkdir(parents=True)
    left = cache / "settings" / f".0123456789abcdef{TEMP_SUFFIX}"
    left.write_text("{")
    load(project, cache)
    assert not left.exists()
    assert len(entries(cache)) == 1
