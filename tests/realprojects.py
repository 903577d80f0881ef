"""Real open-source projects for the slow day-one tests: pinned sdists from PyPI, each unpacked
into a git repository with its own `.venv` (not ignored) holding its test dependencies and
tool versions older than crackjack's.

Downloads (the sdists and every wheel the venvs need) are kept in a folder of pytest's cache, so
only the first run reaches PyPI; xdist workers share it under a file lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from crackjack.core.valueclass import value
from tests.gitrepo import commit_all, make_repo, run_git

# Older than crackjack's own ruff and dev mypy, so a run that uses crackjack's tools shows.
TOOLS = ("ruff==0.15.16", "mypy==1.19.1", "pytest==8.4.2")
CRACKJACK = str(Path(sys.executable).parent / "crackjack")
UV = str(Path(sys.executable).parent / "uv")
COUNT = re.compile(r"(\d+) (passed|failed|skipped|deselected|xfailed|xpassed|errors?)\b")


@value(eq=True)
class RealProject:
    """A project as its developers work on it.

    ``src`` is put on the venv's path as `pip install -e .` would; ``mypy`` is how the project
    runs mypy (``None``: it does not); ``tracked_mypy``: mypy gets the tracked Python files, as
    pre-commit's mirrors-mypy hook passes them; ``pytest_args`` choose a quick part of a long
    suite, given alike to plain pytest and to crackjack (after ``--``).
    """

    name: str
    version: str
    deps: tuple[str, ...]
    src: str
    mypy: tuple[str, ...] | None
    tracked_mypy: bool = False
    pytest_args: tuple[str, ...] = ()

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


PROJECTS = (
    # No .gitignore; ruff selects ALL; [tool.mypy] files = [...] names what mypy checks.
    RealProject(
        "packaging",
        "26.4",
        ("pretend==1.0.9", "hypothesis==6.170.17", "tomli_w==1.2.0"),
        "src",
        (),
        pytest_args=("tests/test_metadata.py", "tests/test_tags.py", "tests/test_utils.py"),
    ),
    # A .gitignore that does not name .venv; mypy strict, run by pre-commit on every file.
    RealProject("iniconfig", "2.3.1", (), "src", (), tracked_mypy=True),
    # No .gitignore; a ruff configuration in the deprecated form; no mypy.
    RealProject("pyproject_hooks", "1.3.3", ("testpath==0.6.0", "setuptools==80.9.0"), "src", None),
)


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold ``folder``'s lock: one xdist worker downloads at a time."""
    with (folder / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def pip(cache: Path, *args: str) -> None:
    """The test run's own pip, downloading into the cache."""
    env = {**os.environ, "PIP_CACHE_DIR": str(cache / "pip"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run(
        [sys.executable, "-m", "pip", "-q", *args],
        env=env,
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=600,
    )


def uv(cache: Path, *args: str, into: Path) -> None:
    """``uv pip`` (a dev dependency) in the environment of ``into``, its downloads kept in the
    cache: offline when the cache has them, else from PyPI (a second or so where pip takes
    ten, most of it compiling bytecode)."""
    env = {**os.environ, "UV_CACHE_DIR": str(cache / "uv"), "UV_NO_PROGRESS": "1"}
    argv = [UV, "pip", *args, "--python", str(into), "-q"]
    attempts = (("--offline",), ()) if args[0] == "install" else ((),)
    for extra in attempts:
        done = subprocess.run(
            [*argv, *extra],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=600,
        )
        if done.returncode == 0:
            return
    raise AssertionError(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')}")


def fetch(project: RealProject, cache: Path) -> Path:
    """The project's sdist, downloaded once."""
    sdists = cache / "sdists"
    with locked(cache):
        found = sorted(sdists.glob(f"{project.name}-{project.version}.tar.gz"))
        if not found:
            # The project's sdist; its build backend from wheels (not built from source too).
            pip(cache, "download", "--no-binary", project.name, "--no-deps",
                project.requirement, "-d", str(sdists))  # fmt: skip
            found = sorted(sdists.glob(f"{project.name}-{project.version}.tar.gz"))
    return found[0]


def build(project: RealProject, cache: Path, where: Path) -> Path:
    """The project unpacked in ``where``, committed, with its `.venv` (untracked, not ignored)."""
    sdist = fetch(project, cache)
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        archive.extractall(where, filter="data")
    root = make_repo(where / top)
    commit_all(root, "the sdist")
    venv = root / ".venv"
    venv_argv = [sys.executable, "-m", "venv", "--without-pip", str(venv)]
    subprocess.run(venv_argv, check=True, timeout=120)
    python = venv / "bin" / "python"
    # Compiled as pip compiles what it installs: the venv is as its developers have it.
    copied = ("--compile-bytecode", "--link-mode=copy")
    uv(cache, "install", *copied, *TOOLS, *project.deps, into=python)
    uv(cache, "uninstall", project.name, into=python)  # pytest's own, shadowing src
    site = next((venv / "lib").glob("python3.*/site-packages"))
    (site / f"_{project.name}_editable.pth").write_text(f"{root / project.src}\n")
    return root


def run(args: Sequence[str], root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args),
        cwd=root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=900,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


def own_verdicts(project: RealProject, root: Path) -> tuple[dict[str, bool], dict[str, int]]:
    """Whether each of the project's own tools passes, run its way; and pytest's counts."""
    bin_ = root / ".venv" / "bin"
    verdicts = {
        "ruff-check": run([str(bin_ / "ruff"), "check", "."], root).returncode == 0,
        "ruff-format": run([str(bin_ / "ruff"), "format", "--check", "."], root).returncode == 0,
    }
    if project.mypy is not None:
        files = run_git(root, "ls-files", "*.py", "*.pyi").split() if project.tracked_mypy else []
        verdicts["mypy"] = run([str(bin_ / "mypy"), *project.mypy, *files], root).returncode == 0
    tests = run([str(bin_ / "python"), "-m", "pytest", *project.pytest_args], root)
    verdicts["pytest"] = tests.returncode == 0
    last = tests.stdout.strip().splitlines()[-1]
    counts = {{"error": "errors"}.get(kind, kind): int(n) for n, kind in COUNT.findall(last)}
    return verdicts, counts


def tree_digest(folder: Path) -> dict[str, str]:
    """Every entry under ``folder``: a file's SHA-256, a link's target, a folder's mark."""
    entries: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            entries[name] = "-> " + os.readlink(path)
        elif path.is_dir():
            entries[name] = "dir"
        else:
            entries[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return entries


def changed_entries(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
