"""What crackjack says when something other than a hook gets in its way: a checkout that fails
half-way, a file changed during the run by another program, a run killed before it recorded what
the hooks were given, a read-only checkout. Real files, real processes, real git, a real
read-only mount."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.gitrepo import commit_all, write
from tests.project import PYTHON, crackjack_env, hook_table, make_project, run_cli
from tests.repostate import RepoState, assert_only_changed
from tests.test_git_hook_mode import (
    BUILTINS_OFF,
    LINES,
    PROBE,
    STAGED,
    UNSTAGED,
    Probe,
    Processes,
    assert_no_recovery_data,
    finish,
    flat,
    git_dir,
    one_line_refusal,
    partially_staged,
    probe_project,
    processes,
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


# --- files changed during the run, not by a hook --------------------------------------------

__all__ = ["processes"]  # the fixture, used here


def python_only_probe(tmp_path: Path, action: str) -> tuple[Path, Probe]:
    """``probe_project`` whose probe gets only the ``*.py`` files: ``notes.txt`` is hidden
    with the rest, and no hook ever gets it."""
    probe = Probe(tmp_path / "probe")
    probe.box.mkdir()
    (probe.box / "probe.py").write_text(PROBE)
    probe.act(action)
    config = BUILTINS_OFF + hook_table(
        "probe",
        command=[PYTHON, str(probe.box / "probe.py"), str(probe.box)],
        phase="fast",
        fixer=True,
        dashdash=True,
        files=["*.py"],
    )
    files = {"f.py": LINES, "notes.txt": LINES}
    root = make_project(tmp_path / "repo", files, config=config, git=True)
    commit_all(root)
    partially_staged(root, "f.py")
    partially_staged(root, "notes.txt")
    return root, probe


@pytest.mark.parametrize(
    ("written", "kept", "said"),
    [
        (
            STAGED + b"another program\n",  # the same place as the user's edit: a conflict
            UNSTAGED,
            r"notes\.txt changed during the run, not by a hook, and conflicted with your unstaged"
            r" changes: your version is kept; the other content is in (\S+)",
        ),
        (
            STAGED.replace(b"fixme", b"another"),  # far from the user's edit: merged
            UNSTAGED.replace(b"fixme", b"another"),
            r"changes made to notes\.txt during the run, not by a hook, were merged with your"
            r" unstaged changes: review them before committing",
        ),
    ],
    ids=["conflict", "merge"],
)
def test_a_file_another_program_changed_during_the_run_is_not_called_a_hook_fix(
    written: bytes, kept: bytes, said: str, tmp_path: Path, processes: Processes
) -> None:
    root, probe = python_only_probe(tmp_path, "hang")
    before = RepoState.take(root)
    proc = processes.start(["git-hook", "pre-commit"], root)
    hook_pid = probe.wait_until_hanging(proc)
    processes.pids.append(hook_pid)
    write(root / "notes.txt", written)
    probe.release()

    code, out, err = finish(proc)

    assert code == 0, (out, err)
    assert probe.seen() == {"f.py": STAGED}
    found = re.search(said, flat(out))
    assert found, out
    assert "hook fixes" not in out
    assert "fixes of hooks" not in out
    assert_only_changed(before, RepoState.take(root), {"notes.txt": kept})
    if found.groups():
        assert (Path(found[1]) / "notes.txt").read_bytes() == written
    assert_no_recovery_data(root)


def kill_before_the_base_is_recorded(root: Path) -> subprocess.CompletedProcess[str]:
    """``crackjack --staged`` killed (SIGKILL, by strace) at the rename that would record what
    the hooks were given (``base.json``), after the checkout. Where that rename falls is
    counted first, in a run strace only watches (it puts everything back)."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed: it injects the SIGKILL")
    renames = "rename,renameat,renameat2"
    log = root.parent / "renames.log"

    strace = ("strace", "-qq", "-e", "signal=none", "-o", str(log), "-e", f"trace={renames}")

    def traced(*options: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*strace, *options, PYTHON, "-m", "crackjack", "--staged"],
            cwd=root,
            env=crackjack_env(),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )

    before = RepoState.take(root)
    counted = traced()
    if counted.returncode != 0 or "Operation not permitted" in counted.stderr:
        pytest.skip(f"strace cannot trace here: {counted.stderr.strip()}")
    assert_only_changed(before, RepoState.take(root))
    calls = [line for line in log.read_text().splitlines() if line.startswith("rename")]
    # the next run reads back the command line and the settings this one cached: no rename
    calls = [
        call for call in calls if "argv.json" not in call and "/crackjack/settings/" not in call
    ]
    when = next(n for n, call in enumerate(calls, 1) if '/base.json"' in call)
    return traced("-e", f"inject={renames}:signal=SIGKILL:when={when}")


def test_a_run_killed_before_it_recorded_the_hooks_base_says_so_on_recover(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = probe_project(tmp_path, {"f.py": LINES}, "record")
    partially_staged(root, "f.py")
    before = RepoState.take(root)

    killed = kill_before_the_base_is_recorded(root)

    assert killed.returncode in (-9, 128 + 9), killed
    recovery = git_dir(root) / "crackjack" / "recovery"
    assert (recovery / "state.json").is_file()
    assert not (recovery / "base.json").exists()
    assert (root / "f.py").read_bytes() == STAGED
    recovered = run_cli(["recover"], root, monkeypatch, capsys)
    assert recovered.code == 0, recovered
    found = re.search(
        r"crackjack: nothing recorded what the hooks were given of f\.py \(the run stopped before"
        r" it was written, or it could not be written\): what was there is kept in (\S+), and"
        r" your version is back",
        flat(recovered.out),
    )
    assert found, recovered.out
    assert "hook" not in flat(recovered.out).replace("what the hooks were given", "")
    assert (Path(found[1]) / "f.py").read_bytes() == STAGED
    assert_only_changed(before, RepoState.take(root))
    assert_no_recovery_data(root)
