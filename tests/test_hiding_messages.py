"""What git-hook mode says when something other than a hook gets in its way (issue 12, point 8):
a checkout that fails half-way, a file changed during the run by another program, a run killed
before it recorded what the hooks were given. Real files, real processes, real git."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.project import run_cli
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
