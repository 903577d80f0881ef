"""Each tool as the project runs it: mypy for the project's interpreter, with the project's
configuration and never a module twice; bandit with the project's configuration; ruff always
with ``--force-exclude``. The real mypy and bandit (crackjack's development dependencies)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crackjack.core.run.plan import Selection, build_plan
from crackjack.core.run.policy import Policy
from crackjack.core.testphase.options import TestOptions
from crackjack.hooks.catalogue import BUILTINS
from crackjack.hooks.tools.mypy import mypy_config
from tests.gitrepo import make_repo, run_git, write
from tests.project import CliResult, run_cli
from tests.toolvenvs import PYTHON, SITE, real_venv


def project(root: Path, files: dict[str, str]) -> Path:
    """A repository holding ``files`` (all of them staged)."""
    make_repo(root)
    write(root / ".gitignore", ".venv/\n.mypy_cache/\n")
    for name, text in files.items():
        write(root / name, text)
    run_git(root, "add", "-A")
    return root


def run_hook(
    root: Path, hook: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> CliResult:
    return run_cli(["--hook", hook, "--verbose"], root, monkeypatch, capsys)


def test_mypy_sees_the_dependencies_of_the_projects_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The environment has no mypy: crackjack's runs with ``--python-executable``."""
    root = project(tmp_path / "p", {"a.py": "from projdep import answer\n\nx: int = answer()\n"})
    venv = real_venv(root / ".venv")
    write(venv / SITE / "projdep" / "__init__.py", "def answer() -> int:\n    return 42\n")
    write(venv / SITE / "projdep" / "py.typed", "")
    result = run_hook(root, "mypy", monkeypatch, capsys)
    assert result.code == 0, result.out
    monkeypatch.setenv("COLUMNS", "1000")  # the whole argv on one line of the plan table
    planned = run_cli(["--hook", "mypy", "--dry-run"], root, monkeypatch, capsys).out
    assert f"--python-executable {root / '.venv' / 'bin' / 'python'}" in planned


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pyproject.toml", '[tool.mypy]\nfiles = ["src"]\n'),
        ("mypy.ini", "[mypy]\nfiles = src\n"),
        ("setup.cfg", "[mypy]\npackages = pkg\nmypy_path = src\n"),
    ],
)
def test_mypy_checks_what_the_projects_configuration_names(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str,
) -> None:
    files = {
        name: text,
        "src/pkg/__init__.py": "",
        "src/pkg/good.py": "x: int = 1\n",
        "scripts/bad.py": 'x: int = "not checked by the project"\n',
    }
    root = project(tmp_path / "p", files)
    result = run_hook(root, "mypy", monkeypatch, capsys)
    assert result.code == 0, result.out
    assert "bad.py" not in result.out


def test_mypy_never_gets_a_module_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stub beside its module; two ``util.py`` in folders without ``__init__.py``; a src
    layout whose imports still resolve."""
    files = {
        "stubbed.py": "def f():\n    return 1\n",
        "stubbed.pyi": "def f() -> int: ...\n",
        "scripts/one/util.py": "x: int = 1\n",
        "scripts/two/util.py": 'x: int = "two"\n',
        "src/pkg/__init__.py": "",
        "src/pkg/other.py": "value = 1\n",
        "src/pkg/mod.py": "from pkg.other import value\n\ny: int = value\n",
    }
    root = project(tmp_path / "p", files)
    result = run_hook(root, "mypy", monkeypatch, capsys)
    assert result.code == 1
    assert "Duplicate module" not in result.out
    assert "scripts/two/util.py:1: error: Incompatible types" in result.out
    write(root / "scripts" / "two" / "util.py", "x: int = 2\n")
    result = run_hook(root, "mypy", monkeypatch, capsys)
    assert result.code == 0, result.out


def test_mypy_configuration_is_found_where_mypy_looks(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo") / "sub"
    write(root / "setup.cfg", "[metadata]\nname = x\n")
    write(root / "pyproject.toml", "[tool.other]\n")
    assert mypy_config(root) == {}
    write(root.parent / ".mypy.ini", "[mypy]\nfiles = a\n")
    assert mypy_config(root) == {"files": "a"}
    write(root / "setup.cfg", "[mypy]\nmodules = b\n")
    assert mypy_config(root) == {"modules": "b"}
    write(root / "pyproject.toml", '[tool.mypy]\npackages = ["c"]\n')
    assert mypy_config(root) == {"packages": ["c"]}
    write(root / "mypy.ini", "# no section: mypy still takes it\n")
    assert mypy_config(root) == {}


UNSAFE = {"lib.py": 'print(eval("1 + 1"))\n', "tests/test_lib.py": 'print(eval("2"))\n'}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pyproject.toml", '[tool.bandit]\nskips = ["B307"]\n'),
        (".bandit", "[bandit]\nskips = B307\n"),
    ],
)
def test_bandit_reads_the_projects_configuration(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str,
) -> None:
    root = project(tmp_path / "p", {**UNSAFE, name: text})
    result = run_hook(root, "bandit", monkeypatch, capsys)
    assert result.code == 0, result.out


def test_crackjacks_bandit_defaults_apply_only_without_a_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without one: medium severity and up, tests excluded; with one, the project decides
    (here it reports every severity, tests included)."""
    root = project(tmp_path / "p", {"lib.py": "import subprocess\n"})
    assert run_hook(root, "bandit", monkeypatch, capsys).code == 0
    write(root / "pyproject.toml", '[tool.bandit]\nskips = ["B101"]\n')
    result = run_hook(root, "bandit", monkeypatch, capsys)
    assert result.code == 1
    assert "B404" in result.out
    write(root / "lib.py", "")
    write(root / "tests" / "test_lib.py", 'print(eval("2"))\n')
    run_git(root, "add", "-A")
    result = run_hook(root, "bandit", monkeypatch, capsys)
    assert result.code == 1
    assert "tests/test_lib.py" in result.out


def test_every_ruff_invocation_has_force_exclude(tmp_path: Path) -> None:
    """Fixing, check-only and with findings: the project's excludes hold for files passed."""
    write(tmp_path / "a.py", "x = 1\n")
    tests = TestOptions(python=PYTHON)
    for check_only in (False, True):
        plan = build_plan(
            BUILTINS,
            Selection("fast", ("ruff-check", "ruff-format")),
            root=tmp_path,
            files=["a.py"],
            policy=Policy(jobs=1, check_only=check_only),
            tests=tests,
        )
        argvs = [hook.argv for phase in plan.phases for hook in phase.hooks]
        assert len(argvs) == 2
        for argv in argvs:
            assert "--force-exclude" in argv[: argv.index("--")], json.dumps(argv)
