"""The result cache, end to end: real crackjack processes in real git repositories, what each
hook checked counted from the event stream (``files`` less ``cached_files``) and, for a
project's own tool, from the tool's own log of the files it was given.

For every part of the key, changing it (and only it) makes the hook run again."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.gitrepo import commit_all, make_repo, run_git, write
from tests.imports import imported
from tests.project import PYTHON, crackjack_env, hook_table, run_process

PER_FILE = ("debug-statements", "check-merge-conflict", "trailing-whitespace", "end-of-file")
RUFF = ("ruff-check", "ruff-format")
LOGGER = """\
import os, sys
files = [arg for arg in sys.argv[1:] if arg != "--"]
with open(os.environ["TOOL_LOG"], "a", encoding="utf-8") as log:
    log.write("\\n".join(files) + "\\n--\\n")
sys.exit(1 if any("FAIL" in open(f, encoding="utf-8").read() for f in files) else 0)
"""
"""A project's own tool: logs the files it is given, fails on a file that says FAIL."""


def tool_hook(mode: str = "per-file", **keys: object) -> str:
    return hook_table(
        "logger",
        command=[PYTHON, ".tools/logger.py"],
        phase="fast",
        files=["*.py"],
        cache=mode,
        **keys,
    )


def crackjack_table(config: str) -> str:
    return f'[tool.crackjack]\nexclude = [".tools/"]\n{config}'


def python_repo(root: Path, config: str = "", files: int = 3) -> Path:
    """A committed repository of ``files`` clean Python modules (and its pyproject.toml)."""
    make_repo(root)
    write(root / "pyproject.toml", f"[project]\nname = 'p'\n\n{crackjack_table(config)}")
    write(root / ".tools" / "logger.py", LOGGER)
    for index in range(files):
        write(root / "pkg" / f"m{index}.py", f"VALUE = {index}\n")
    commit_all(root)
    return root


class Runs:
    """crackjack run in one repository, each run's events read back."""

    def __init__(self, root: Path, log: Path) -> None:
        self.root = root
        self.log = log
        self.count = 0

    def __call__(
        self, *args: str, env: Mapping[str, str] | None = None, command: str = ""
    ) -> tuple[subprocess.CompletedProcess[str], dict[str, dict[str, Any]]]:
        self.count += 1
        events = self.log.parent / f"events{self.count}.jsonl"
        argv = [*args, "--events", str(events)]
        full_env = {"TOOL_LOG": str(self.log), **(env or {})}
        if command:
            done = subprocess.run(
                [PYTHON, "-c", command, *argv],
                cwd=self.root,
                env=crackjack_env(full_env),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        else:
            done = run_process(argv, self.root, env=full_env, timeout=120)
        return done, results(events)

    def tool_calls(self) -> list[list[str]]:
        """The file lists the project's tool was given, one per process, then forgets them."""
        if not self.log.exists():
            return []
        chunks = self.log.read_text(encoding="utf-8").split("--\n")
        self.log.unlink()
        return [chunk.split() for chunk in chunks if chunk.strip()]


def results(events: Path) -> dict[str, dict[str, Any]]:
    """Each hook's result, from the JSON Lines stream."""
    found = {}
    for line in events.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        if event["event"] in ("HookCompleted", "HookFailed"):
            found[event["hook"]] = event["result"]
    return found


def checked(result: Mapping[str, Any]) -> int:
    """How many files a hook really checked."""
    return int(result["files"]) - int(result["cached_files"])


@pytest.fixture
def runs(tmp_path: Path) -> Runs:
    return Runs(python_repo(tmp_path / "repo", tool_hook()), tmp_path / "tool.log")


def test_a_rerun_with_nothing_changed_runs_no_per_file_hook(runs: Runs) -> None:
    done, first = runs("--fast")
    assert done.returncode == 0, done.stdout
    assert all(not r["cached"] and r["cached_files"] == 0 for r in first.values())
    assert runs.tool_calls() == [[f"pkg/m{i}.py" for i in range(3)]]
    done, again = runs("--fast")
    assert done.returncode == 0, done.stdout
    for hook in (*PER_FILE, *RUFF, "logger"):
        assert again[hook]["cached"], hook
        assert again[hook]["status"] == "passed"
        assert again[hook]["cached_files"] == again[hook]["files"] == first[hook]["files"]
    assert not again["check-large-files"]["cached"]  # not file-local: never cached
    assert runs.tool_calls() == []
    assert "cache" not in done.stderr


def test_one_changed_file_is_the_only_one_each_per_file_hook_checks(runs: Runs) -> None:
    runs("--fast")
    runs.tool_calls()
    write(runs.root / "pkg" / "m1.py", "VALUE = 10\n")
    done, again = runs("--fast")
    assert done.returncode == 0, done.stdout
    for hook in (*PER_FILE, *RUFF, "logger"):
        assert checked(again[hook]) == 1, hook
        assert not again[hook]["cached"]
    assert again["ruff-check"]["cached_files"] == 2
    assert runs.tool_calls() == [["pkg/m1.py"]]


def test_a_file_rewritten_in_place_with_its_size_and_mtime_kept_is_checked(runs: Runs) -> None:
    """``touch -r``, ``cp -p``, ``rsync --inplace``: only the ctime tells, as it does git."""
    runs("--fast")
    runs.tool_calls()
    module = runs.root / "pkg" / "m0.py"
    before = module.stat()
    module.write_bytes(b"VALUE = 9\n")
    os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = module.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )
    done, again = runs("--fast")
    assert done.returncode == 0, done.stdout
    assert runs.tool_calls() == [["pkg/m0.py"]]
    assert checked(again["logger"]) == 1


def test_a_renamed_file_and_a_new_file_are_checked(runs: Runs) -> None:
    runs("--fast")
    runs.tool_calls()
    os.rename(runs.root / "pkg" / "m0.py", runs.root / "pkg" / "renamed.py")
    write(runs.root / "pkg" / "new.py", "NEW = 1\n")
    done, again = runs("--fast")
    assert done.returncode == 0, done.stdout
    assert sorted(runs.tool_calls()[0]) == ["pkg/new.py", "pkg/renamed.py"]
    assert checked(again["ruff-check"]) == 2
    assert again["ruff-check"]["cached_files"] == 2


def test_a_config_file_the_tool_reads_reruns_only_its_hooks(runs: Runs) -> None:
    runs("--fast")
    pyproject = runs.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.ruff]\nline-length = 99\n")
    done, again = runs("--fast")
    assert done.returncode == 0, done.stdout
    for hook in RUFF:
        assert checked(again[hook]) == 3, hook
    assert again["debug-statements"]["cached"]  # it reads no configuration
    assert again["logger"]["cached"]  # pyproject.toml is not one of its inputs


def test_a_nested_config_file_reruns_the_files_under_it(runs: Runs) -> None:
    write(runs.root / "other" / "x.py", "X = 1\n")
    runs("--fast")
    write(runs.root / "pkg" / "ruff.toml", "line-length = 90\n")
    done, again = runs("--fast", "--hook", "ruff-check")
    assert done.returncode == 0, done.stdout
    assert checked(again["ruff-check"]) == 3
    assert again["ruff-check"]["cached_files"] == 1  # other/x.py: not under pkg/


def test_the_hooks_args_are_part_of_its_key(tmp_path: Path) -> None:
    root = python_repo(tmp_path / "repo", tool_hook())
    runs = Runs(root, tmp_path / "tool.log")
    runs("--fast", "--hook", "logger")
    runs.tool_calls()
    config = tool_hook(args=["--flag"])
    write(root / "pyproject.toml", f"[project]\nname = 'p'\n\n{crackjack_table(config)}")
    runs("--fast", "--hook", "logger")
    assert [sorted(call) for call in runs.tool_calls()] == [
        ["--flag", "pkg/m0.py", "pkg/m1.py", "pkg/m2.py"]
    ]


@pytest.mark.parametrize(("declared", "calls"), [({}, 2), ({"cache": "per-file"}, 1)])
def test_a_builtin_run_by_another_command_is_not_cached_unless_it_says_so(
    tmp_path: Path, declared: dict[str, str], calls: int
) -> None:
    config = hook_table("ruff-check", command=[PYTHON, ".tools/logger.py"], **declared)
    root = python_repo(tmp_path / "repo", config)
    runs = Runs(root, tmp_path / "tool.log")
    for _ in range(2):
        done, _found = runs("--fast", "--hook", "ruff-check")
        assert done.returncode == 0, done.stdout
    assert len(runs.tool_calls()) == calls


def test_a_cache_input_of_a_projects_hook_is_part_of_its_key(tmp_path: Path) -> None:
    config = tool_hook(cache_inputs=[".tools/*.py", "setup.cfg"])
    runs = Runs(python_repo(tmp_path / "repo", config), tmp_path / "tool.log")
    runs("--fast", "--hook", "logger")
    runs.tool_calls()
    write(runs.root / "setup.cfg", "[x]\n")
    runs("--fast", "--hook", "logger")
    assert len(runs.tool_calls()) == 1
    logger = runs.root / ".tools" / "logger.py"
    logger.write_text(logger.read_text() + "# edited\n")
    runs("--fast", "--hook", "logger")
    assert len(runs.tool_calls()) == 1
    runs("--fast", "--hook", "logger")
    assert runs.tool_calls() == []


def test_an_allowlisted_variable_is_part_of_the_key_and_no_other(tmp_path: Path) -> None:
    config = tool_hook(cache_env=["MY_FLAG", "MINE_*"])
    runs = Runs(python_repo(tmp_path / "repo", config), tmp_path / "tool.log")
    runs("--fast", "--hook", "logger")
    runs.tool_calls()
    runs("--fast", "--hook", "logger", env={"UNLISTED": "1"})
    assert runs.tool_calls() == []
    runs("--fast", "--hook", "logger", env={"MY_FLAG": "1"})
    assert len(runs.tool_calls()) == 1
    runs("--fast", "--hook", "logger", env={"MINE_TOO": "x"})
    assert len(runs.tool_calls()) == 1


def test_ruff_variables_are_part_of_ruffs_key(runs: Runs) -> None:
    runs("--fast")
    _, again = runs("--fast", env={"RUFF_NO_CACHE": "true"})
    assert checked(again["ruff-check"]) == 3
    assert again["debug-statements"]["cached"]


def test_crackjacks_version_is_part_of_the_key(runs: Runs) -> None:
    runs("--fast")
    runs.tool_calls()
    other = "import sys, crackjack; crackjack.__version__ = '99.0'; sys.argv[0] = 'crackjack'\n"
    other += "from crackjack.cli.entry import main; main()"
    done, again = runs("--fast", command=other)
    assert done.returncode == 0, done.stdout
    assert all(not r["cached"] and r["cached_files"] == 0 for r in again.values())
    assert len(runs.tool_calls()) == 1


def test_check_only_and_fixing_are_keyed_apart(runs: Runs) -> None:
    runs("--fast")
    done, ci = runs("--fast", "--ci")
    assert done.returncode == 0, done.stdout
    for hook in (*RUFF, "trailing-whitespace", "end-of-file"):  # the fixers
        assert checked(ci[hook]) == ci[hook]["files"], hook
    assert ci["debug-statements"]["cached"]  # not a fixer: the same check either way
    _, again = runs("--fast", "--ci")
    assert all(again[hook]["cached"] for hook in (*RUFF, "trailing-whitespace"))


def test_a_failure_is_never_served(runs: Runs) -> None:
    write(runs.root / "pkg" / "m1.py", "VALUE = 'FAIL'\n")
    for _ in range(2):
        done, found = runs("--fast", "--hook", "logger")
        assert done.returncode == 1
        assert found["logger"]["status"] == "failed"
        assert not found["logger"]["cached_files"]
        assert sorted(runs.tool_calls()[0]) == [f"pkg/m{i}.py" for i in range(3)]


def test_a_fix_is_never_served_and_its_next_pass_is(runs: Runs) -> None:
    write(runs.root / "pkg" / "m1.py", "VALUE = 1   \n")
    done, first = runs("--fast")
    assert done.returncode == 1
    assert first["trailing-whitespace"]["status"] == "fixed"
    _, second = runs("--fast")  # a run that fixed a file recorded none of its files
    assert checked(second["trailing-whitespace"]) == second["trailing-whitespace"]["files"]
    assert second["trailing-whitespace"]["status"] == "passed"
    _, third = runs("--fast")
    assert third["trailing-whitespace"]["cached"]


def test_no_cache_neither_reads_nor_writes(runs: Runs) -> None:
    cache = runs.root / ".git" / "crackjack" / "cache"
    runs("--fast", env={"CRACKJACK_NO_CACHE": "1"})
    assert not cache.exists()
    runs.tool_calls()
    runs("--fast")
    runs.tool_calls()
    _, again = runs("--fast", env={"CRACKJACK_NO_CACHE": "1"})
    assert all(not r["cached_files"] for r in again.values())
    assert len(runs.tool_calls()) == 1


def test_a_whole_program_hook_is_keyed_by_its_whole_input_set(tmp_path: Path) -> None:
    runs = Runs(python_repo(tmp_path / "repo", tool_hook("whole")), tmp_path / "tool.log")
    runs("--fast", "--hook", "logger")
    runs.tool_calls()
    _, again = runs("--fast", "--hook", "logger")
    assert again["logger"]["cached"]
    write(runs.root / "pkg" / "m2.py", "VALUE = 22\n")
    _, changed = runs("--fast", "--hook", "logger")
    assert checked(changed["logger"]) == 3
    assert sorted(runs.tool_calls()[0]) == [f"pkg/m{i}.py" for i in range(3)]
    _, some = runs("--fast", "--hook", "logger", "pkg/m2.py")
    assert not some["logger"]["cached"]  # only every file of the project is a whole set
    assert runs.tool_calls() == [["pkg/m2.py"]]


def test_mypy_and_bandit_are_cached_whole(tmp_path: Path) -> None:
    root = python_repo(tmp_path / "repo")
    runs = Runs(root, tmp_path / "tool.log")
    hooks = ("--hook", "mypy", "--hook", "bandit")
    done, first = runs("--workflow", "standard", *hooks)
    assert done.returncode == 0, done.stdout
    assert not first["mypy"]["cached"]
    _, again = runs("--workflow", "standard", *hooks)
    assert again["mypy"]["cached"]
    assert again["bandit"]["cached"]
    _, env = runs("--workflow", "standard", *hooks, env={"MYPYPATH": "stubs"})
    assert not env["mypy"]["cached"]
    assert env["bandit"]["cached"]


def test_two_concurrent_runs_share_the_cache(tmp_path: Path) -> None:
    """Two worktrees of one clone (each with its own run lock) write one cache at once."""
    root = python_repo(tmp_path / "repo", tool_hook(), files=40)
    other = tmp_path / "other"
    run_git(root, "worktree", "add", "-q", str(other))
    env = crackjack_env({"TOOL_LOG": str(tmp_path / "tool.log")})
    started = [
        subprocess.Popen(
            [PYTHON, "-m", "crackjack", "--fast"],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for folder in (root, other) * 2
    ]
    for process in started:
        _out, err = process.communicate(timeout=120)
        assert process.returncode in (0, 3) or b"lock" in err, err
        assert b"cache" not in err
    runs = Runs(other, tmp_path / "tool.log")
    runs.tool_calls()
    done, again = runs("--fast")
    assert done.returncode == 0
    assert all(again[hook]["cached"] for hook in (*PER_FILE, *RUFF, "logger"))
    assert "cache" not in done.stderr


def segments(root: Path) -> list[Path]:
    return sorted((root / ".git" / "crackjack" / "cache").glob("v1/*/*.seg"))


def test_a_damaged_cache_file_is_one_warning_and_a_rerun(runs: Runs) -> None:
    runs("--fast")
    runs.tool_calls()
    for segment in segments(runs.root):
        segment.write_bytes(b"\x00garbage\n")
    done, again = runs("--fast")
    assert done.returncode == 0
    warnings = [line for line in done.stdout.splitlines() if "result cache" in line]
    assert len(warnings) == 1, done.stdout
    assert "damaged" in warnings[0]
    assert all(not r["cached_files"] for r in again.values())
    assert len(runs.tool_calls()) == 1
    done, third = runs("--fast")
    assert "result cache" not in done.stdout
    assert third["logger"]["cached"]


def test_a_segment_with_an_absurd_number_or_programs_file_is_damaged_not_a_crash(
    runs: Runs,
) -> None:
    runs("--fast")
    runs.tool_calls()
    for segment in segments(runs.root):
        header, first, *rest = segment.read_text(encoding="ascii").split("\n")
        key = first.partition(" ")[0]
        segment.write_text("\n".join([header, f"{key} {'9' * 5000}", *rest]), encoding="ascii")
    programs = runs.root / ".git" / "crackjack" / "cache" / "v1" / "programs.json"
    if programs.exists():
        programs.write_text("[" * 200_000, encoding="ascii")
    done, _ = runs("--fast")
    assert done.returncode == 0, done.stdout + done.stderr
    warnings = [line for line in done.stdout.splitlines() if "result cache" in line]
    assert len(warnings) == 1, done.stdout
    assert "damaged" in warnings[0]


def test_an_other_format_is_ignored(runs: Runs) -> None:
    runs("--fast")
    cache = runs.root / ".git" / "crackjack" / "cache"
    (cache / "v1").rename(cache / "v0")
    write(cache / "v2" / "x" / "y.seg", "crackjack result cache 2\n")
    done, again = runs("--fast")
    assert done.returncode == 0
    assert "result cache" not in done.stdout
    assert not again["logger"]["cached_files"]


def cannot_write(runs: Runs, folder: Path) -> None:
    for _ in range(2):
        done, found = runs("--fast", env={"CRACKJACK_CACHE_DIR": str(folder)})
        assert done.returncode == 0, done.stdout
        warnings = [line for line in done.stdout.splitlines() if "result cache" in line]
        assert len(warnings) == 1, done.stdout
        assert "cannot be written" in warnings[0]
        assert not found["logger"]["cached_files"]
        assert runs.tool_calls()


def test_a_cache_under_a_file_is_one_warning(runs: Runs, tmp_path: Path) -> None:
    write(tmp_path / "a-file", "not a folder\n")
    cannot_write(runs, tmp_path / "a-file" / "cache")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_cache_is_one_warning(runs: Runs, tmp_path: Path) -> None:
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        cannot_write(runs, folder / "cache")
    finally:
        folder.chmod(0o700)


def test_a_relative_cache_dir_is_from_the_project_root(runs: Runs) -> None:
    (runs.root / "pkg").mkdir(exist_ok=True)
    env = {"CRACKJACK_CACHE_DIR": "build/cj-cache"}
    runs("--fast", env=env)
    assert list((runs.root / "build" / "cj-cache" / "v1").iterdir())


def test_the_git_hook_checks_the_staged_blobs(runs: Runs) -> None:
    """What is committed is what is keyed: a staged version a run passed is served though the
    work tree differs; a staged version nobody checked runs, whatever the work tree holds."""
    root = runs.root
    write(root / "pkg" / "m0.py", "VALUE = 100\n")
    runs("--fast")
    runs.tool_calls()
    run_git(root, "add", "pkg/m0.py")
    write(root / "pkg" / "m0.py", "VALUE = 'FAIL'   \n")  # unstaged: hidden while hooks run
    done = run_process(["git-hook", "pre-commit"], root, env={"TOOL_LOG": str(runs.log)})
    assert done.returncode == 0, done.stdout
    assert runs.tool_calls() == []
    _, staged = runs("--fast", "--staged")
    assert staged["trailing-whitespace"]["cached"]
    assert staged["logger"]["cached"]
    assert (root / "pkg" / "m0.py").read_text() == "VALUE = 'FAIL'   \n"
    write(root / "pkg" / "m0.py", "VALUE = 'FAIL'\n")
    run_git(root, "add", "pkg/m0.py")
    write(root / "pkg" / "m0.py", "VALUE = 100\n")  # as the passing run saw it
    done = run_process(["git-hook", "pre-commit"], root, env={"TOOL_LOG": str(runs.log)})
    assert done.returncode == 1
    assert runs.tool_calls() == [["pkg/m0.py"]]
    _, staged = runs("--fast", "--staged")
    assert staged["logger"]["status"] == "failed"
    assert checked(staged["logger"]) == 1
    assert (root / "pkg" / "m0.py").read_text() == "VALUE = 100\n"


def test_dry_run_says_what_is_cached(runs: Runs) -> None:
    runs("--fast")
    write(runs.root / "pkg" / "m1.py", "VALUE = 10\n")
    done = run_process(["--fast", "--dry-run"], runs.root)
    assert done.returncode == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if " ruff-check " in line)
    assert "2 of 3" in row
    large = next(line for line in done.stdout.splitlines() if " check-large-files " in line)
    assert " of " not in large


@pytest.mark.slow
def test_the_tools_version_is_part_of_its_key(
    tmp_path: Path, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Two real versions of ruff from PyPI in the same place: the second runs every file."""
    from tests.toolvenvs import cached_venv

    first = cached_venv(request.config, tmp_path_factory, "ruff==0.15.16")
    second = cached_venv(request.config, tmp_path_factory, "ruff==0.15.22")
    runs = Runs(python_repo(tmp_path / "repo"), tmp_path / "tool.log")
    venv = runs.root / ".venv"
    venv.symlink_to(first)
    done, _found = runs("--fast", "--hook", "ruff-check")
    assert done.returncode == 0, done.stdout
    _, again = runs("--fast", "--hook", "ruff-check")
    assert again["ruff-check"]["cached"]
    venv.unlink()
    venv.symlink_to(second)
    _, other = runs("--fast", "--hook", "ruff-check")
    assert checked(other["ruff-check"]) == 3


def test_no_cache_imports_nothing_of_the_cache_but_its_location(
    runs: Runs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOOL_LOG", str(runs.log))
    monkeypatch.setenv("CRACKJACK_NO_CACHE", "1")
    done, modules = imported(["--fast"], runs.root)
    assert done.returncode == 0, done.stdout
    cache = {name for name in modules if name.startswith("crackjack.core.cache")}
    assert cache == {"crackjack.core.cache", "crackjack.core.cache.location"}
    monkeypatch.delenv("CRACKJACK_NO_CACHE")
    _, modules = imported(["--fast"], runs.root)
    assert "crackjack.core.cache.step" in modules


def test_a_ruff_configuration_another_extends_is_part_of_ruffs_key(runs: Runs) -> None:
    write(runs.root / "ruff.toml", 'extend = "shared/base.toml"\n')
    write(runs.root / "shared" / "base.toml", '[lint]\nselect = ["F"]\n')
    runs("--fast", "--hook", "ruff-check")
    write(runs.root / "shared" / "base.toml", '[lint]\nselect = ["F", "ERA"]\n')
    _, again = runs("--fast", "--hook", "ruff-check")
    assert checked(again["ruff-check"]) == 3


def test_a_file_a_hooks_arguments_name_is_part_of_its_key(tmp_path: Path) -> None:
    config = hook_table("ruff-check", args=["--config", "cfg/lint.toml"])
    root = python_repo(tmp_path / "repo", config)
    write(root / "cfg" / "lint.toml", '[lint]\nselect = ["F"]\n')
    runs = Runs(root, tmp_path / "tool.log")
    runs("--fast", "--hook", "ruff-check")
    _, same = runs("--fast", "--hook", "ruff-check")
    assert same["ruff-check"]["cached"]
    write(root / "cfg" / "lint.toml", '[lint]\nselect = ["F", "ERA"]\n')
    _, again = runs("--fast", "--hook", "ruff-check")
    assert checked(again["ruff-check"]) == 3


def test_a_projects_cache_inputs_add_to_a_built_in_hooks(tmp_path: Path) -> None:
    config = hook_table("ruff-check", cache_inputs=["extra.toml"])
    runs = Runs(python_repo(tmp_path / "repo", config), tmp_path / "tool.log")
    runs("--fast", "--hook", "ruff-check")
    pyproject = runs.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.ruff.lint]\nselect = ["F", "ERA"]\n')
    _, again = runs("--fast", "--hook", "ruff-check")
    assert checked(again["ruff-check"]) == 3  # pyproject.toml is still part of the key
    write(runs.root / "extra.toml", "x = 1\n")
    _, extra = runs("--fast", "--hook", "ruff-check")
    assert checked(extra["ruff-check"]) == 3


def test_the_user_configuration_under_xdg_config_home_is_part_of_the_key(
    runs: Runs, tmp_path: Path
) -> None:
    xdg = tmp_path / "xdg"
    runs("--fast", "--hook", "ruff-check", env={"XDG_CONFIG_HOME": str(xdg)})
    write(xdg / "ruff" / "ruff.toml", '[lint]\nextend-select = ["ERA001"]\n')
    _, again = runs("--fast", "--hook", "ruff-check", env={"XDG_CONFIG_HOME": str(xdg)})
    assert checked(again["ruff-check"]) == 3


def test_a_whole_program_hook_given_fewer_files_is_keyed_by_every_python_file(
    tmp_path: Path,
) -> None:
    """mypy given main.py follows its import into helper.py."""
    root = python_repo(tmp_path / "repo", hook_table("mypy", files=["pkg/m0.py"]))
    write(root / "pkg" / "m0.py", "from pkg.m1 import f\n\nX: int = f()\n")
    write(root / "pkg" / "m1.py", "def f() -> int:\n    return 1\n")
    write(root / "pkg" / "__init__.py", "")
    commit_all(root)
    runs = Runs(root, tmp_path / "tool.log")
    done, first = runs("--workflow", "standard", "--hook", "mypy")
    assert done.returncode == 0, done.stdout
    assert not first["mypy"]["cached"]
    write(root / "pkg" / "m1.py", "def f() -> str:\n    return ''\n")
    done, again = runs("--workflow", "standard", "--hook", "mypy")
    assert not again["mypy"]["cached"]
    assert done.returncode == 1, done.stdout
