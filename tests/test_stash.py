"""Hiding unstaged changes while hooks run: every test takes a snapshot of the whole repository
before and after (``tests.repostate``) and proves that nothing but the intended changes
happened, in real git repositories."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from crackjack.core.errors import RepositoryStateError
from crackjack.core.git.hiding import unstaged_changes_hidden
from crackjack.core.git.recoverydata import (
    PATCH_NAME,
    RECOVER_COMMAND,
    RecoveryDataDamaged,
    RestoreFailed,
    SaveFailed,
    UnfinishedRun,
)
from crackjack.core.git.restore import recover
from crackjack.core.git.unfinished import check_no_unfinished_run
from crackjack.core.git.worktree import RECOVERY_REF as MAIN_REF
from crackjack.core.git.worktree import find_work_tree
from tests.gitrepo import commit_all, make_repo, run_git, write
from tests.repostate import Entry, RepoState, assert_only_changed, crackjack_refs

LINES = b"".join(b"%d\n" % number for number in range(1, 11))
"""Ten lines: edits at the top and at the bottom do not overlap."""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = make_repo(tmp_path / "repo")
    write(path / "f.py", LINES)
    write(path / "other.txt", "other\n")
    commit_all(path)
    return path


def git_dir(repo: Path) -> Path:
    return Path(run_git(repo, "rev-parse", "--absolute-git-dir").strip())


def stage(repo: Path, name: str, content: bytes | str) -> None:
    write(repo / name, content)
    run_git(repo, "--literal-pathspecs", "add", "--", name)


def index_bytes(repo: Path) -> bytes:
    """The raw index file, stat data included: "the index is exactly as before"."""
    return (git_dir(repo) / "index").read_bytes()


def assert_no_recovery_data(repo: Path) -> None:
    assert not (git_dir(repo) / "crackjack" / "recovery").exists()
    assert crackjack_refs(repo) == []


def staged(repo: Path, name: str) -> bytes:
    """The index content of ``name`` as ``git checkout-index`` would write it."""
    return subprocess.run(
        ["git", "--literal-pathspecs", "cat-file", "--filters", f":{name}"],
        cwd=repo,
        check=True,
        capture_output=True,
    ).stdout


def test_nothing_unstaged_hides_nothing_and_writes_nothing(repo: Path) -> None:
    stage(repo, "f.py", LINES + b"staged\n")
    write(repo / "untracked.txt", "u\n")
    before = RepoState.take(repo)

    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        assert hidden.files == ()
        assert hidden.recovery_dir is None
        assert not (git_dir(repo) / "crackjack").exists()

    assert hidden.rolled_back == hidden.merged == ()
    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)
    check_no_unfinished_run(find_work_tree(repo))


def test_partially_staged_file_is_hidden_and_given_back_byte_for_byte(repo: Path) -> None:
    stage(repo, "f.py", b"staged\n" + LINES)
    write(repo / "f.py", b"staged\n" + LINES + b"unstaged\n")
    write(repo / "other.txt", "unstaged only\n")
    os.chmod(repo / "other.txt", 0o600)
    before, index = RepoState.take(repo), index_bytes(repo)

    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        assert hidden.files == ("f.py", "other.txt")
        assert (repo / "f.py").read_bytes() == b"staged\n" + LINES
        assert (repo / "other.txt").read_bytes() == b"other\n"
        assert hidden.recovery_dir == git_dir(repo) / "crackjack" / "recovery"
        assert crackjack_refs(repo) == [MAIN_REF]
        state = json.loads((hidden.recovery_dir / "state.json").read_bytes())
        assert [item["path"] for item in state["files"]] == ["f.py", "other.txt"]
        assert state["pid"] == os.getpid()
        # the patch applies to what the hooks see: a person could recover with it
        run_git(repo, "apply", "--check", str(hidden.recovery_dir / PATCH_NAME))
        assert_only_changed(
            before,
            RepoState.take(repo),
            {"f.py": b"staged\n" + LINES, "other.txt": Entry("file", 0o644, b"other\n")},
        )

    assert hidden.restored
    assert hidden.merged == hidden.rolled_back == ()
    assert_only_changed(before, RepoState.take(repo))
    assert index_bytes(repo) == index
    assert_no_recovery_data(repo)


def test_fixer_edit_that_does_not_conflict_is_merged_with_the_users(repo: Path) -> None:
    stage(repo, "f.py", LINES.replace(b"1\n", b"one \n", 1))
    write(repo / "f.py", LINES.replace(b"1\n", b"one \n", 1) + b"11\n")
    before, index = RepoState.take(repo), index_bytes(repo)

    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        write(repo / "f.py", LINES.replace(b"1\n", b"one\n", 1))  # strips the whitespace

    assert hidden.merged == ("f.py",)
    assert hidden.rolled_back == ()
    assert hidden.dropped_dir is None
    merged = LINES.replace(b"1\n", b"one\n", 1) + b"11\n"
    assert_only_changed(before, RepoState.take(repo), {"f.py": merged})
    assert index_bytes(repo) == index
    assert_no_recovery_data(repo)


def test_fixer_edit_that_conflicts_is_rolled_back_and_the_users_edit_kept(repo: Path) -> None:
    stage(repo, "f.py", LINES + b"staged \n")
    write(repo / "f.py", LINES + b"staged and then edited \n")
    before = RepoState.take(repo)

    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        write(repo / "f.py", LINES + b"staged\n")

    assert hidden.rolled_back == ("f.py",)
    assert hidden.merged == ()
    assert_only_changed(before, RepoState.take(repo))
    assert hidden.dropped_dir is not None
    assert (hidden.dropped_dir / "f.py").read_bytes() == LINES + b"staged\n"
    assert_no_recovery_data(repo)


def test_intent_to_add_files_are_left_alone(repo: Path) -> None:
    write(repo / "new.py", "precious new work\n")
    write(repo / "gone.py", "added with -N, then deleted\n")
    run_git(repo, "add", "-N", "new.py", "gone.py")
    (repo / "gone.py").unlink()
    stage(repo, "f.py", LINES + b"staged \n")
    write(repo / "f.py", LINES + b"user \n")
    before = RepoState.take(repo)
    assert before.index[b"new.py"][0].flags & (1 << 29)

    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        assert hidden.files == ("f.py",)
        assert (repo / "new.py").read_text() == "precious new work\n"
        assert not (repo / "gone.py").exists()
        snapshot = run_git(repo, "show", f"{MAIN_REF}:new.py")
        assert snapshot == "precious new work\n"
        write(repo / "f.py", LINES + b"fixer\n")  # conflicts: rolled back

    assert hidden.rolled_back == ("f.py",)
    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)


def test_binary_files_are_restored_exactly_and_never_merged(repo: Path) -> None:
    stage(repo, "image.bin", bytes(range(256)) * 4)
    commit_all(repo)
    stage(repo, "image.bin", b"\0staged" + bytes(range(256)))
    write(repo / "image.bin", b"\0unstaged" + bytes(range(255, -1, -1)))
    write(repo / "untouched.bin", b"\0\1\2")
    run_git(repo, "add", "untouched.bin")
    write(repo / "untouched.bin", b"\0\1\2\3")
    before = RepoState.take(repo)

    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        assert (repo / "image.bin").read_bytes() == b"\0staged" + bytes(range(256))
        assert hidden.recovery_dir is not None
        assert b"GIT binary patch" in (hidden.recovery_dir / PATCH_NAME).read_bytes()
        write(repo / "image.bin", b"\0fixed by a hook")

    assert hidden.rolled_back == ("image.bin",)
    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)


@pytest.mark.parametrize("autocrlf", ["true", "input", "false"])
def test_crlf_files_keep_their_line_endings(tmp_path: Path, autocrlf: str) -> None:
    repo = make_repo(tmp_path / "repo")
    run_git(repo, "config", "core.autocrlf", autocrlf)
    crlf = LINES.replace(b"\n", b"\r\n")
    write(repo / "f.txt", crlf)
    write(repo / "mixed.txt", b"a\r\nb\r\n")
    commit_all(repo)
    for name in ("f.txt", "mixed.txt"):  # what a checkout gives in this configuration
        (repo / name).unlink()
        run_git(repo, "checkout", "--", name)
    checked_out = (repo / "f.txt").read_bytes()
    stage(repo, "f.txt", checked_out.replace(b"1", b"one ", 1))
    write(repo / "f.txt", checked_out.replace(b"1", b"one ", 1) + b"11\r\n")
    write(repo / "mixed.txt", b"a\r\nb\nc\r\nd")
    before = RepoState.take(repo)

    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        assert set(hidden.files) == {"f.txt", "mixed.txt"}
        assert (repo / "f.txt").read_bytes() == staged(repo, "f.txt")
        write(repo / "f.txt", (repo / "f.txt").read_bytes().replace(b"one ", b"one"))

    assert hidden.merged == ("f.txt",)
    expected = checked_out.replace(b"1", b"one", 1) + b"11\r\n"
    assert_only_changed(before, RepoState.take(repo), {"f.txt": expected})
    assert_no_recovery_data(repo)


def test_submodules_are_never_touched_even_with_submodule_recurse(tmp_path: Path) -> None:
    origin = make_repo(tmp_path / "origin")
    write(origin / "s.txt", "v1\n")
    commit_all(origin)
    first = run_git(origin, "rev-parse", "HEAD").strip()
    write(origin / "s.txt", "v2\n")
    commit_all(origin)
    repo = make_repo(tmp_path / "repo")
    write(repo / "f.py", LINES)
    run_git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(origin), "sub")
    commit_all(repo)
    run_git(repo, "config", "submodule.recurse", "true")
    sub = repo / "sub"
    run_git(sub, "checkout", "-q", first)  # an unstaged submodule change
    write(sub / "s.txt", "dirty inside the submodule\n")
    write(sub / "untracked.txt", "u\n")
    write(repo / "f.py", LINES + b"unstaged\n")
    before, sub_before = RepoState.take(repo), RepoState.take(sub)

    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        assert hidden.files == ("f.py",)
        assert_only_changed(sub_before, RepoState.take(sub))

    assert_only_changed(before, RepoState.take(repo))
    assert_only_changed(sub_before, RepoState.take(sub))
    assert_no_recovery_data(repo)


def test_repository_without_commits(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    stage(repo, "f.py", LINES)
    stage(repo, "deleted.py", "x\n")
    write(repo / "f.py", LINES + b"unstaged\n")
    (repo / "deleted.py").unlink()
    before = RepoState.take(repo)

    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        assert hidden.files == ("deleted.py", "f.py")
        assert (repo / "f.py").read_bytes() == LINES
        assert (repo / "deleted.py").read_text() == "x\n"
        parents = run_git(repo, "rev-list", "--parents", "-n1", MAIN_REF).split()
        assert len(parents) == 1  # a root commit

    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)


def test_the_index_in_git_index_file_is_the_one_used(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``git commit f.py`` runs the hook with GIT_INDEX_FILE naming a temporary index made of
    HEAD plus f.py; other.txt's change is unstaged relative to it, whatever .git/index says."""
    write(repo / "f.py", LINES + b"to commit\n")
    stage(repo, "other.txt", "staged in the real index only\n")
    write(repo / "other.txt", "and edited again\n")
    temporary = tmp_path / "next-index"
    env = {**os.environ, "GIT_INDEX_FILE": str(temporary)}
    subprocess.run(["git", "read-tree", "HEAD"], cwd=repo, env=env, check=True)
    subprocess.run(["git", "add", "f.py"], cwd=repo, env=env, check=True)
    monkeypatch.setenv("GIT_INDEX_FILE", str(temporary))
    real_index = git_dir(repo) / "index"
    before = RepoState.take(repo)
    real_before = RepoState.take(repo, index_file=real_index)
    raw = real_index.read_bytes(), temporary.read_bytes()

    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        assert hidden.files == ("other.txt",)
        assert (repo / "f.py").read_bytes() == LINES + b"to commit\n"
        assert (repo / "other.txt").read_text() == "other\n"  # HEAD's, as in the temporary index

    assert_only_changed(before, RepoState.take(repo))
    assert_only_changed(real_before, RepoState.take(repo, index_file=real_index))
    assert (real_index.read_bytes(), temporary.read_bytes()) == raw
    assert_no_recovery_data(repo)


HOOK = """\
import json, sys
from pathlib import Path
from crackjack.core.git.hiding import unstaged_changes_hidden
from crackjack.core.git.worktree import find_work_tree
with unstaged_changes_hidden(find_work_tree(Path.cwd())) as hidden:
    seen = {name: Path(name).read_text() for name in ("f.py", "other.txt")}
Path(sys.argv[1]).write_text(json.dumps({"hidden": list(hidden.files), "seen": seen}))
"""


@pytest.mark.parametrize("how", [["-a"], ["--", "f.py"], []])
def test_inside_a_real_git_commit(repo: Path, tmp_path: Path, how: list[str]) -> None:
    """A pre-commit hook that hides changes sees exactly what ``git commit`` commits."""
    report = tmp_path / "seen.json"
    hook = git_dir(repo) / "hooks" / "pre-commit"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(f"#!/bin/sh\nexec {sys.executable} -c '{HOOK}' {report}\n")
    hook.chmod(0o755)
    stage(repo, "f.py", LINES + b"staged\n")
    write(repo / "f.py", LINES + b"staged\nunstaged\n")
    write(repo / "other.txt", "unstaged\n")
    worktree_before = RepoState.take(repo).worktree

    run_git(repo, "commit", "-q", "-m", "via hook", *how)

    seen = json.loads(report.read_text())
    committed = {name: run_git(repo, "show", f"HEAD:{name}") for name in ("f.py", "other.txt")}
    assert seen["seen"] == committed
    expected_hidden = {"-a": [], "--": ["other.txt"]}.get(
        how[0] if how else "", ["f.py", "other.txt"]
    )
    assert seen["hidden"] == expected_hidden
    assert RepoState.take(repo).worktree == worktree_before
    assert_no_recovery_data(repo)


def test_unstaged_deletions_are_hidden_and_deleted_again(repo: Path) -> None:
    write(repo / "folder" / "a.py", "a\n")
    write(repo / "folder" / "deep" / "b.py", "b\n")
    write(repo / "lone.py", "lone\n")
    write(repo / "empty.py", "")
    commit_all(repo)
    for name in ("empty.py", "folder/a.py", "folder/deep/b.py", "lone.py"):
        (repo / name).unlink()
    (repo / "folder" / "deep").rmdir()
    (repo / "folder").rmdir()
    before = RepoState.take(repo)

    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        assert hidden.files == ("empty.py", "folder/a.py", "folder/deep/b.py", "lone.py")
        assert (repo / "folder" / "deep" / "b.py").read_text() == "b\n"
        assert (repo / "empty.py").read_text() == ""
        write(repo / "lone.py", "a hook fixed a file the user deleted\n")
        os.symlink("lone.py", repo / "empty.py.tmp")
        os.replace(repo / "empty.py.tmp", repo / "empty.py")  # and made a symlink of another

    assert hidden.rolled_back == ("empty.py", "lone.py")
    assert hidden.dropped_dir is not None
    assert os.readlink(hidden.dropped_dir / "empty.py") == "lone.py"
    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)


AWKWARD = [
    "with space.py",
    "ünïcödé ☃.txt",
    "new\nline.txt",
    "-leading-dash",
    "--",
    "*glob[1]?.txt",
    ":(top)magic",
    'quote"back\\slash',
    os.fsdecode(b"latin-1-\xe9.txt"),
    "sub dir/-x.py",
]


def test_awkward_file_names(repo: Path) -> None:
    for name in AWKWARD:
        stage(repo, name, "committed\n")
    commit_all(repo)
    for name in AWKWARD:
        stage(repo, name, "staged\n")
        write(repo / name, "staged\nunstaged\n")
    before = RepoState.take(repo)

    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        assert sorted(hidden.files) == sorted(AWKWARD)
        for name in AWKWARD:
            assert (repo / name).read_text() == "staged\n", name

    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)


def test_modes_symlinks_and_type_changes(repo: Path) -> None:
    os.symlink("other.txt", repo / "link")
    write(repo / "script.sh", "#!/bin/sh\n")
    commit_all(repo)
    os.chmod(repo / "script.sh", 0o755)  # unstaged mode change
    (repo / "link").unlink()
    os.symlink("f.py", repo / "link")  # retargeted
    (repo / "other.txt").unlink()
    os.symlink("/nowhere", repo / "other.txt")  # a file became a symlink
    before = RepoState.take(repo)

    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        assert hidden.files == ("link", "other.txt", "script.sh")
        assert os.readlink(repo / "link") == "other.txt"
        assert (repo / "other.txt").read_text() == "other\n"
        assert not os.access(repo / "script.sh", os.X_OK)

    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)


KILL = """\
import json, os, signal, sys
from pathlib import Path
from crackjack.core.git.hiding import unstaged_changes_hidden
from crackjack.core.git.worktree import find_work_tree
repo = Path(sys.argv[1])
with unstaged_changes_hidden(find_work_tree(repo)):
    for name, content in json.loads(sys.argv[2]).items():
        (repo / name).write_text(content)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def kill_while_hidden(repo: Path, fixer_edits: dict[str, str] | None = None) -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILL, str(repo), json.dumps(fixer_edits or {})],
        cwd=repo,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()


def unfinished_work(repo: Path) -> None:
    stage(repo, "f.py", LINES + b"staged\n")
    write(repo / "f.py", LINES + b"staged\nunstaged\n")
    write(repo / "new\nline ☃.txt", "x\n")
    commit_all(repo)
    write(repo / "new\nline ☃.txt", "edited\n")
    (repo / "other.txt").unlink()
    stage(repo, "f.py", LINES + b"staged\n")
    write(repo / "f.py", LINES + b"staged\nunstaged\n")


def test_sigkill_while_hidden_leaves_recovery_data_and_recover_restores_it(repo: Path) -> None:
    unfinished_work(repo)
    before = RepoState.take(repo)

    kill_while_hidden(repo)

    recovery = git_dir(repo) / "crackjack" / "recovery"
    assert (recovery / "state.json").is_file()
    assert crackjack_refs(repo) == [MAIN_REF]
    assert (repo / "f.py").read_bytes() == LINES + b"staged\n"  # still hidden
    with pytest.raises(UnfinishedRun) as raised:
        check_no_unfinished_run(find_work_tree(repo))
    message = str(raised.value)
    assert f"`{RECOVER_COMMAND}`" in message
    assert str(recovery) in message
    assert MAIN_REF in message
    with pytest.raises(UnfinishedRun), unstaged_changes_hidden(find_work_tree(repo)):
        pytest.fail("must not hide again over an unfinished run")

    report = recover(find_work_tree(repo))

    assert report is not None
    assert report.recovery_dir == recovery
    assert sorted(report.files) == sorted(["f.py", "new\nline ☃.txt", "other.txt"])
    assert report.rolled_back == report.merged == ()
    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)
    check_no_unfinished_run(find_work_tree(repo))
    again = recover(find_work_tree(repo))
    assert again is None
    assert_only_changed(before, RepoState.take(repo))


def test_recover_merges_or_saves_what_a_hook_did_before_the_kill(repo: Path) -> None:
    unfinished_work(repo)
    before = RepoState.take(repo)
    fixes = {"f.py": (LINES + b"staged\n").replace(b"1\n", b"one\n", 1).decode(), "other.txt": "!"}

    kill_while_hidden(repo, fixes)
    report = recover(find_work_tree(repo))

    assert report is not None
    assert report.merged == ("f.py",)
    assert report.rolled_back == ("other.txt",)  # the user had deleted it
    assert report.dropped_dir is not None
    assert (report.dropped_dir / "other.txt").read_text() == "!"
    merged = (LINES + b"staged\nunstaged\n").replace(b"1\n", b"one\n", 1)
    assert_only_changed(before, RepoState.take(repo), {"f.py": merged})
    assert_no_recovery_data(repo)


def test_recover_is_idempotent_after_an_interrupted_recover(repo: Path) -> None:
    unfinished_work(repo)
    before = RepoState.take(repo)
    kill_while_hidden(repo)
    write(repo / "f.py", LINES + b"staged\nunstaged\n")  # as if recover had done this file

    recover(find_work_tree(repo))

    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)


def _no_folder_for_recovery_data(repo: Path) -> None:
    """An OSError on the first write, as a full disk or a read-only .git would give."""
    (git_dir(repo) / "crackjack").write_text("a file where crackjack wants a folder\n")


def _snapshot_fails(repo: Path) -> None:
    """A git error late in the saving, after the copies and the patch: a required clean filter
    that fails only when a separate index is in use (the snapshot's ``git add -u``)."""
    write(repo / ".gitattributes", "*.py filter=picky\n")
    commit_all(repo)
    run_git(repo, "config", "filter.picky.clean", 'test -z "$GIT_INDEX_FILE" && cat')
    run_git(repo, "config", "filter.picky.required", "true")


def _ref_cannot_be_written(repo: Path) -> None:
    run_git(repo, "update-ref", f"{MAIN_REF}/blocker", "HEAD")


def _state_cannot_be_written(repo: Path) -> None:
    """The last step fails, after the snapshot ref was written: it must be deleted again."""
    (git_dir(repo) / "crackjack" / "recovery" / "state.json").mkdir(parents=True)


@pytest.mark.parametrize(
    "breakage",
    [
        _no_folder_for_recovery_data,
        _snapshot_fails,
        _ref_cannot_be_written,
        _state_cannot_be_written,
    ],
)
def test_failing_to_write_recovery_data_changes_nothing(
    repo: Path, breakage: Callable[[Path], None]
) -> None:
    breakage(repo)
    refs = crackjack_refs(repo)
    write(repo / "f.py", LINES + b"unstaged\n")
    before = RepoState.take(repo)

    with (
        pytest.raises(SaveFailed, match="nothing was hidden or changed"),
        unstaged_changes_hidden(find_work_tree(repo)),
    ):
        pytest.fail("the body must not run")

    assert_only_changed(before, RepoState.take(repo))
    assert crackjack_refs(repo) == refs
    assert not (git_dir(repo) / "crackjack" / "recovery").exists()


def make_a_folder_of(path: Path) -> None:
    path.unlink()
    write(path / "inside", "a hook made a folder of it\n")


def test_a_restore_that_fails_keeps_the_recovery_data(repo: Path) -> None:
    write(repo / "f.py", LINES + b"unstaged\n")
    before = RepoState.take(repo)

    with (
        pytest.raises(RestoreFailed, match=RECOVER_COMMAND),
        unstaged_changes_hidden(find_work_tree(repo)),
    ):
        make_a_folder_of(repo / "f.py")

    assert crackjack_refs(repo) == [MAIN_REF]
    with pytest.raises(UnfinishedRun):
        check_no_unfinished_run(find_work_tree(repo))
    (repo / "f.py" / "inside").unlink()
    (repo / "f.py").rmdir()
    recover(find_work_tree(repo))
    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)


def test_an_error_in_the_body_still_restores(repo: Path) -> None:
    write(repo / "f.py", LINES + b"unstaged\n")
    before = RepoState.take(repo)

    with pytest.raises(KeyboardInterrupt), unstaged_changes_hidden(find_work_tree(repo)):
        raise KeyboardInterrupt

    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)


def test_unmerged_paths_are_refused(repo: Path) -> None:
    run_git(repo, "checkout", "-q", "-b", "side")
    write(repo / "f.py", "side\n")
    commit_all(repo)
    run_git(repo, "checkout", "-q", "main")
    write(repo / "f.py", "main\n")
    commit_all(repo)
    subprocess.run(["git", "merge", "-q", "side"], cwd=repo, capture_output=True, check=False)
    write(repo / "other.txt", "unstaged\n")
    before = RepoState.take(repo)

    with pytest.raises(RepositoryStateError, match=re.escape("unmerged paths in")):
        unstaged_changes_hidden(find_work_tree(repo)).__enter__()

    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)


@pytest.mark.parametrize("shape", ["folder at file", "file at folder", "symlink at folder"])
def test_refuses_when_hiding_would_delete_untracked_work(repo: Path, shape: str) -> None:
    write(repo / "pkg" / "mod.py", "tracked\n")
    commit_all(repo)
    write(repo / "f.py", LINES + b"unstaged\n")
    if shape == "folder at file":
        (repo / "other.txt").unlink()
        write(repo / "other.txt" / "precious", "untracked work\n")
    else:
        (repo / "pkg" / "mod.py").unlink()
        (repo / "pkg").rmdir()
        if shape == "file at folder":
            write(repo / "pkg", "untracked work\n")
        else:
            os.symlink("/", repo / "pkg")
    before = RepoState.take(repo)

    with pytest.raises(RepositoryStateError, match="would delete it"):
        unstaged_changes_hidden(find_work_tree(repo)).__enter__()

    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)


def test_user_configuration_cannot_change_what_is_saved_or_restored(repo: Path) -> None:
    hooks = repo.parent / "hooks"
    write(hooks / "post-index-change", "#!/bin/sh\nexit 1\n").chmod(0o755)
    write(repo / ".gitattributes", "*.py diff=weird\n")
    commit_all(repo)
    for key, value in {
        "diff.external": "false",
        "diff.weird.textconv": "false",
        "diff.noprefix": "true",
        "diff.mnemonicPrefix": "true",
        "diff.relative": "true",
        "diff.renames": "copies",
        "diff.ignoreSubmodules": "none",
        "color.ui": "always",
        "core.quotepath": "true",
        "apply.whitespace": "fix",
        "merge.conflictStyle": "zdiff3",
        "core.hooksPath": str(hooks),
        "commit.gpgSign": "true",
        "gpg.program": "false",
        "core.splitIndex": "true",
        "submodule.recurse": "true",
    }.items():
        run_git(repo, "config", key, value)
    stage(repo, "f.py", LINES.replace(b"1\n", b"one \n", 1))
    write(repo / "f.py", LINES.replace(b"1\n", b"one \n", 1) + b"11 \n")
    write(repo / "ü other.txt", "new\n")
    run_git(repo, "add", "ü other.txt")
    write(repo / "ü other.txt", "new and edited\n")
    before = RepoState.take(repo)

    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        assert hidden.files == ("f.py", "ü other.txt")
        assert hidden.recovery_dir is not None
        assert b"+++ b/f.py" in (hidden.recovery_dir / PATCH_NAME).read_bytes()
        write(repo / "f.py", LINES.replace(b"1\n", b"one\n", 1))

    assert hidden.merged == ("f.py",)
    merged = LINES.replace(b"1\n", b"one\n", 1) + b"11 \n"
    assert_only_changed(before, RepoState.take(repo), {"f.py": merged})
    assert_no_recovery_data(repo)


def test_a_linked_worktree_has_its_own_recovery_data(repo: Path, tmp_path: Path) -> None:
    linked = tmp_path / "linked"
    run_git(repo, "worktree", "add", "-q", str(linked))
    write(linked / "f.py", LINES + b"unstaged\n")
    write(repo / "f.py", LINES + b"unstaged in main\n")
    before = RepoState.take(linked)

    kill_while_hidden(linked)

    assert (git_dir(linked) / "crackjack" / "recovery" / "state.json").is_file()
    assert git_dir(linked) != git_dir(repo)
    (ref,) = crackjack_refs(repo)
    assert ref.startswith(MAIN_REF + "-")
    check_no_unfinished_run(find_work_tree(repo))  # the main worktree has nothing to recover
    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        assert hidden.files == ("f.py",)
    with pytest.raises(UnfinishedRun):
        check_no_unfinished_run(find_work_tree(linked))
    recover(find_work_tree(linked))
    assert_only_changed(before, RepoState.take(linked))
    assert crackjack_refs(repo) == []


def test_outside_a_work_tree_is_refused(tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    run_git(tmp_path, "init", "-q", "--bare", str(bare))
    with pytest.raises(RepositoryStateError, match="bare repository"):
        check_no_unfinished_run(find_work_tree(bare))
    with pytest.raises(RepositoryStateError, match="not a git repository"):
        recover(find_work_tree(tmp_path))


def test_a_damaged_copy_is_never_written_to_the_work_tree(repo: Path) -> None:
    write(repo / "f.py", LINES + b"unstaged\n")
    before = RepoState.take(repo)
    kill_while_hidden(repo)
    copy = git_dir(repo) / "crackjack" / "recovery" / "files" / "0"
    good = copy.read_bytes()
    copy.write_bytes(b"garbage")

    with pytest.raises(RestoreFailed, match="damaged"):
        recover(find_work_tree(repo))

    assert (repo / "f.py").read_bytes() == LINES  # still hidden, not garbage
    copy.write_bytes(good)
    recover(find_work_tree(repo))
    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)


def test_a_damaged_copy_is_never_merged_either(repo: Path) -> None:
    write(repo / "f.py", LINES + b"unstaged\n")
    kill_while_hidden(repo, {"f.py": LINES.decode().replace("1", "one", 1)})
    (git_dir(repo) / "crackjack" / "recovery" / "files" / "0").write_bytes(LINES + b"garbage\n")

    with pytest.raises(RestoreFailed, match="damaged"):
        recover(find_work_tree(repo))

    assert (repo / "f.py").read_bytes() == LINES.replace(b"1", b"one", 1)


def test_a_damaged_base_only_turns_a_merge_into_a_saved_rollback(repo: Path) -> None:
    write(repo / "f.py", LINES + b"unstaged\n")
    before = RepoState.take(repo)
    kill_while_hidden(repo, {"f.py": LINES.decode().replace("1", "one", 1)})
    (git_dir(repo) / "crackjack" / "recovery" / "base" / "0").write_bytes(b"garbage")

    report = recover(find_work_tree(repo))

    assert report is not None
    assert report.rolled_back == ("f.py",)
    assert_only_changed(before, RepoState.take(repo))


@pytest.mark.parametrize("content", ['{"version": 99}', "{not json"])
def test_unreadable_state_is_reported_not_guessed(repo: Path, content: str) -> None:
    write(repo / "f.py", LINES + b"unstaged\n")
    kill_while_hidden(repo)
    (git_dir(repo) / "crackjack" / "recovery" / "state.json").write_text(content)

    with pytest.raises(RecoveryDataDamaged):
        recover(find_work_tree(repo))
    with pytest.raises(UnfinishedRun, match=f"damaged.*{MAIN_REF}"):
        check_no_unfinished_run(find_work_tree(repo))
    assert (repo / "f.py").read_bytes() == LINES


def test_a_partial_recovery_folder_is_not_an_unfinished_run(repo: Path) -> None:
    """A run killed before state.json was written had not touched the work tree yet."""
    partial = git_dir(repo) / "crackjack" / "recovery"
    write(partial / "files" / "0", "half-written copy")
    write(repo / "f.py", LINES + b"unstaged\n")
    before = RepoState.take(repo)

    check_no_unfinished_run(find_work_tree(repo))
    assert recover(find_work_tree(repo)) is None
    assert not partial.exists()
    write(partial / "files" / "0", "half-written copy")
    with unstaged_changes_hidden(find_work_tree(repo)) as hidden:
        assert hidden.files == ("f.py",)
    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)


def test_a_special_file_where_a_tracked_file_was_is_refused(repo: Path) -> None:
    (repo / "other.txt").unlink()
    os.mkfifo(repo / "other.txt")
    before = RepoState.take(repo)

    with pytest.raises(RepositoryStateError, match="special file"):
        unstaged_changes_hidden(find_work_tree(repo)).__enter__()

    assert_only_changed(before, RepoState.take(repo))
    assert_no_recovery_data(repo)
