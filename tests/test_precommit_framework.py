"""crackjack's ``.pre-commit-hooks.yaml`` under the real pre-commit and prek (``try-repo``).

What is tested is the repository these tests belong to (found with ``git rev-parse
--show-toplevel``), as it is on disk: HEAD plus the working tree, untracked files included, copied
into a one-commit repository. (``try-repo`` on the repository itself would miss files that are not
committed or staged.) Both tools install crackjack from that copy into a virtual environment of
their own, from PyPI: about 12-14 s a run for pre-commit and 7 s for prek on the development
machine, also with an empty download cache. ``try-repo`` always installs into a fresh store, so a
persistent PRE_COMMIT_HOME would not make it faster; the homes and download caches are only shared
within the session, and never touch the user's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from crackjack.core.valueclass import value
from tests.gitrepo import commit_all
from tests.project import hook_table, make_project

pytestmark = pytest.mark.slow

TOOLS = ("pre-commit", "prek")
GOOD = "x = 1\n"
BAD = "breakpoint()\n"
SLOW_HOOKS_OFF = "".join(hook_table(hook, enabled=False) for hook in ("mypy", "bandit", "pytest"))
"""The standard workflow without the tools a framework's virtual environment lacks."""


def _isolated_git_env() -> dict[str, str]:
    """For session fixtures, which run before conftest's per-test isolation."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    for role in ("AUTHOR", "COMMITTER"):
        env[f"GIT_{role}_NAME"] = "Test"
        env[f"GIT_{role}_EMAIL"] = "test@example.com"
    return env


def _git_out(cwd: Path, *args: str, env: Mapping[str, str]) -> bytes:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, check=True, stdin=subprocess.DEVNULL
    )
    return done.stdout


def _repository_under_test() -> Path:
    env = _isolated_git_env()
    top = _git_out(Path(__file__).parent, "rev-parse", "--show-toplevel", env=env)
    return Path(os.fsdecode(top.removesuffix(b"\n")))


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-commit copy of the repository under test: HEAD plus its working tree."""
    env = _isolated_git_env()
    source = _repository_under_test()
    listing = _git_out(
        source, "ls-files", "-z", "--cached", "--others", "--exclude-standard", env=env
    )
    copy = tmp_path_factory.mktemp("crackjack-hook-repo")
    for name in {os.fsdecode(raw) for raw in listing.split(b"\0") if raw}:
        origin = source / name
        if os.path.lexists(origin) and not origin.is_dir():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, copy / name, follow_symlinks=False)
    for args in (
        ("-c", "init.defaultBranch=main", "init", "-q"),
        ("add", "-A"),
        ("commit", "-q", "--no-verify", "-m", "crackjack under test"),
    ):
        _git_out(copy, *args, env=env)
    return copy


@pytest.fixture(scope="session")
def caches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The tools' homes and the download caches, shared by this session's tests only."""
    base = tmp_path_factory.mktemp("framework-caches")
    return {
        "PRE_COMMIT_HOME": str(base / "pre-commit"),
        "PREK_HOME": str(base / "prek"),
        "PIP_CACHE_DIR": str(base / "pip"),
        "UV_CACHE_DIR": str(base / "uv"),
        "VIRTUALENV_OVERRIDE_APP_DATA": str(base / "virtualenv"),
    }


def _tool(name: str) -> Path:
    """The tool installed beside this interpreter (the dev extra), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return Path(found)


@value(eq=True)
class Outcome:
    code: int
    output: str


@value(eq=True)
class TryRepo:
    """Runs ``<tool> try-repo <hook repo> [<hook>] --all-files --verbose`` in a new project
    (no hook: every hook of the repository; ``--verbose`` shows the output of passing hooks)."""

    hook_repo: Path
    caches: Mapping[str, str]
    tmp_path: Path

    def __call__(
        self,
        tool: str,
        hook: str | None,
        files: Mapping[str, str],
        *,
        config: str = "",
        selection: Sequence[str] = ("--all-files",),
    ) -> Outcome:
        project = make_project(self.tmp_path / "project", files, config=config, git=True)
        commit_all(project)
        bin_dir = str(Path(sys.executable).parent)
        env = {**os.environ, **self.caches, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
        done = subprocess.run(
            [
                str(_tool(tool)),
                "try-repo",
                str(self.hook_repo),
                *([hook] if hook else []),
                *selection,
                "--verbose",
            ],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
            timeout=600,
        )
        return Outcome(done.returncode, done.stdout + done.stderr)


@pytest.fixture
def try_repo(hook_repo: Path, caches: dict[str, str], tmp_path: Path) -> TryRepo:
    return TryRepo(hook_repo, caches, tmp_path)


@pytest.mark.parametrize("tool", TOOLS)
def test_both_hooks_under_the_framework(try_repo: TryRepo, tool: str) -> None:
    """One ``try-repo`` (one install) per tool runs both hooks on ``--files good.py``: the fast
    hook checks only the file it is given and passes although ``bad.py`` is in the project; the
    standard hook takes no file names, checks everything, and fails on ``bad.py``."""
    files = {"good.py": GOOD, "bad.py": BAD}
    outcome = try_repo(tool, None, files, config=SLOW_HOOKS_OFF, selection=("--files", "good.py"))
    assert outcome.code == 1, outcome.output
    assert "fast: passed" in outcome.output
    assert "standard: failed" in outcome.output
    assert outcome.output.count("bad.py:1:1: breakpoint called") == 1


def test_manifest_is_valid(hook_repo: Path) -> None:
    done = subprocess.run(
        [str(_tool("pre-commit")), "validate-manifest", str(hook_repo / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
