"""What crackjack says when something other than a hook gets in its way: a checkout that fails
half-way, a file changed during the run by another program, a run killed before it recorded what
the hooks were given, a read-only checkout. Real files, real processes, real git, a real
read-only mount."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.project import PYTHON, crackjack_env, run_cli
from tests.repostate import RepoState, assert_only_changed
from tests.test_git_hook_mode import (
    LINES,
    assert_no_recovery_data,
    git_dir,
    one_line_refusal,
    partially_staged,
    probe_project,
)


@contextmanager
def unreplaceable(path: Path) -> Iterator[str]:
    """``path`` cannot be replaced for real while the block runs: immutable (``chattr +i``) as
    root, else in a folder without write permission. Yields the reason the OS gives."""
    if os.geteuid() != 0:
        path.parent.chmod(0o555)
        try:
            yield "Permission denied"
        finally:
            path.parent.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], check=False).returncode:
        pytest.skip("running as root and this file system has no immutable files (chattr +i)")
    try:
        yield "Operation not permitted"
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


@pytest.mark.parametrize("command", [["--staged"], ["git-hook", "pre-commit"]])
def test_a_checkout_that_fails_half_way_says_the_changes_were_put_back(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, probe = probe_project(tmp_path, {"a.py": LINES, "locked/b.py": LINES})
    partially_staged(root, "a.py")
    partially_staged(root, "locked/b.py")
    before = RepoState.take(root)

    with unreplaceable(root / "locked" / "b.py") as reason:
        result = run_cli(command, root, monkeypatch, capsys)

    one_line_refusal(
        result,
        2,
        "could not hide the unstaged changes: git checkout-index failed (unable to unlink old"
        f" 'locked/b.py': {reason}); the hooks did not run and every unstaged change was put back"
        " as it was",
    )
    assert probe.calls() == []
    assert_only_changed(before, RepoState.take(root))
    assert_no_recovery_data(root)
    assert not (git_dir(root) / "crackjack" / "dropped").exists()


@contextmanager
def read_only(root: Path) -> Iterator[list[str]]:
    """The command line prefix that runs a program with ``root`` read-only: as root, a
    read-only bind mount in a private mount namespace; else the git folder made unwritable."""
    if os.geteuid() != 0:
        git_folder = root / ".git"
        git_folder.chmod(0o555)
        try:
            yield []
        finally:
            git_folder.chmod(0o755)
        return
    remount = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'
    prefix = ["unshare", "-m", "sh", "-c", remount, str(root)]
    if shutil.which("unshare") is None or subprocess.run([*prefix, "true"], check=False).returncode:
        pytest.skip("running as root without private mount namespaces (unshare -m)")
    yield prefix


def run_read_only(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    with read_only(root) as prefix:
        return subprocess.run(
            [*prefix, PYTHON, "-m", "crackjack", *args],
            cwd=root,
            env=crackjack_env(),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )


def test_a_check_only_run_works_in_a_read_only_checkout_without_the_lock(tmp_path: Path) -> None:
    root, probe = probe_project(tmp_path, {"a.py": LINES}, "record")
    before = RepoState.take(root)

    done = run_read_only(root, "--ci", "--fast")

    assert done.returncode == 0, done
    lock = git_dir(root) / "crackjack" / "run.lock"
    lines = [line for line in done.stdout.splitlines() if "lock" in line]
    assert lines == [
        f"crackjack: cannot open the lock file {lock}: {LOCK_PROBLEM[os.geteuid() == 0]}: running"
        " without it (this check-only run writes nothing)"
    ], done.stdout
    assert done.stderr == ""
    assert sorted(probe.seen()) == ["a.py", "pyproject.toml"]
    assert_only_changed(before, RepoState.take(root))


LOCK_PROBLEM = {True: "Read-only file system", False: "Permission denied"}


@pytest.mark.parametrize("args", [["--fast"], ["--ci", "--staged"], ["git-hook", "pre-commit"]])
def test_a_run_that_may_write_refuses_a_read_only_checkout(tmp_path: Path, args: list[str]) -> None:
    root, probe = probe_project(tmp_path, {"a.py": LINES}, "record")
    partially_staged(root, "a.py")
    before = RepoState.take(root)

    done = run_read_only(root, *args)

    lock = git_dir(root) / "crackjack" / "run.lock"
    assert (done.returncode, done.stdout) == (2, ""), done
    assert done.stderr == (
        f"crackjack: cannot open the lock file {lock}: {LOCK_PROBLEM[os.geteuid() == 0]}: a run"
        " that may change files needs it; a check-only run (--ci, without --staged) works"
        " without it\n"
    )
    assert probe.calls() == []
    assert_only_changed(before, RepoState.take(root))
