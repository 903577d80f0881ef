"""The installed pre-push hook, run by a real ``git push`` to a real bare remote: it checks the
files of the commits the remote does not have yet, never nothing, and nothing but them (an
untracked file is never pushed, so never checked); deleting a branch checks nothing and says so.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from crackjack.core.errors import CrackjackError
from crackjack.core.git.prepush import RefUpdate, parse_updates
from crackjack.core.valueclass import value
from tests.gitrepo import run_git, write
from tests.project import run_cli
from tests.test_git_hook_mode import Probe, flat, probe_project

pytestmark = pytest.mark.slow


@value(eq=True)
class Pushing:
    """A project with the pre-push hook installed, its bare remote ``origin`` (empty at first)
    and the probe, its only hook."""

    root: Path
    remote: Path
    probe: Probe

    def push(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "push", "-q", "origin", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )

    def pushed(self, *args: str) -> str:
        """Push; it must pass. What crackjack said, with line wrapping undone."""
        done = self.push(*args)
        assert done.returncode == 0, done
        return flat(done.stdout + done.stderr)

    def commit(self, name: str, content: str) -> None:
        write(self.root / name, content)
        run_git(self.root, "add", "--", name)
        run_git(self.root, "commit", "-q", "--no-verify", "-m", name)

    def remote_has(self, branch: str) -> bool:
        refs = run_git(self.remote, "for-each-ref", "--format=%(refname)", "refs/heads")
        return f"refs/heads/{branch}" in refs.split()


@pytest.fixture
def pushing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Pushing:
    root, probe = probe_project(tmp_path, {"a.py": "a = 1\n", "docs/guide.txt": "guide\n"}, "check")
    remote = tmp_path / "remote.git"
    run_git(tmp_path, "init", "-q", "--bare", str(remote))
    run_git(root, "remote", "add", "origin", str(remote))
    installed = run_cli(["install", "--hook-type", "pre-push"], root, monkeypatch, capsys)
    assert installed.code == 0, installed
    write(root / "scratch.py", "BAD, never committed\n")
    return Pushing(root, remote, probe)


def test_the_first_push_checks_every_file_of_the_history(pushing: Pushing) -> None:
    said = pushing.pushed("main")

    assert "crackjack: checking the 3 files of 1 commit not yet on origin" in said
    assert sorted(pushing.probe.seen()) == ["a.py", "docs/guide.txt", "pyproject.toml"]
    assert pushing.remote_has("main")


def test_a_new_branch_checks_the_commits_the_remote_lacks_and_a_failure_stops_it(
    pushing: Pushing,
) -> None:
    pushing.pushed("main")
    pushing.probe.forget()
    run_git(pushing.root, "switch", "-q", "-c", "feature")
    pushing.commit("b.py", "BAD\n")
    pushing.commit("docs/guide.txt", "guide, edited\n")

    refused = pushing.push("feature")

    assert refused.returncode != 0, refused
    assert "checking the 2 files of 2 commits not yet on origin" in flat(refused.stdout)
    assert pushing.probe.seen() == {"b.py": b"BAD\n", "docs/guide.txt": b"guide, edited\n"}
    assert not pushing.remote_has("feature")
    pushing.probe.forget()
    pushing.commit("b.py", "good\n")

    said = pushing.pushed("feature")

    assert "checking the 2 files of 3 commits not yet on origin" in said
    assert sorted(pushing.probe.seen()) == ["b.py", "docs/guide.txt"]
    assert pushing.remote_has("feature")


def test_an_update_of_a_branch_checks_only_its_new_commits(pushing: Pushing) -> None:
    pushing.pushed("main")
    pushing.probe.forget()
    pushing.commit("c.py", "c = 1\n")

    said = pushing.pushed("main")

    assert "checking the 1 file of 1 commit not yet on origin" in said
    assert sorted(pushing.probe.seen()) == ["c.py"]


def test_deleting_a_branch_checks_nothing_and_says_so(pushing: Pushing) -> None:
    pushing.pushed("main", "main:refs/heads/old")
    pushing.probe.forget()

    said = pushing.pushed("--delete", "old")

    assert said == "crackjack: deleting refs/heads/old on origin: nothing to check"
    assert pushing.probe.calls() == []
    assert not pushing.remote_has("old")


def test_a_push_of_commits_the_remote_has_says_there_is_nothing_to_check(
    pushing: Pushing,
) -> None:
    pushing.pushed("main")
    pushing.probe.forget()

    said = pushing.pushed("main:refs/heads/copy")

    assert said == "crackjack: nothing to check: every commit being pushed is already on origin"
    assert pushing.probe.calls() == []
    assert pushing.remote_has("copy")


def test_gits_input_is_read_line_by_line_and_a_bad_line_refused() -> None:
    new, old, zero = "1" * 40, "2" * 40, "0" * 40
    updates = parse_updates(
        f"refs/heads/a {new} refs/heads/a {old}\n(delete) {zero} refs/heads/b {old}\n"
    )
    assert updates == (
        RefUpdate("refs/heads/a", new, "refs/heads/a", old),
        RefUpdate("(delete)", zero, "refs/heads/b", old),
    )
    assert [update.deletes for update in updates] == [False, True]
    with pytest.raises(CrackjackError, match="cannot read git's pre-push input line 'HEAD x'"):
        parse_updates("HEAD x\n")
