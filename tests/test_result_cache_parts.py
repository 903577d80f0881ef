"""The result cache's parts on real files: the store, content ids, configuration inputs, the
program's identity, and the step's rule that a file changed during a run earns nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from crackjack.core.cache import contents, identity
from crackjack.core.cache.contents import ContentIds
from crackjack.core.cache.inputs import Inputs, variables
from crackjack.core.cache.key import describe
from crackjack.core.cache.recorder import Earned, Recorder
from crackjack.core.cache.step import open_cache
from crackjack.core.cache.store import HEADER, MAX_SEGMENTS, STALE_DAYS, Store
from crackjack.core.files.fsutil import TEMP_SUFFIX
from crackjack.core.files.touchable import FileModes
from crackjack.core.process.run import Cancellation
from crackjack.core.run.headstart import Launch
from crackjack.core.run.plan import HookPlan
from crackjack.core.run.policy import Policy
from crackjack.core.run.results import HookResult, HookStatus
from crackjack.core.runners.hook import Hook, PlanContext, RunContext
from crackjack.core.runners.inprocess import CheckOutcome, InProcess
from crackjack.core.runners.outcome import hook_result
from crackjack.core.valueclass import value
from tests.gitrepo import commit_all, make_repo, run_git, write
from tests.plans import command_hook
from tests.project import PYTHON

KEY_A, KEY_B = "a" * 32, "b" * 32


def test_keys_written_by_one_store_are_read_by_the_next(tmp_path: Path) -> None:
    Store(tmp_path, 1 << 20).add("bucket", {KEY_A: 5, KEY_B: 6})
    again = Store(tmp_path, 1 << 20)
    assert again.known("bucket") == {KEY_A: 5, KEY_B: 6}
    assert again.known("other") == {}
    assert again.warning is None
    Store(tmp_path, 1 << 20).add("bucket", {})
    assert len(list((tmp_path / "v1" / "bucket").iterdir())) == 1


@pytest.mark.parametrize(
    "content",
    [b"garbage\n", HEADER.encode() + b"short 1\n", HEADER.encode() + KEY_A.encode(), b"\xff\n"],
)
def test_a_damaged_segment_is_ignored_removed_and_said_once(tmp_path: Path, content: bytes) -> None:
    store = Store(tmp_path, 1 << 20)
    store.add("bucket", {KEY_A: 1})
    write(tmp_path / "v1" / "bucket" / "bad.seg", content)
    write(tmp_path / "v1" / "bucket" / "worse.seg", b"nope\n")
    fresh = Store(tmp_path, 1 << 20)
    assert fresh.known("bucket") == {KEY_A: 1}
    assert fresh.warning is not None
    assert "damaged" in fresh.warning
    assert not (tmp_path / "v1" / "bucket" / "bad.seg").exists()


def test_many_segments_are_compacted_into_one_without_stale_keys(tmp_path: Path) -> None:
    now = int(time.time())
    old = now - (STALE_DAYS + 1) * 86400
    Store(tmp_path, 1 << 20).add("b", {KEY_B: old})
    for index in range(MAX_SEGMENTS):
        Store(tmp_path, 1 << 20).add("b", {f"{index:032x}": now, KEY_A: now - index})
    segments = list((tmp_path / "v1" / "b").glob("*.seg"))
    assert len(segments) == 1
    known = Store(tmp_path, 1 << 20).known("b")
    assert known[KEY_A] == now
    assert KEY_B not in known
    assert len(known) == MAX_SEGMENTS + 1


def test_the_least_recently_used_buckets_go_first(tmp_path: Path) -> None:
    for index, name in enumerate(("oldest", "middle", "newest")):
        Store(tmp_path, 1 << 20).add(name, {f"{i:032x}": i for i in range(50)})
        for segment in (tmp_path / "v1" / name).glob("*.seg"):
            os.utime(segment, (1000.0 + index, 1000.0 + index))
    size = sum(p.stat().st_size for p in (tmp_path / "v1").glob("*/*.seg"))
    Store(tmp_path, size // 3 * 2).add("latest", {KEY_A: 1})
    assert sorted(p.name for p in (tmp_path / "v1").iterdir()) == ["latest", "newest"]


def test_only_old_temporaries_are_removed(tmp_path: Path) -> None:
    old = write(tmp_path / "v1" / "b" / f".{'1' * 16}{TEMP_SUFFIX}", "x")
    young = write(tmp_path / "v1" / "b" / f".{'2' * 16}{TEMP_SUFFIX}", "x")
    os.utime(old, (1000.0, 1000.0))
    Store(tmp_path, 1 << 20).add("b", {KEY_A: 1})
    assert not old.exists()
    assert young.exists()


def test_a_store_that_cannot_write_says_so_once(tmp_path: Path) -> None:
    write(tmp_path / "file", "x")
    store = Store(tmp_path / "file" / "cache", 1 << 20)
    store.add("b", {KEY_A: 1})
    store.programs()["x"] = [1, 2, 3, "d"]
    store.save_programs()
    assert store.warning is not None
    assert store.warning.startswith("the result cache cannot be written")
    assert store.known("b") == {}  # a run serves its own hooks none of its passes...
    store.settle()
    assert store.known("b") == {KEY_A: 1}  # ...until it has ended, unwritten or not


def test_programs_digests_are_kept_and_written_only_when_new(tmp_path: Path) -> None:
    store = Store(tmp_path, 1 << 20)
    store.save_programs()
    assert not (tmp_path / "v1" / "programs.json").exists()
    store.programs()["/bin/x"] = [1, 2, 3, "digest"]
    store.save_programs()
    assert Store(tmp_path, 1 << 20).programs() == {"/bin/x": [1, 2, 3, "digest"]}
    write(tmp_path / "v1" / "programs.json", "[1]")
    assert Store(tmp_path, 1 << 20).programs() == {}
    write(tmp_path / "v1" / "programs.json", '{"a": [1], "b": [1, 2, 3, "d"]}')
    assert Store(tmp_path, 1 << 20).programs() == {"b": [1, 2, 3, "d"]}


# --- content ids ----------------------------------------------------------------------------


def id_of(ids: ContentIds, path: str) -> str | None:
    found = ids.of(path)
    return None if found is None else found[0]


def hash_object(repo: Path, path: str) -> str:
    return run_git(repo, "hash-object", path).strip()


def test_content_ids_are_git_blob_ids(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write(repo / "sub" / "a.py", "A = 1\n")
    write(repo / "sub" / "b.py", "B = 2\n")
    commit_all(repo)
    write(repo / "sub" / "b.py", "B = 3\n")
    ids = ContentIds(repo / "sub", repo / ".git" / "index", repo)
    assert id_of(ids, "a.py") == hash_object(repo, "sub/a.py")
    assert id_of(ids, "b.py") == hash_object(repo, "sub/b.py")
    assert id_of(ids, "gone.py") is None
    os.symlink("a.py", repo / "sub" / "link.py")
    assert id_of(ids, "link.py") is None
    assert id_of(ContentIds(repo / "sub"), "a.py") == hash_object(repo, "sub/a.py")


def test_a_file_whose_stat_matches_the_index_gets_the_index_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As git decides: same ctime, mtime, size and inode as the index entry, and written before
    the index: unchanged, its bytes not read. A file rewritten in place with its size and mtime
    put back has a new ctime, and a file as new as the index (racy) is read."""
    repo = make_repo(tmp_path / "repo")
    path = write(repo / "a.py", "A = 1\n")
    past = 1_000_000_000_000_000_000
    os.utime(path, ns=(past, past))
    run_git(repo, "add", "a.py")
    indexed = run_git(repo, "ls-files", "-s", "a.py").split()[1]
    with monkeypatch.context() as patched:
        patched.setattr(contents, "blob_id", _never_read)
        assert id_of(ContentIds(repo, repo / ".git" / "index", repo), "a.py") == indexed
    with open(path, "r+b") as file:  # same size, same inode, then the mtime put back
        file.write(b"A = 2\n")
    os.utime(path, ns=(past, past))
    assert id_of(ContentIds(repo, repo / ".git" / "index", repo), "a.py") == hash_object(
        repo, "a.py"
    )
    future = time.time_ns() + 10**12
    os.utime(path, ns=(future, future))
    assert id_of(ContentIds(repo, repo / ".git" / "index", repo), "a.py") == hash_object(
        repo, "a.py"
    )


def _never_read(content: bytes, hash_size: int) -> str:
    raise AssertionError("the file's bytes were read")


def test_no_index_to_read_means_every_file_is_hashed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write(repo / "a.py", "A = 1\n")
    assert id_of(ContentIds(repo, repo / ".git" / "index", repo), "a.py") == hash_object(
        repo, "a.py"
    )
    write(repo / ".git" / "index", b"DIRC damaged")
    assert id_of(ContentIds(repo, repo / ".git" / "index", repo), "a.py") == hash_object(
        repo, "a.py"
    )


# --- inputs -----------------------------------------------------------------------------------


def test_a_config_file_up_the_tree_is_part_of_a_folders_chain(tmp_path: Path) -> None:
    root = tmp_path / "outer" / "root"
    write(root / "pkg" / "a.py", "")
    names = ("ruff.toml",)
    before = Inputs(root).chain("pkg", names)
    assert Inputs(root).chain("", names) == before
    write(tmp_path / "outer" / "ruff.toml", "line-length = 90\n")
    above = Inputs(root).chain("pkg", names)
    assert above != before
    write(root / "pkg" / "ruff.toml", "line-length = 80\n")
    inputs = Inputs(root)
    assert inputs.chain("pkg", names) != above
    assert inputs.chain("", names) == above
    assert inputs.chain("pkg", ()) == ""
    assert inputs.fresh().chain("pkg", names) == inputs.chain("pkg", names)


def test_rooted_and_home_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = tmp_path / "root"
    write(root / "conf" / "a.toml", "a")
    write(root / "deep" / "x" / "setup.cfg", "b")
    patterns = ("pyproject.toml", "conf/*.toml", "**/setup.cfg", "~/.tool.ini")
    first = Inputs(root).rooted(patterns)
    assert [path for path, _ in first] == ["conf/a.toml", "deep/x/setup.cfg", "~/.tool.ini"]
    assert first[-1][1] == ""
    write(tmp_path / "home" / ".tool.ini", "c")
    assert Inputs(root).rooted(patterns)[-1][1] != ""


def test_variables_by_name_and_prefix() -> None:
    environ = {"RUFF_A": "1", "RUFFX": "2", "MYPYPATH": "s", "OTHER": "3"}
    assert variables(("RUFF_*", "MYPYPATH"), environ) == [("MYPYPATH", "s"), ("RUFF_A", "1")]
    assert variables((), environ) == []


# --- identity ---------------------------------------------------------------------------------


def script(path: Path, shebang: str, body: str) -> str:
    write(path, f"#!{shebang}\n{body}")
    path.chmod(0o755)
    return str(path)


def test_a_scripts_digest_leaves_out_its_interpreters_path(tmp_path: Path) -> None:
    one = script(tmp_path / "a" / "tool", "/one/bin/python", "run()\n")
    two = script(tmp_path / "b" / "tool", "/two/bin/python", "run()\n")
    other = script(tmp_path / "c" / "tool", "/one/bin/python", "walk()\n")
    memo: dict[str, list[object]] = {}
    assert identity.executable_digest(one, memo) == identity.executable_digest(two, {})
    assert identity.executable_digest(other, {}) != identity.executable_digest(one, {})
    assert identity.executable_digest(str(tmp_path / "gone"), {}) == ""
    assert identity.interpreter(one) == "/one/bin/python"
    assert identity.interpreter(script(tmp_path / "e", "/usr/bin/env python3", "")) is None
    write(tmp_path / "binary", b"\x7fELF\x00")
    assert identity.interpreter(str(tmp_path / "binary")) is None
    assert identity.interpreter(str(tmp_path / "gone")) is None


def test_a_remembered_digest_is_used_while_the_file_is_the_same(tmp_path: Path) -> None:
    tool = script(tmp_path / "tool", "/bin/sh", "exit 0\n")
    memo: dict[str, list[object]] = {}
    real = identity.executable_digest(tool, memo)
    info = os.stat(tool)
    memo[os.path.realpath(tool)] = [info.st_size, info.st_mtime_ns, info.st_ino, "remembered"]
    assert identity.executable_digest(tool, memo) == "remembered"
    os.utime(tool, ns=(1, 1))
    assert identity.executable_digest(tool, memo) == real


def fake_prefix(root: Path, distributions: Sequence[str], home: str) -> str:
    write(root / "pyvenv.cfg", f"home = {home}\nversion = 3.11.7\n")
    for name in distributions:
        (root / "lib" / "python3.11" / "site-packages" / name).mkdir(parents=True)
    write(root / "bin" / "python", "")
    return str(root / "bin" / "python")


def test_an_environment_is_its_version_and_distributions(tmp_path: Path) -> None:
    one = fake_prefix(tmp_path / "one", ["a-1.0.dist-info", "pkg"], "/usr/bin")
    two = fake_prefix(tmp_path / "two", ["a-1.0.dist-info", "other"], "/opt/bin")
    assert identity.environment(one) == identity.environment(two)
    upgraded = fake_prefix(tmp_path / "three", ["a-1.1.dist-info"], "/usr/bin")
    assert identity.environment(upgraded) != identity.environment(one)
    assert identity.environment(sys.executable) != identity.environment(one)
    assert identity.environment(str(tmp_path / "none" / "bin" / "python"))


def test_describe_makes_stable_data() -> None:
    assert describe({"b": (1, [2])}) == [("b", [1, [2]])]
    assert describe(object())  # a repr, not an error
    first = describe(test_describe_makes_stable_data)
    assert isinstance(first, list)
    assert first[:2] == [__name__, "test_describe_makes_stable_data"]
    assert describe(len) == ["builtins", "len", ""]


# --- the step ---------------------------------------------------------------------------------


def context(root: Path, tmp_path: Path) -> tuple[PlanContext, RunContext]:
    policy = Policy(jobs=1)
    run = RunContext(root=root, cancellation=Cancellation(), log_dir=tmp_path, policy=policy)
    return PlanContext(root=root, policy=policy), run


def editor(edit: str, config: str = "") -> InProcess:
    """A check that passes, while something else (an editor) rewrites ``edit`` (or
    ``config``, a file the hook does not check, when it checks ``edit``)."""

    def check(files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool) -> CheckOutcome:
        if edit in files:
            write(root / (config or edit), "changed meanwhile\n")
        return CheckOutcome(failed=False)

    return InProcess(check)


def test_a_file_changed_while_the_hook_ran_earns_nothing(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for name in ("a.txt", "b.txt"):
        write(root / name, "x\n")
    hook = Hook(id="check", phase="fast", runner=editor("b.txt"), cache="per-file")
    planning, running = context(root, tmp_path)
    cache = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    plan = hook.runner.plan(hook, ("a.txt", "b.txt"), planning)
    assert cache.run(plan, running).status is HookStatus.PASSED
    cache.finish()
    again = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    assert again.cached_files(plan, planning) == 1
    whole = Hook(id="whole", phase="fast", runner=editor("a.txt"), cache="whole")
    plan = whole.runner.plan(whole, ("a.txt", "b.txt"), planning)
    assert not cache.run(plan, running).cached
    cache.finish()
    assert cache.cached_files(plan, planning) == 0
    off = Hook(id="off", phase="fast", runner=editor(""), cache="whole")
    plan = off.runner.plan(off, ("a.txt",), planning)
    fewer = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=False)
    assert fewer.cached_files(plan, planning) is None


SEEN: list[tuple[str, ...]] = []


@value(eq=True)
class Picky:
    """A runner that plans nothing for fewer files than it was first given (as bandit's
    adapter drops test files): the cache then runs the first plan whole."""

    def program(self, hook: Hook) -> str | None:
        return None

    def describe(self, hook: Hook) -> str:
        return "picky"

    def configured(self, changes: Mapping[str, Any]) -> Picky:
        return self

    def validate(self, hook: Hook) -> None:
        return None

    def check_only(self, hook: Hook) -> tuple[Hook, bool]:
        return hook, False

    def plan(self, hook: Hook, files: tuple[str, ...], context: PlanContext) -> HookPlan:
        if len(files) < 2:
            return HookPlan(hook=hook, skip_reason="no files to check")
        return HookPlan(hook=hook, files=files, batches=(files,))

    def run(self, plan: HookPlan, context: RunContext) -> HookResult:
        SEEN.append(plan.files)
        return hook_result(plan, status=HookStatus.PASSED, fails_run=False)

    def launch(self, plan: HookPlan, context: RunContext) -> Launch | None:
        return None


def test_a_replan_that_plans_nothing_runs_the_first_plan(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for name in ("a.txt", "b.txt"):
        write(root / name, "x\n")
    SEEN.clear()
    hook = Hook(id="picky", phase="fast", runner=Picky(), cache="per-file")
    planning, running = context(root, tmp_path)
    plan = hook.runner.plan(hook, ("a.txt", "b.txt"), planning)
    cache = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    cache.run(plan, running)
    cache.finish()
    write(root / "b.txt", "y\n")
    result = open_cache(
        tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True
    ).run(plan, running)
    assert SEEN == [("a.txt", "b.txt"), ("a.txt", "b.txt")]
    assert result.cached_files == 0
    assert result.files == 2


def test_git_blob_ids_agree_with_git(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write(repo / "a b.py", "é = 1\n")
    commit_all(repo)
    listed = subprocess.run(
        ["git", "ls-files", "-s"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()[1]
    assert id_of(ContentIds(repo, repo / ".git" / "index", repo), "a b.py") == listed


def test_a_config_file_changed_while_the_hook_ran_earns_nothing(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(root / "a.txt", "x\n")
    write(root / "pyproject.toml", "[tool.x]\n")
    old = time.time_ns() - 10**10
    for path in (root, root / "pyproject.toml", root / "a.txt"):
        os.utime(path, ns=(old, old))
    time.sleep(0.15)  # the files' last changes settle (a coarse clock must not hide a write)
    hook = Hook(
        id="check",
        phase="fast",
        runner=editor("a.txt", "pyproject.toml"),
        cache="per-file",
        cache_inputs=("pyproject.toml", "conf/*.toml"),
    )
    planning, running = context(root, tmp_path)
    plan = hook.runner.plan(hook, ("a.txt",), planning)
    cache = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    assert cache.run(plan, running).status is HookStatus.PASSED
    cache.finish()
    assert cache.cached_files(plan, planning) == 0
    quiet = Hook(
        id="quiet",
        phase="fast",
        runner=editor(""),
        cache="per-file",
        cache_inputs=hook.cache_inputs,
    )
    plan = quiet.runner.plan(quiet, ("a.txt",), planning)
    time.sleep(0.15)  # pyproject.toml was just written: a pass is recorded once it settled
    cache.run(plan, running)
    cache.finish()
    assert cache.cached_files(plan, planning) == 1
    write(root / "conf" / "new.toml", "x")
    assert cache.cached_files(plan, planning) == 0


def passing() -> InProcess:
    def check(files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool) -> CheckOutcome:
        return CheckOutcome(failed=False)

    return InProcess(check)


def rewriting(name: str) -> InProcess:
    """A fixer that rewrites ``name`` and says so."""

    def check(files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool) -> CheckOutcome:
        write(root / name, "fixed\n")
        return CheckOutcome(failed=False, modified=(name,))

    return InProcess(check)


def settled_files(root: Path, *names: str) -> None:
    for name in names:
        write(root / name, "x\n")
    time.sleep(0.15)  # their last changes settle: stat data alone vouches for them


def test_a_pass_is_kept_only_for_what_its_files_held_when_the_hook_ended(tmp_path: Path) -> None:
    root = tmp_path / "root"
    settled_files(root, "a.txt", "b.txt")
    planning, running = context(root, tmp_path)
    cache = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    plans = []
    for name in ("one", "two"):
        hook = Hook(id=name, phase="fast", runner=passing(), cache="per-file")
        plans.append(hook.runner.plan(hook, ("a.txt", "b.txt"), planning))
        assert cache.run(plans[-1], running).status is HookStatus.PASSED
        write(root / "b.txt", f"changed after {name}\n")  # by another process, unseen
    cache.finish()
    fresh = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    assert [fresh.cached_files(plan, planning) for plan in plans] == [1, 1]  # a.txt, not b.txt
    write(root / "b.txt", "x\n")
    fresh = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    # "two" was keyed by the run's one look at b.txt ("x"), which b.txt no longer held when it
    # ended; whether "one" kept b.txt depends on when its pass was recorded (both are true).
    assert fresh.cached_files(plans[1], planning) == 1


def test_a_file_a_hook_of_the_run_changes_is_looked_at_again(tmp_path: Path) -> None:
    root = tmp_path / "root"
    settled_files(root, "a.txt", "b.txt")
    planning, running = context(root, tmp_path)
    cache = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    before = Hook(id="before", phase="fast", runner=passing(), cache="per-file")
    fixer = Hook(id="fixer", phase="fast", runner=rewriting("b.txt"), fixer=True)
    after = Hook(id="after", phase="fast", runner=passing(), cache="per-file")
    files = ("a.txt", "b.txt")
    plans = [hook.runner.plan(hook, files, planning) for hook in (before, fixer, after)]
    results = [cache.run(plan, running) for plan in plans]
    assert results[1].modified == ("b.txt",)
    cache.finish()
    fresh = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    assert fresh.cached_files(plans[0], planning) == 1  # b.txt changed since it was keyed
    assert fresh.cached_files(plans[2], planning) == 2  # keyed by b.txt as the fixer left it


def test_a_fixer_given_no_file_names_makes_the_run_look_at_every_file_again(
    tmp_path: Path,
) -> None:
    root = tmp_path / "root"
    settled_files(root, "a.txt")
    planning, running = context(root, tmp_path)
    cache = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    check = Hook(id="check", phase="fast", runner=passing(), cache="per-file")
    plan = check.runner.plan(check, ("a.txt",), planning)
    cache.run(plan, running)
    cache.finish()
    assert cache.cached_files(plan, planning) == 1
    write(root / "a.txt", "y\n")
    hidden = Hook(id="hidden", phase="fast", runner=passing(), fixer=True)
    unseen = HookPlan(hook=hidden, files=("a.txt",), batches=((),))
    cache.run(unseen, running)
    assert cache.cached_files(plan, planning) == 0


def test_a_file_that_cannot_be_read_is_known_by_nothing_until_forgotten(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(root / "a.txt", "x\n")
    (root / "link").symlink_to("a.txt")
    ids = ContentIds(root)
    known = ids.many(["a.txt", "gone.txt", "link"])
    assert list(known) == ["a.txt"]
    write(root / "gone.txt", "y\n")
    assert ids.many(["gone.txt"]) == {}  # looked at once a run
    ids.forget(["gone.txt"])
    assert list(ids.many(["gone.txt"])) == ["gone.txt"]
    (root / "a.txt").unlink()
    assert ids.holding(known.values()) == set()


def test_a_rooted_input_that_appears_while_the_hook_runs_earns_nothing(tmp_path: Path) -> None:
    root = tmp_path / "root"
    settled_files(root, "a.txt")
    hook = Hook(
        id="check",
        phase="fast",
        runner=editor("a.txt", "conf/new.toml"),
        cache="per-file",
        cache_inputs=("conf/*.toml",),
    )
    planning, running = context(root, tmp_path)
    plan = hook.runner.plan(hook, ("a.txt",), planning)
    cache = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    cache.run(plan, running)
    cache.finish()
    (root / "conf" / "new.toml").unlink()  # as the hook was keyed: its pass was not kept
    assert cache.cached_files(plan, planning) == 0


def test_a_configuration_file_a_hook_changes_is_read_again_for_the_next_hooks(
    tmp_path: Path,
) -> None:
    root = tmp_path / "root"
    settled_files(root, "a.txt", "pyproject.toml")
    planning, running = context(root, tmp_path)
    cache = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    readers = [
        Hook(
            id=name,
            phase="fast",
            runner=passing(),
            cache="per-file",
            cache_inputs=("pyproject.toml",),
        )
        for name in ("before", "after")
    ]
    fixer = Hook(id="fixer", phase="fast", runner=rewriting("pyproject.toml"), fixer=True)
    plans = [hook.runner.plan(hook, ("a.txt",), planning) for hook in (readers[0], fixer)]
    plans.append(readers[1].runner.plan(readers[1], ("a.txt",), planning))
    for plan in plans:
        cache.run(plan, running)
    cache.finish()
    fresh = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    # The first reader was keyed by the old pyproject.toml, the second by the fixed one.
    assert [fresh.cached_files(plans[i], planning) for i in (0, 2)] == [0, 1]


def test_the_selections_looks_serve_until_a_hook_changes_the_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    for name in ("a.py", "b.py"):
        write(repo / name, "A = 1\n")
    commit_all(repo)
    time.sleep(0.15)  # settled: the index's stat data vouches for both
    looks = FileModes(repo.absolute())
    assert [looks.of(name) is None for name in ("a.py", "b.py")] == [False, False]
    ids = ContentIds(repo.absolute(), repo / ".git" / "index", repo, looks)
    write(repo / "a.py", "A = 2\n")  # a hook changed it and said so
    ids.forget(["a.py"])
    write(repo / "b.py", "B = 2\n")  # another process changed it after the selection looked
    known = ids.many(["a.py", "b.py"])
    assert known["a.py"].content == hash_object(repo, "a.py")
    assert known["b.py"].content != hash_object(repo, "b.py")  # the selection's look
    assert ids.holding(known.values()) == {known["a.py"]}  # so b.py's pass is never kept


WAIT_FOR = """import glob, sys, time
end = time.monotonic() + 10
while not glob.glob(sys.argv[1]) and time.monotonic() < end:
    time.sleep(0.01)
sys.exit(0 if glob.glob(sys.argv[1]) else 1)
"""


def test_passes_are_recorded_while_a_later_hooks_program_runs(tmp_path: Path) -> None:
    root, folder = tmp_path / "root", tmp_path / "cache"
    settled_files(root, "a.txt")
    planning, running = context(root, tmp_path)
    cache = open_cache(folder, max_mb=1, root=root, index=None, top=None, whole=True)
    first = Hook(id="first", phase="fast", runner=passing(), cache="per-file")
    assert cache.run(first.runner.plan(first, ("a.txt",), planning), running).status is (
        HookStatus.PASSED
    )
    segments = str(folder / "v1" / "*" / "*.seg")
    watcher = command_hook("watcher", command=(PYTHON, "-c", WAIT_FOR, segments))
    watched = cache.run(watcher.runner.plan(watcher, ("a.txt",), planning), running)
    assert watched.status is HookStatus.PASSED  # its program saw the first hook's pass written
    cache.finish()


def test_an_error_on_the_recorders_thread_is_one_warning_not_a_failed_run(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache", 1 << 20)
    recorder = Recorder(ContentIds(tmp_path), store)

    def broken() -> dict[str, str]:
        raise RuntimeError("a bug")

    recorder.add(Earned("bucket", {}, make=broken))
    recorder.record_now()
    recorder.finish([])
    assert store.warning is not None
    assert "a bug" in store.warning


def two_readers(root: Path, planning: PlanContext) -> tuple[HookPlan, HookPlan]:
    hooks = [
        Hook(
            id=name,
            phase="fast",
            runner=passing(),
            cache="per-file",
            cache_inputs=("pyproject.toml",),
        )
        for name in ("a", "b")
    ]
    first, second = (hook.runner.plan(hook, ("x.txt",), planning) for hook in hooks)
    return first, second


def test_a_configuration_file_edited_during_a_run_is_seen_before_a_hit(tmp_path: Path) -> None:
    root = tmp_path / "root"
    settled_files(root, "x.txt", "pyproject.toml")
    planning, running = context(root, tmp_path)
    reads, served = two_readers(root, planning)
    first = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    assert not first.run(served, running).cached
    first.finish()
    second = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    second.run(reads, running)  # reads pyproject.toml for the run's hooks
    write(root / "pyproject.toml", "[tool.new]\n")  # the user's editor, mid-run
    assert not second.run(served, running).cached


def indexed_repo(tmp_path: Path, files: Mapping[str, str]) -> Path:
    repo = make_repo(tmp_path / "repo")
    for name, text in files.items():
        write(repo / name, text)
    commit_all(repo)
    time.sleep(0.15)  # settled: the index's stat data vouches for each
    return repo


def test_a_file_changed_after_the_selection_looked_is_checked_not_served(tmp_path: Path) -> None:
    repo = indexed_repo(tmp_path, {"x.py": "X = 1\n"})
    planning, running = context(repo, tmp_path)
    check = Hook(id="check", phase="fast", runner=passing(), cache="per-file")
    plan = check.runner.plan(check, ("x.py",), planning)
    index, folder = repo / ".git" / "index", tmp_path / "cache"
    first = open_cache(folder, max_mb=1, root=repo, index=index, top=repo, whole=True)
    assert not first.run(plan, running).cached
    first.finish()
    looks = FileModes(repo)
    assert looks.of("x.py") is not None  # the selection looks
    second = open_cache(folder, max_mb=1, root=repo, index=index, top=repo, whole=True, looks=looks)
    write(repo / "x.py", "X = 2\n")  # another process, before the hook starts
    assert not second.run(plan, running).cached


def test_a_file_a_hook_rewrote_without_saying_is_checked_not_served(tmp_path: Path) -> None:
    """A generator given a.proto rewrites gen.py (not one of its files: nothing says so)."""
    repo = indexed_repo(tmp_path, {"a.proto": "message A {}\n", "gen.py": "OLD = 1\n"})

    def generate(
        files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool
    ) -> CheckOutcome:
        write(root / "gen.py", "NEW = (\n")
        return CheckOutcome(failed=False)

    planning, running = context(repo, tmp_path)
    gen = Hook(id="gen", phase="fast", runner=InProcess(generate), fixer=True)
    check = Hook(id="check", phase="late", runner=passing(), cache="per-file")
    generating = gen.runner.plan(gen, ("a.proto",), planning)
    checking = check.runner.plan(check, ("gen.py",), planning)
    index, folder = repo / ".git" / "index", tmp_path / "cache"
    first = open_cache(folder, max_mb=1, root=repo, index=index, top=repo, whole=True)
    first.run(checking, running)
    first.finish()
    looks = FileModes(repo)
    assert [looks.of(name) is None for name in ("a.proto", "gen.py")] == [False, False]
    second = open_cache(folder, max_mb=1, root=repo, index=index, top=repo, whole=True, looks=looks)
    second.run(generating, running)
    assert not second.run(checking, running).cached


def test_a_recorder_thread_that_cannot_start_fails_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "root"
    settled_files(root, "a.txt")
    planning, running = context(root, tmp_path)
    cache = open_cache(tmp_path / "cache", max_mb=1, root=root, index=None, top=None, whole=True)
    first = Hook(id="first", phase="fast", runner=passing(), cache="per-file")
    cache.run(first.runner.plan(first, ("a.txt",), planning), running)
    start = threading.Thread.start

    def refuse(thread: threading.Thread) -> None:
        if thread.name == "crackjack result cache":
            raise RuntimeError("can't start new thread")
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", refuse)
    second = command_hook("second", command=(PYTHON, "-c", "pass"))
    assert cache.run(second.runner.plan(second, ("a.txt",), planning), running).status is (
        HookStatus.PASSED
    )
    cache.finish()  # records on the run's thread instead
    assert cache.cached_files(first.runner.plan(first, ("a.txt",), planning), planning) == 1


def test_hooks_keyed_on_two_threads_at_once_read_the_same_configuration(tmp_path: Path) -> None:
    """A digest being read is a placeholder (``""``, for files that extend each other): a second
    thread asking for it meanwhile must wait for the digest, not key its hook by an absent file
    (mypy and bandit, started together, were keyed apart from their next run)."""
    for index in range(8):
        write(tmp_path / f"base{index}.toml", f"extend = 'base{index + 1}.toml'\nx = {index}\n")
    write(tmp_path / "pyproject.toml", "extend = 'base0.toml'\n")
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(200):
            inputs, found = Inputs(tmp_path), list[str]()
            readers = [threading.Thread(target=_chain_of, args=(inputs, found)) for _ in range(2)]
            for reader in readers:
                reader.start()
            for reader in readers:
                reader.join()
            assert found[0] == found[1] != ""
    finally:
        sys.setswitchinterval(switch)


def _chain_of(inputs: Inputs, found: list[str]) -> None:
    found.append(inputs.chain("", ("pyproject.toml",)))
