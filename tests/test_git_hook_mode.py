"""Git-hook mode end to end, through the real command line: ``crackjack --staged``,
``crackjack git-hook pre-commit`` as the installed hook runs it, ``crackjack install`` with a
real ``git commit``, ``crackjack recover``, ``--changed``, ``--changed=REF`` and ``--fast PATHS``.

Every scenario snapshots the whole repository before and after (``tests.repostate``: every work
tree file's bytes and mode, the index, the refs) and proves that nothing changed but the
intended fixes. The projects have one hook, ``probe`` (the script ``PROBE``, outside the
repository): it records what it was given, then does what its control file says: ``record``
(nothing more), ``fix`` (a fixer: ``fixme`` becomes ``fixed``), ``check`` (fail on ``BAD``) or
``hang`` (say so in a marker file, then wait to be released). Every built-in hook is off.

Runs that need no signal go through the command line in this process (``run_cli``); signals
and concurrency need real processes (``python -m crackjack``).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from crackjack.core.git.recoverydata import RECOVER_COMMAND
from crackjack.core.git.worktree import RECOVERY_REF as MAIN_REF
from crackjack.core.valueclass import record, replace, value
from crackjack.hooks.catalogue import BUILTIN_HOOKS
from tests.gitrepo import commit_all, run_git, write
from tests.processes import kill_leftovers, wait_gone
from tests.project import (
    PYTHON,
    CliResult,
    hook_table,
    make_project,
    run_cli,
    start_process,
)
from tests.repostate import Entry, Intended, RepoState, assert_only_changed, crackjack_refs

PROBE = r"""
import json, os, subprocess, sys, time
from pathlib import Path

box = Path(sys.argv[1])
names = sys.argv[2:]
if names[:1] == ["--"]:
    names = names[1:]
action = (box / "action").read_text().strip()
contents = {}
for name in names:
    with open(name, "rb") as handle:
        contents[name] = handle.read()
diff = subprocess.run(
    ["git", "--no-optional-locks", "-c", "core.quotepath=off", "diff", "--name-only", "-z"],
    capture_output=True, stdin=subprocess.DEVNULL, check=False,
)
record = {
    "pid": os.getpid(),
    "files": {name: data.decode("utf-8", "surrogateescape") for name, data in contents.items()},
    "unstaged": [os.fsdecode(raw) for raw in diff.stdout.split(b"\0") if raw]
    if diff.returncode == 0 else None,
}
fd = os.open(box / "calls.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
os.write(fd, (json.dumps(record) + "\n").encode("ascii"))
os.close(fd)
if action == "fix":
    for name, data in contents.items():
        if b"fixme" in data:
            with open(name, "wb") as handle:
                handle.write(data.replace(b"fixme", b"fixed"))
elif action == "check":
    bad = [name for name, data in contents.items() if b"BAD" in data]
    if bad:
        print("BAD content in", *bad)
        sys.exit(1)
elif action == "hang":
    temp = box / "marker.tmp"
    temp.write_text(str(os.getpid()))
    os.replace(temp, box / "marker")
    deadline = time.monotonic() + 60
    while not (box / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
"""

BUILTINS_OFF = "".join(hook_table(hook.id, enabled=False) for hook in BUILTIN_HOOKS)

LINES = b"".join(b"%d\n" % number for number in range(1, 11))
"""What ``f.py`` holds in HEAD: ten lines."""
STAGED = LINES.replace(b"1\n", b"fixme\n", 1)
"""What is staged: line 1 needs the probe's fix."""
UNSTAGED = STAGED + b"unstaged\n"
"""The user's further edit, not staged, nine lines away from the fix: they merge."""
MERGED = UNSTAGED.replace(b"fixme", b"fixed")
CONFLICTING = STAGED.replace(b"fixme", b"fixme later")
"""An unstaged edit of the very line the probe fixes: the fix must give way."""


# --- the probe and its projects -------------------------------------------------------------


@value(eq=True)
class Probe:
    """The control folder of the ``probe`` hook: its action, its records, its marker."""

    box: Path

    def act(self, action: str) -> None:
        (self.box / "action").write_text(action)

    def calls(self) -> list[dict[str, Any]]:
        log = self.box / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]

    def seen(self) -> dict[str, bytes]:
        """Every file the probe was given (over all its batches), with the bytes it read."""
        seen: dict[str, bytes] = {}
        for call in self.calls():
            for name, text in call["files"].items():
                assert name not in seen, f"{name!r} was given twice"
                seen[name] = text.encode("utf-8", "surrogateescape")
        return seen

    def forget(self) -> None:
        (self.box / "calls.jsonl").unlink(missing_ok=True)

    def wait_until_hanging(self, proc: subprocess.Popen[bytes], within: float = 30) -> int:
        """Wait until the probe hangs inside ``proc``'s run; its pid."""
        marker = self.box / "marker"
        deadline = time.monotonic() + within
        while not marker.exists():
            if proc.poll() is not None:
                out, err = proc.communicate()
                pytest.fail(f"crackjack ended before the hook started: {out!r} {err!r}")
            assert time.monotonic() < deadline, "the hook never started"
            time.sleep(0.01)
        return int(marker.read_text())

    def release(self) -> None:
        (self.box / "release").write_text("go\n")


def probe_project(
    tmp_path: Path,
    files: Mapping[str, str | bytes],
    action: str = "fix",
) -> tuple[Path, Probe]:
    """A git repository whose ``files`` and pyproject.toml are committed, with the probe as its
    only hook (phase fast, a fixer; names after ``--``)."""
    probe = Probe(tmp_path / "probe")
    probe.box.mkdir()
    script = probe.box / "probe.py"
    script.write_text(PROBE)
    probe.act(action)
    command = [PYTHON, str(script), str(probe.box)]
    config = BUILTINS_OFF + hook_table(
        "probe", command=command, phase="fast", fixer=True, dashdash=True
    )
    root = make_project(tmp_path / "repo", files, config=config, git=True)
    commit_all(root)
    return root, probe


def stage(root: Path, name: str, content: str | bytes) -> None:
    write(root / name, content)
    run_git(root, "--literal-pathspecs", "add", "--", name)


def partially_staged(root: Path, name: str, unstaged: bytes = UNSTAGED) -> None:
    stage(root, name, STAGED)
    write(root / name, unstaged)


def git_dir(root: Path) -> Path:
    return Path(run_git(root, "rev-parse", "--absolute-git-dir").strip())


def assert_no_recovery_data(root: Path) -> None:
    assert not (git_dir(root) / "crackjack" / "recovery").exists()
    assert crackjack_refs(root) == []


def flat(text: str) -> str:
    """Output with its line wrapping undone (the console wraps long lines at spaces)."""
    return " ".join(text.split())


def one_line_refusal(result: CliResult, code: int, expected: str) -> None:
    """A refusal: ``code``, one line on stderr naming the problem, no traceback."""
    assert result.code == code, result
    assert result.err.count("\n") == 1, result.err
    assert result.err.startswith("crackjack: "), result.err
    assert expected in result.err, result.err
    assert "Traceback" not in result.out + result.err


@record
class Processes:
    """Real crackjack processes a test starts, and the hooks they started: all ended after it."""

    procs: list[subprocess.Popen[bytes]]
    pids: list[int]

    def start(self, args: Sequence[str], cwd: Path) -> subprocess.Popen[bytes]:
        proc = start_process(args, cwd)
        self.procs.append(proc)
        return proc


@pytest.fixture
def processes() -> Iterator[Processes]:
    started = Processes([], [])
    yield started
    for proc in started.procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    kill_leftovers(started.pids)


def finish(proc: subprocess.Popen[bytes], timeout: float = 30) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


# --- partially staged files and a fixer -----------------------------------------------------


@pytest.mark.parametrize("command", [["--staged"], ["git-hook", "pre-commit"]])
def test_hooks_see_the_staged_content_and_fixes_merge_with_unstaged_edits(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, probe = probe_project(tmp_path, {"f.py": LINES, "other.txt": "other\n"})
    partially_staged(root, "f.py")
    stage(root, "new.py", "fixme too\n")
    write(root / "other.txt", "other, edited but not staged\n")
    write(root / "untracked.py", "fixme, untracked\n")
    before = RepoState.take(root)

    result = run_cli(command, root, monkeypatch, capsys)

    assert result.code == 1, result
    assert probe.seen() == {"f.py": STAGED, "new.py": b"fixme too\n"}
    assert [call["unstaged"] for call in probe.calls()] == [[]], "hooks saw unstaged changes"
    assert_only_changed(before, RepoState.take(root), {"f.py": MERGED, "new.py": b"fixed too\n"})
    assert_no_recovery_data(root)
    out = flat(result.out)
    assert "probe modified: f.py, new.py" in out
    assert "unstaged changes to 2 files hidden while the hooks run" in out
    assert "unstaged changes restored (2 files)" in out
    assert "the fixes of hooks to f.py were merged with your unstaged changes" in out


def test_a_fix_that_conflicts_with_an_unstaged_edit_is_rolled_back_and_kept_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root, probe = probe_project(tmp_path, {"f.py": LINES})
    partially_staged(root, "f.py", CONFLICTING)
    before = RepoState.take(root)

    result = run_cli(["--staged"], root, monkeypatch, capsys)

    assert result.code == 1, result
    assert probe.seen() == {"f.py": STAGED}
    assert_only_changed(before, RepoState.take(root))
    assert_no_recovery_data(root)
    out = flat(result.out)
    found = re.search(
        r"the fixes of hooks to f\.py conflicted with your unstaged changes and were rolled back"
        r" \(kept in (\S+)\); your changes are as you left them",
        out,
    )
    assert found, out
    dropped = Path(found[1])
    assert dropped.parent == git_dir(root) / "crackjack" / "dropped"
    assert (dropped / "f.py").read_bytes() == STAGED.replace(b"fixme", b"fixed")


LONGEST_NAME = "n" * 252 + ".py"
"""A file name of 255 bytes, the most a name may have (NAME_MAX)."""


@pytest.mark.parametrize("name", [LONGEST_NAME, "é" * 116 + ".py", "x" * 229 + ".py"])
def test_the_longest_file_names_are_hidden_fixed_and_merged_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """Every file crackjack writes beside a user's file has a short name of its own."""
    assert len(os.fsencode(name)) in (232, 235, 255)
    root, probe = probe_project(tmp_path, {name: LINES})
    partially_staged(root, name)
    before = RepoState.take(root)

    result = run_cli(["--staged"], root, monkeypatch, capsys)

    assert result.code == 1, result
    assert probe.seen() == {name: STAGED}
    assert_only_changed(before, RepoState.take(root), {name: MERGED})
    assert_no_recovery_data(root)
    assert f"the fixes of hooks to {name} were merged" in flat(result.out)


def test_a_builtin_fixer_rewrites_a_file_with_the_longest_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = "".join(
        hook_table(hook.id, enabled=hook.id == "trailing-whitespace") for hook in BUILTIN_HOOKS
    )
    root = make_project(tmp_path / "repo", {LONGEST_NAME: "x = 1   \n"}, config=config)

    result = run_cli(["--fast", "--all-files"], root, monkeypatch, capsys)

    assert result.code == 1, result
    assert (root / LONGEST_NAME).read_text() == "x = 1\n"
    assert f"trailing-whitespace modified: {LONGEST_NAME}" in flat(result.out)
    assert sorted(path.name for path in root.iterdir()) == sorted([LONGEST_NAME, "pyproject.toml"])


# --- stop signals and SIGKILL while changes are hidden --------------------------------------


def hidden_work(root: Path) -> Intended:
    """Unstaged work of every kind on top of a partially staged ``f.py``; what the work tree
    holds while it is hidden."""
    partially_staged(root, "f.py")
    write(root / "other.txt", "other, edited\n")
    (root / "gone.txt").unlink()
    return {"f.py": STAGED, "other.txt": b"other\n", "gone.txt": b"gone\n"}


HIDDEN_FILES: dict[str, str | bytes] = {"f.py": LINES, "other.txt": "other\n", "gone.txt": "gone\n"}


@pytest.mark.parametrize(
    ("signum", "code", "command"),
    [
        (signal.SIGINT, 130, ["--staged"]),
        (signal.SIGTERM, 143, ["git-hook", "pre-commit"]),
    ],
    ids=["SIGINT", "SIGTERM"],
)
def test_a_stop_signal_while_hidden_restores_everything(
    signum: signal.Signals,
    code: int,
    command: list[str],
    tmp_path: Path,
    processes: Processes,
) -> None:
    root, probe = probe_project(tmp_path, HIDDEN_FILES, "hang")
    while_hidden = hidden_work(root)
    before = RepoState.take(root)

    proc = processes.start(command, root)
    hook_pid = probe.wait_until_hanging(proc)
    processes.pids.append(hook_pid)
    assert_only_changed(before, RepoState.take(root), while_hidden)
    proc.send_signal(signum)
    returncode, out, err = finish(proc)

    assert returncode == code, (out, err)
    assert "Traceback" not in out + err
    assert f"interrupted by {signum.name}" in out
    assert "unstaged changes restored (3 files)" in flat(out)
    assert wait_gone([hook_pid]) == []
    assert_only_changed(before, RepoState.take(root))
    assert_no_recovery_data(root)
    assert probe.seen() == {"f.py": STAGED}


def test_sigkill_while_hidden_leaves_recovery_data_for_crackjack_recover(
    tmp_path: Path,
    processes: Processes,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Nothing can restore after SIGKILL: the recovery data stays, every later run refuses
    (exit 3) naming `crackjack recover`, which puts back every byte; then runs work again."""
    root, probe = probe_project(tmp_path, HIDDEN_FILES, "hang")
    while_hidden = hidden_work(root)
    before = RepoState.take(root)

    proc = processes.start(["--staged"], root)
    hook_pid = probe.wait_until_hanging(proc)
    processes.pids.append(hook_pid)
    proc.kill()
    finish(proc)
    kill_leftovers([hook_pid])  # its own process group: SIGKILL left it behind
    assert wait_gone([hook_pid]) == []

    recovery = git_dir(root) / "crackjack" / "recovery"
    assert (recovery / "state.json").is_file()
    assert crackjack_refs(root) == [MAIN_REF]
    hidden = RepoState.take(root)
    assert_only_changed(before, hidden, while_hidden)
    probe.act("record")
    probe.forget()
    for command in (["--staged"], ["git-hook", "pre-commit"], ["--staged", "--dry-run"]):
        refused = run_cli(command, root, monkeypatch, capsys)
        one_line_refusal(refused, 3, f"Run `{RECOVER_COMMAND}` in {root}")
        assert f"(pid {proc.pid}," in refused.err
        assert str(recovery) in refused.err
    assert probe.calls() == []
    assert_only_changed(hidden, RepoState.take(root))

    recovered = run_cli(["recover"], root, monkeypatch, capsys)

    assert recovered.code == 0, recovered
    assert (
        flat(recovered.out)
        == f"crackjack: restored the unstaged changes to 3 files from {recovery}"
    )
    assert_only_changed(before, RepoState.take(root))
    assert_no_recovery_data(root)

    again = run_cli(["--staged"], root, monkeypatch, capsys)
    assert again.code == 0, again
    assert probe.seen() == {"f.py": STAGED}
    assert_only_changed(before, RepoState.take(root))
    assert_no_recovery_data(root)
    nothing = run_cli(["recover"], root, monkeypatch, capsys)
    assert nothing.code == 0
    assert "nothing to recover" in nothing.out
    assert_only_changed(before, RepoState.take(root))


# --- awkward names and many files -----------------------------------------------------------

ODD_NAMES = ("with space.py", "ünïcødé ☃.py", "new\nline.py", "-dash.py", "sub dir/-x y.py")


def test_crackjack_recover_says_which_fixes_it_merged(
    tmp_path: Path,
    processes: Processes,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, probe = probe_project(tmp_path, {"f.py": LINES}, "hang")
    partially_staged(root, "f.py")
    before = RepoState.take(root)
    proc = processes.start(["--staged"], root)
    hook_pid = probe.wait_until_hanging(proc)
    processes.pids.append(hook_pid)
    write(root / "f.py", STAGED.replace(b"fixme", b"fixed"))  # as the fixer would
    proc.kill()
    finish(proc)
    kill_leftovers([hook_pid])
    assert wait_gone([hook_pid]) == []

    recovered = run_cli(["recover"], root, monkeypatch, capsys)

    assert recovered.code == 0, recovered
    recovery = git_dir(root) / "crackjack" / "recovery"
    assert flat(recovered.out) == (
        f"crackjack: restored the unstaged changes to 1 file from {recovery}"
        " crackjack: changes made to f.py while your changes were hidden (by a hook or another"
        " program) were merged with them: review them before committing"
    )
    assert_only_changed(before, RepoState.take(root), {"f.py": MERGED})
    assert_no_recovery_data(root)


def test_awkward_file_names_partially_staged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root, probe = probe_project(tmp_path, dict.fromkeys(ODD_NAMES, LINES))
    for name in ODD_NAMES:
        partially_staged(root, name)
    before = RepoState.take(root)

    result = run_cli(["git-hook", "pre-commit"], root, monkeypatch, capsys)

    assert result.code == 1, result
    assert probe.seen() == dict.fromkeys(ODD_NAMES, STAGED)
    assert_only_changed(before, RepoState.take(root), dict.fromkeys(ODD_NAMES, MERGED))
    assert_no_recovery_data(root)
    assert f"unstaged changes restored ({len(ODD_NAMES)} files)" in flat(result.out)


MANY = 10_000
SMALL = b"fixme\n2\n3\n4\n"


@pytest.mark.slow
def test_ten_thousand_staged_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every file staged, one in a hundred partially: all fixed, every unstaged edit kept, in
    several batches (each sees the staged content, and the fixes of the batches before)."""
    root, probe = probe_project(tmp_path, {})
    names = [f"pkg{number % 10}/m{number:05d}.py" for number in range(MANY)]
    for name in names:
        write(root / name, SMALL)
    run_git(root, "add", "-A")
    partial = names[::100]
    for name in partial:
        write(root / name, SMALL + b"unstaged\n")
    before = RepoState.take(root)

    result = run_cli(["--staged"], root, monkeypatch, capsys)

    assert result.code == 1, result
    assert probe.seen() == dict.fromkeys(names, SMALL)
    fixed_before: set[str] = set()
    for call in probe.calls():  # each batch sees the staged content, and earlier batches' fixes
        assert set(call["unstaged"]) == fixed_before
        fixed_before |= set(call["files"])
    fixed = SMALL.replace(b"fixme", b"fixed")
    intended: dict[str | bytes, Entry | bytes | None] = dict.fromkeys(names, fixed)
    intended.update(dict.fromkeys(partial, fixed + b"unstaged\n"))
    assert_only_changed(before, RepoState.take(root), intended)
    assert_no_recovery_data(root)
    assert f"unstaged changes restored ({len(partial)} files)" in flat(result.out)


# --- two runs at once -----------------------------------------------------------------------


def test_a_second_run_waits_then_refuses_and_the_first_restores(
    tmp_path: Path, processes: Processes
) -> None:
    """While a run has changes hidden, a second run and a ``crackjack recover`` wait for its lock
    (5 s), then refuse, naming it, without touching anything; then the first one restores."""
    root, probe = probe_project(tmp_path, HIDDEN_FILES, "hang")
    while_hidden = hidden_work(root)
    before = RepoState.take(root)
    first = processes.start(["--staged"], root)
    processes.pids.append(probe.wait_until_hanging(first))
    hidden = RepoState.take(root)
    assert_only_changed(before, hidden, while_hidden)

    started = time.monotonic()
    others = [processes.start(args, root) for args in (["--staged"], ["recover"])]
    refusals = [finish(other) for other in others]
    waited = time.monotonic() - started

    for code, out, err in refusals:
        assert (code, out) == (2, ""), err
        assert err.count("\n") == 1, err
        assert err.startswith(f"crackjack: another crackjack run (pid {first.pid}) is working"), err
        assert "Traceback" not in err
    assert waited > 4, "the second runs did not wait for the first"
    assert first.poll() is None
    assert_only_changed(hidden, RepoState.take(root))

    probe.release()
    code, out, err = finish(first)

    assert code == 0, (out, err)
    assert "unstaged changes restored (3 files)" in flat(out)
    assert_only_changed(before, RepoState.take(root))
    assert_no_recovery_data(root)
    assert len(probe.calls()) == 1


# --- refusals -------------------------------------------------------------------------------


def conflict(root: Path) -> None:
    """Leave ``c.txt`` unmerged: both branches changed it differently."""
    write(root / "c.txt", "base\n")
    commit_all(root)
    run_git(root, "checkout", "-q", "-b", "other")
    write(root / "c.txt", "other\n")
    commit_all(root)
    run_git(root, "checkout", "-q", "main")
    write(root / "c.txt", "main\n")
    commit_all(root)
    with pytest.raises(subprocess.CalledProcessError):
        run_git(root, "merge", "-q", "other")


@pytest.mark.parametrize(
    "command", [["--staged"], ["git-hook", "pre-commit"], ["--staged", "--dry-run"], ["--fast"]]
)
def test_unmerged_paths_are_refused(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, probe = probe_project(tmp_path, {"f.py": LINES})
    conflict(root)
    partially_staged(root, "f.py")
    before = RepoState.take(root)

    result = run_cli(command, root, monkeypatch, capsys)

    one_line_refusal(result, 2, f"unmerged paths in {root}: c.txt; resolve the conflicts first")
    assert probe.calls() == []
    assert_only_changed(before, RepoState.take(root))
    assert_no_recovery_data(root)


@pytest.mark.parametrize(
    ("where", "args", "expected"),
    [
        ("bare", ["--staged"], "is a bare repository, with no work tree to check"),
        ("bare", ["git-hook", "pre-commit"], "is a bare repository"),
        (".git", ["--staged"], "is inside a git directory, not a work tree"),
        (".git/refs", ["git-hook", "pre-commit"], "is inside a git directory"),
        ("outside", ["--staged"], "not a git repository: "),
        ("outside", ["--changed"], "not a git repository: "),
        ("outside", ["git-hook", "pre-commit"], "not a git repository: "),
        (".", ["--changed=nope"], "'nope' names no commit in this repository"),
        (".", ["--staged", "f.py"], "choose one of --staged, --changed, --all-files and PATHS"),
        (".", ["--staged", "--changed"], "choose one of --staged, --changed"),
        (".", ["--changed=HEAD", "--all-files"], "choose one of --staged, --changed"),
    ],
)
def test_refusals_exit_2_with_one_line(
    where: str,
    args: list[str],
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, probe = probe_project(tmp_path, {"f.py": LINES})
    partially_staged(root, "f.py")
    bare = tmp_path / "bare.git"
    run_git(tmp_path, "clone", "-q", "--bare", str(root), str(bare))
    outside = tmp_path / "outside"
    outside.mkdir()
    cwd = {"bare": bare, "outside": outside}.get(where, root / where)
    before = RepoState.take(root)

    result = run_cli(args, cwd, monkeypatch, capsys)

    one_line_refusal(result, 2, expected)
    assert probe.calls() == []
    assert_only_changed(before, RepoState.take(root))
    assert_no_recovery_data(root)


# --- --changed, --changed=REF, --fast PATHS -------------------------------------------------


def test_changed_checks_the_branch_work_since_its_base_without_hiding_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {"a.py": "a\n", "b.py": "b\n", "c.py": "c\n", ".gitignore": "ignored.py\n"}
    root, probe = probe_project(tmp_path, files, "record")
    run_git(root, "tag", "v1")
    write(root / "b.py", "b on main\n")
    commit_all(root, "main moves on")
    run_git(root, "checkout", "-q", "-b", "feature")
    write(root / "c.py", "c on the branch\n")
    commit_all(root, "branch work")
    stage(root, "e.py", "e staged\n")
    partially_staged(root, "a.py")
    write(root / "d.py", "d untracked\n")
    write(root / "ignored.py", "ignored\n")
    before = RepoState.take(root)
    branch_work = {
        "a.py": UNSTAGED,
        "c.py": b"c on the branch\n",
        "d.py": b"d untracked\n",
        "e.py": b"e staged\n",
    }

    since_main = run_cli(["--changed"], root, monkeypatch, capsys)

    assert since_main.code == 0, since_main
    assert probe.seen() == branch_work
    assert probe.calls()[0]["unstaged"] == ["a.py"], "--changed hides nothing"
    assert_only_changed(before, RepoState.take(root))
    probe.forget()

    since_v1 = run_cli(["--changed=v1"], root, monkeypatch, capsys)

    assert since_v1.code == 0, since_v1
    assert probe.seen() == {**branch_work, "b.py": b"b on main\n"}
    assert_only_changed(before, RepoState.take(root))
    assert not (git_dir(root) / "crackjack" / "recovery").exists()


def test_fast_with_paths_runs_only_on_those_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the pre-commit framework runs: ``crackjack --fast`` and the files (existing ones:
    pre-commit never passes a deleted file)."""
    root, probe = probe_project(tmp_path, {"a.py": "fixme a\n", "b.py": "fixme b\n"})
    partially_staged(root, "a.py")
    before = RepoState.take(root)

    result = run_cli(["--fast", "a.py"], root, monkeypatch, capsys)

    assert result.code == 1, result
    assert probe.seen() == {"a.py": UNSTAGED}
    assert_only_changed(before, RepoState.take(root), {"a.py": MERGED})
    assert "probe modified: a.py" in flat(result.out)


# --- crackjack install and a real git commit ------------------------------------------------


def commit(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A real ``git commit``: git runs the installed hook."""
    return subprocess.run(
        ["git", "commit", "-q", *args],
        cwd=root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def head(root: Path) -> str:
    return run_git(root, "rev-parse", "HEAD").strip()


def show(root: Path, name: str) -> bytes:
    return subprocess.run(
        ["git", "show", f"HEAD:{name}"], cwd=root, capture_output=True, check=True
    ).stdout


def assert_committed(
    before: RepoState,
    root: Path,
    restaged: Sequence[str] = (),
    intended: Intended | None = None,
) -> None:
    """A new commit on main, the index changed only at ``restaged`` (now what was committed),
    the work tree only as ``intended``."""
    after = RepoState.take(root)
    assert after.refs == {**before.refs, "refs/heads/main": head(root)}
    index = dict(before.index)
    for name in restaged:
        key = os.fsencode(name)
        assert after.index[key][0].oid == run_git(root, "rev-parse", f"HEAD:{name}").strip()
        index[key] = after.index[key]
    assert_only_changed(replace(before, refs=after.refs, index=index), after, intended)


def installed_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, Probe]:
    root, probe = probe_project(tmp_path, {"f.py": "ok\n", "g.py": "ok\n"}, "check")
    installed = run_cli(["install"], root, monkeypatch, capsys)
    assert installed.code == 0, installed
    hook = git_dir(root) / "hooks" / "pre-commit"
    assert flat(installed.out) == f"crackjack: pre-commit hook installed at {hook}"
    return root, probe


def test_installed_hook_checks_exactly_what_git_commit_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root, probe = installed_project(tmp_path, monkeypatch, capsys)
    stage(root, "bad.py", "BAD\n")
    before = RepoState.take(root)

    refused = commit(root, "-m", "bad")

    assert refused.returncode == 1, refused
    assert "BAD content in bad.py" in refused.stdout + refused.stderr
    assert_only_changed(before, RepoState.take(root))
    assert probe.seen() == {"bad.py": b"BAD\n"}
    probe.forget()

    stage(root, "bad.py", "good now\n")
    write(root / "bad.py", "BAD again, not staged\n")
    before = RepoState.take(root)

    accepted = commit(root, "-m", "good")

    assert accepted.returncode == 0, accepted
    assert show(root, "bad.py") == b"good now\n"
    assert probe.seen() == {"bad.py": b"good now\n"}
    assert_committed(before, root)
    assert run_git(root, "status", "--porcelain") == " M bad.py\n"
    assert_no_recovery_data(root)


def test_git_commit_all_and_commit_paths_are_checked_through_git_index_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``git commit -a`` and ``git commit PATH`` give the hook another index (GIT_INDEX_FILE):
    crackjack checks what that index commits, not what the real one holds."""
    root, probe = installed_project(tmp_path, monkeypatch, capsys)

    stage(root, "f.py", "BAD in the index only\n")
    write(root / "f.py", "fine in the work tree\n")
    before = RepoState.take(root)
    accepted = commit(root, "-a", "-m", "all")
    assert accepted.returncode == 0, accepted
    assert probe.seen() == {"f.py": b"fine in the work tree\n"}
    assert_committed(before, root, restaged=["f.py"])
    probe.forget()

    stage(root, "g.py", "fine in the index\n")
    write(root / "g.py", "BAD in the work tree\n")
    before = RepoState.take(root)
    refused = commit(root, "-a", "-m", "all, refused")
    assert refused.returncode == 1, refused
    assert probe.seen() == {"g.py": b"BAD in the work tree\n"}
    assert_only_changed(before, RepoState.take(root))
    probe.forget()

    # Only f.py is committed: g.py (BAD in the work tree) is hidden as an unstaged change to
    # that commit's index, and h.py (BAD, staged in the real index) is not part of it.
    stage(root, "h.py", "BAD, staged for later\n")
    write(root / "f.py", "better\n")
    before = RepoState.take(root)
    accepted = commit(root, "-m", "path", "f.py")
    assert accepted.returncode == 0, accepted
    assert probe.seen() == {"f.py": b"better\n"}
    assert show(root, "f.py") == b"better\n"
    assert_committed(before, root, restaged=["f.py"])
    assert run_git(root, "diff", "--cached", "--name-only") == "g.py\nh.py\n"
    assert_no_recovery_data(root)


FOREIGN = """#!/bin/sh
echo "foreign $*" >> "$(git rev-parse --absolute-git-dir)/foreign.log"
"""


def test_install_force_chains_a_foreign_hook_and_uninstall_puts_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root, probe = probe_project(tmp_path, {"f.py": "ok\n"}, "check")
    hook = git_dir(root) / "hooks" / "pre-commit"
    write(hook, FOREIGN)
    hook.chmod(0o750)
    foreign_log = git_dir(root) / "foreign.log"

    refused = run_cli(["install"], root, monkeypatch, capsys)
    one_line_refusal(refused, 2, "install again with --force")
    assert hook.read_text() == FOREIGN

    forced = run_cli(["install", "--force"], root, monkeypatch, capsys)
    assert forced.code == 0, forced
    assert f"kept the existing hook as {hook}.legacy" in forced.out
    stage(root, "bad.py", "BAD\n")
    before = RepoState.take(root)
    chained = commit(root, "-m", "bad")
    assert chained.returncode == 1, chained
    assert foreign_log.read_text() == "foreign \n"
    assert probe.seen() == {"bad.py": b"BAD\n"}
    assert_only_changed(before, RepoState.take(root))
    probe.forget()

    removed = run_cli(["uninstall"], root, monkeypatch, capsys)
    assert removed.code == 0, removed
    assert "restored the previous hook from pre-commit.legacy" in removed.out
    assert hook.read_text() == FOREIGN
    assert oct(hook.stat().st_mode & 0o777) == oct(0o750)
    assert not hook.with_name("pre-commit.legacy").exists()

    accepted = commit(root, "-m", "only the foreign hook ran")
    assert accepted.returncode == 0, accepted
    assert foreign_log.read_text() == "foreign \nforeign \n"
    assert probe.calls() == []
    assert_committed(before, root)


# --- which pyproject.toml a git-hook run reads ----------------------------------------------

SETTINGS_NOTE = "crackjack: settings: the staged pyproject.toml (its unstaged edits are not used)"


@pytest.mark.parametrize(
    ("staged_skips", "unstaged_skips", "probe_runs"),
    [(True, False, False), (False, True, True), (True, True, False)],
    ids=["staged-skips", "unstaged-skips", "no-unstaged-edit"],
)
def test_git_hook_mode_reads_the_staged_pyproject(
    staged_skips: bool,
    unstaged_skips: bool,
    probe_runs: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The commit checks what is staged, settings included: an unstaged edit of pyproject.toml
    changes nothing, and the run says which one it read."""
    root, probe = probe_project(tmp_path, {"a.py": "a = 1\n"}, "record")
    original = (root / "pyproject.toml").read_text()
    skipping = original.replace("[tool.crackjack]\n", '[tool.crackjack]\nskip = ["probe"]\n', 1)
    stage(root, "pyproject.toml", skipping if staged_skips else original)
    write(root / "pyproject.toml", skipping if unstaged_skips else original)
    stage(root, "a.py", "a = 2\n")
    before = RepoState.take(root)

    result = run_cli(["git-hook", "pre-commit"], root, monkeypatch, capsys)

    assert result.code == 0, result
    assert (SETTINGS_NOTE in result.out.splitlines()) is (staged_skips != unstaged_skips)
    assert ("a.py" in probe.seen()) is probe_runs
    assert_only_changed(before, RepoState.take(root))
    assert_no_recovery_data(root)


def test_a_mistake_in_the_staged_pyproject_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root, probe = probe_project(tmp_path, {"a.py": "a = 1\n"}, "record")
    original = (root / "pyproject.toml").read_text()
    stage(root, "pyproject.toml", original + "jobs = \n")
    write(root / "pyproject.toml", original)
    before = RepoState.take(root)

    result = run_cli(["git-hook", "pre-commit"], root, monkeypatch, capsys)

    line = original.count("\n") + 1
    one_line_refusal(result, 2, f"{root}/pyproject.toml (staged):{line}:8: invalid TOML")
    assert probe.calls() == []
    assert_only_changed(before, RepoState.take(root))
