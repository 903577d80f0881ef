"""crackjack's pytest plugin: real pytest processes on small generated projects, reading the
report pipe as crackjack does; its pure functions and hooks also in-process (for coverage)."""

from __future__ import annotations

import ast
import json
import os
import random
import re
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from crackjack.core.testphase import pytestplugin
from crackjack.core.testphase.pytestplugin.crackjack_pytest import plugin, wire
from crackjack.core.valueclass import record, value

Message = dict[str, Any]

OUTCOMES = {
    "test_outcomes.py": """
        import os
        import pytest

        @pytest.fixture
        def broken_setup():
            raise RuntimeError("setup boom")

        @pytest.fixture
        def broken_teardown():
            yield
            raise RuntimeError("teardown boom")

        def test_pass():
            assert "CRACKJACK_REPORT_FD" not in os.environ

        def test_fail():
            assert 1 == 2

        def test_setup_error(broken_setup):
            pass

        def test_teardown_error(broken_teardown):
            pass

        def test_skip():
            pytest.skip("not today")

        @pytest.mark.xfail(reason="known bug")
        def test_xfail():
            assert False

        @pytest.mark.xfail(reason="fixed?")
        def test_xpass():
            pass

        @pytest.mark.parametrize("n", [1, 2])
        def test_param(n):
            assert n
    """,
    "test_skipped_module.py": """
        import pytest

        pytest.skip("whole module", allow_module_level=True)
    """,
}
T = "test_outcomes.py::"
EXPECTED_REPORTS = {
    (T + "test_pass", "call", "passed", ""),
    (T + "test_fail", "call", "failed", "assert 1 == 2"),
    (T + "test_setup_error", "setup", "error", "RuntimeError: setup boom"),
    (T + "test_teardown_error", "call", "passed", ""),
    (T + "test_teardown_error", "teardown", "error", "RuntimeError: teardown boom"),
    (T + "test_skip", "call", "skipped", "not today"),
    (T + "test_xfail", "call", "xfailed", "known bug"),
    (T + "test_xpass", "call", "xpassed", ""),
    (T + "test_param[1]", "call", "passed", ""),
    (T + "test_param[2]", "call", "passed", ""),
    ("test_skipped_module.py", "collect", "skipped", "whole module"),
}
OUTCOME_TESTS = {report[0] for report in EXPECTED_REPORTS if report[1] != "collect"}

SHARDED = {
    "test_one.py": """
        def test_a(): pass
        def test_b(): pass
        def test_c(): pass
        def test_d(): pass
    """,
    "test_two.py": """
        import pytest

        @pytest.mark.parametrize("n", range(5))
        def test_p(n): pass
    """,
}
SHARDED_TESTS = sorted(
    [f"test_one.py::test_{name}" for name in "abcd"]
    + [f"test_two.py::test_p[{n}]" for n in range(5)]
)
# Known durations for some of SHARDED_TESTS (the others count as their mean).
DURATIONS = {
    "test_one.py::test_a": 3.0,
    "test_one.py::test_b": 1.5,
    "test_two.py::test_p[0]": 0.5,
    "test_two.py::test_p[3]": 0.25,
}
SLEEPY = """
    import time
    import pytest

    @pytest.fixture
    def slow_setup():
        time.sleep(0.02)
        yield
        time.sleep(0.02)

    def test_sleeps(slow_setup):
        time.sleep(0.01)
"""


SUMMARY = re.compile(r"(\d+ \w+(?:, \d+ \w+)*) in \d")
SINGULAR = {"errors": "error", "warning": "", "warnings": ""}


# Running pytest with the plugin


@value(eq=True)
class Run:
    code: int
    out: str
    messages: list[Message]

    def of(self, kind: str) -> list[Message]:
        return [message for message in self.messages if message["type"] == kind]

    def nodeids(self, kind: str) -> list[str]:
        return [message["nodeid"] for message in self.of(kind)]

    def reports(self) -> set[tuple[str, str, str, str]]:
        reports = [(m["nodeid"], m["when"], m["category"], m["reason"]) for m in self.of("report")]
        assert len(set(reports)) == len(reports)
        return set(reports)

    def categories(self) -> Counter[str]:
        return Counter(message["category"] for message in self.of("report"))

    def count(self, kind: str) -> int:
        """The count of the (single) collected message, or the total of deselected ones."""
        return sum(message["count"] for message in self.of(kind))

    def summary(self) -> Counter[str]:
        """The counts of pytest's own final summary line (warnings left out)."""
        line = SUMMARY.findall(self.out)[-1]
        counts: Counter[str] = Counter()
        for number, word in (part.split(" ") for part in line.split(", ")):
            counts[SINGULAR.get(word, word)] += int(number)
        del counts[""]
        return counts


def child_env(env: Mapping[str, str], autoload: bool) -> dict[str, str]:
    """This environment without the outer pytest's own variables, with the plugin importable;
    without ``autoload``, installed plugins (xdist, pytest-cov) stay out: pytest starts in half
    the time."""
    own = ("PYTEST_", "COV_CORE_", "COVERAGE_")
    clean = {name: value for name, value in os.environ.items() if not name.startswith(own)}
    paths = [str(pytestplugin.FOLDER), *filter(None, [os.environ.get("PYTHONPATH")])]
    clean["PYTHONPATH"] = os.pathsep.join(paths)
    if not autoload:
        clean["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return {**clean, **env}


@record
class Pending:
    """A pytest process started with the plugin; ``wait`` reads its report pipe."""

    process: subprocess.Popen[str]
    pipe: int | None

    def wait(self) -> Run:
        out, _ = self.process.communicate(timeout=60)
        data = b""
        if self.pipe is not None:
            with os.fdopen(self.pipe, "rb") as pipe:
                data = pipe.read()
        run = Run(self.process.returncode, out, parse_lines(data))
        check_protocol(run)
        return run


def start_pytest(
    project: Path,
    *args: str,
    env: Mapping[str, str] = {},
    report: bool = True,
    autoload: bool = False,
) -> Pending:
    """Start ``python -m pytest -p crackjack_pytest.plugin ARGS`` in ``project``, as crackjack does
    (the report pipe is read by ``wait``: what a small project writes fits in its buffer)."""
    read, write = os.pipe() if report else (None, None)
    fds = {wire.REPORT_FD_ENV: str(write)} if write is not None else {}
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-p", pytestplugin.MODULE, *args],
            cwd=project,
            env=child_env({**fds, **env}, autoload),
            pass_fds=(write,) if write is not None else (),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    finally:
        if write is not None:
            os.close(write)
    return Pending(process, read)


def run_pytest(
    project: Path,
    *args: str,
    env: Mapping[str, str] = {},
    report: bool = True,
    autoload: bool = False,
) -> Run:
    """Run pytest with the plugin in ``project``: its exit code, output and messages."""
    return start_pytest(project, *args, env=env, report=report, autoload=autoload).wait()


def parse_lines(data: bytes) -> list[Message]:
    assert not data or data.endswith(b"\n")
    return [json.loads(line) for line in data.decode("ascii").splitlines()]


def check_protocol(run: Run) -> None:
    """What every run's messages must satisfy."""
    kinds = {"collected", "start", "report", "finished", "deselected", "coverage"}
    assert {message["type"] for message in run.messages[:-1]} <= kinds
    if run.messages:
        assert run.messages[-1] == {"type": "session_finished", "exitstatus": run.code}
        assert len(run.of("collected")) <= 1
    started, finished = run.nodeids("start"), run.nodeids("finished")
    assert sorted(started) == sorted(finished)
    assert len(set(started)) == len(started)


def make_project(root: Path, files: Mapping[str, str]) -> Path:
    """A project with its own (empty) pytest.ini: the outer project's settings stay out."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    for name, code in files.items():
        (root / name).write_text(textwrap.dedent(code), encoding="utf-8")
    return root


def write_durations(cache_dir: Path, durations: Mapping[str, object]) -> None:
    path = cache_dir / "v" / "crackjack" / "durations"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(durations), encoding="utf-8")


def read_durations(cache_dir: Path) -> object:
    return json.loads((cache_dir / "v" / "crackjack" / "durations").read_text(encoding="utf-8"))


# Real pytest processes


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["plain", "xdist"])
def test_reports_match_pytest_summary(tmp_path: Path, xdist: list[str]) -> None:
    # (with the installed plugins: the plugin meets xdist, active or not)
    project = make_project(tmp_path, OUTCOMES)
    run = run_pytest(project, "-p", "no:cacheprovider", *xdist, autoload=True)
    assert run.code == 1
    assert run.reports() == EXPECTED_REPORTS
    assert run.categories() == run.summary()
    assert run.categories() == {
        "passed": 4,
        "failed": 1,
        "error": 2,
        "skipped": 2,
        "xfailed": 1,
        "xpassed": 1,
    }
    assert run.of("collected") == [{"type": "collected", "count": len(OUTCOME_TESTS)}]
    assert set(run.nodeids("start")) == OUTCOME_TESTS
    assert not run.of("deselected")
    assert not run.of("coverage")


def test_reports_without_the_terminal_reporter(tmp_path: Path) -> None:
    # The plugin reads the categories the terminal reporter filed; without it, it asks pytest.
    project = make_project(tmp_path, OUTCOMES)
    run = run_pytest(project, "-p", "no:cacheprovider", "-p", "no:terminal")
    assert run.code == 1
    assert run.reports() == EXPECTED_REPORTS


def test_each_test_starts_reports_then_finishes(tmp_path: Path) -> None:
    run = run_pytest(make_project(tmp_path, {"test_slow.py": SLEEPY}), "-p", "no:cacheprovider")
    assert [(m["type"], m.get("nodeid")) for m in run.messages] == [
        ("collected", None),
        ("start", "test_slow.py::test_sleeps"),
        ("report", "test_slow.py::test_sleeps"),
        ("finished", "test_slow.py::test_sleeps"),
        ("session_finished", None),
    ]
    assert 0.045 <= run.of("finished")[0]["duration"] < 5


def test_collection_error(tmp_path: Path) -> None:
    project = make_project(
        tmp_path, {"test_fine.py": "def test_fine(): pass\n", "test_broken.py": "import nowhere\n"}
    )
    run = run_pytest(project, "-p", "no:cacheprovider")
    assert run.code == 2  # interrupted: errors during collection
    assert run.reports() == {
        ("test_broken.py", "collect", "error", "ModuleNotFoundError: No module named 'nowhere'")
    }
    assert run.categories() == run.summary()
    assert run.count("collected") == 1
    assert not run.of("start")


@pytest.mark.parametrize(
    ("files", "args", "deselected"),
    [({}, [], 0), (SHARDED, ["-k", "nothing_matches"], len(SHARDED_TESTS))],
    ids=["empty", "all-deselected"],
)
def test_no_tests(tmp_path: Path, files: dict[str, str], args: list[str], deselected: int) -> None:
    run = run_pytest(make_project(tmp_path, files), "-p", "no:cacheprovider", *args)
    assert run.code == 5
    assert run.messages == [
        *([{"type": "deselected", "count": deselected}] if deselected else []),
        {"type": "collected", "count": 0},
        {"type": "session_finished", "exitstatus": 5},
    ]


def test_durations_cache_written_and_merged(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"test_slow.py": SLEEPY, **SHARDED})
    cache = project / ".pytest_cache"
    write_durations(cache, {"test_gone.py::test_old": 2.5, "test_gone.py::test_bad": "slow"})

    first = run_pytest(project)
    assert first.code == 0
    durations = cast(dict[str, float], read_durations(cache))
    assert set(durations) == {"test_gone.py::test_old", "test_slow.py::test_sleeps", *SHARDED_TESTS}
    assert durations["test_gone.py::test_old"] == 2.5
    for message in first.of("finished"):
        assert durations[message["nodeid"]] == pytest.approx(message["duration"], abs=1e-4)
    assert durations["test_slow.py::test_sleeps"] >= 0.045

    second = run_pytest(project, "test_slow.py")
    assert second.nodeids("finished") == ["test_slow.py::test_sleeps"]
    merged = cast(dict[str, float], read_durations(cache))
    assert merged == {**durations, "test_slow.py::test_sleeps": merged["test_slow.py::test_sleeps"]}
    assert merged["test_slow.py::test_sleeps"] == pytest.approx(
        second.of("finished")[0]["duration"], abs=1e-4
    )

    # one shard of several leaves the durations alone (the other shards must see the same);
    # without a valid report pipe the plugin reports nothing but still shards
    env = {wire.SHARD_ENV: "2/3", wire.REPORT_FD_ENV: "99"}
    sharded = run_pytest(project, "-q", env=env, report=False)
    assert sharded.code == 0
    assert not sharded.messages
    tests = sorted(merged.keys() - {"test_gone.py::test_old"})
    kept = plugin.shard_of(tests, merged, 3).count(1)
    assert sharded.summary() == {"passed": kept, "deselected": len(tests) - kept}
    assert read_durations(cache) == merged


def start_shards(project: Path, count: int, known: bool) -> Iterator[tuple[int, Pending]]:
    for index in range(1, count + 1):
        cache = project / f".cache-{index}-{count}"
        if known:
            write_durations(cache, DURATIONS)
        args = ["-o", f"cache_dir={cache.name}"] if known else ["-p", "no:cacheprovider"]
        yield index, start_pytest(project, *args, env={wire.SHARD_ENV: f"{index}/{count}"})


@pytest.mark.parametrize("known", [False, True], ids=["unknown-durations", "known-durations"])
def test_shards_cover_every_test_once(tmp_path: Path, known: bool) -> None:
    project = make_project(tmp_path, SHARDED)
    pending = {
        (index, count): run
        for count in range(1, 5)
        for index, run in start_shards(project, count, known)
    }
    runs = {shard: run.wait() for shard, run in pending.items()}
    for count in range(1, 5):
        expected = plugin.shard_of(SHARDED_TESTS, DURATIONS if known else {}, count)
        ran: list[str] = []
        for index in range(1, count + 1):
            run = runs[index, count]
            assert run.code == 0
            started = sorted(run.nodeids("start"))
            assert started == [
                t for t, s in zip(SHARDED_TESTS, expected, strict=True) if s == index - 1
            ]
            assert run.count("collected") == len(started)
            assert run.count("deselected") == len(SHARDED_TESTS) - len(started)
            ran += started
        assert sorted(ran) == SHARDED_TESTS


def test_known_durations_change_the_split() -> None:
    """(So that test_shards_cover_every_test_once shows the plugin reads the cache.)"""
    assert plugin.shard_of(SHARDED_TESTS, DURATIONS, 3) != plugin.shard_of(SHARDED_TESTS, {}, 3)


def test_xdist_workers_shard(tmp_path: Path) -> None:
    project = make_project(tmp_path, SHARDED)
    write_durations(project / ".pytest_cache", DURATIONS)
    run = run_pytest(project, "-n", "2", env={wire.SHARD_ENV: "2/3"}, autoload=True)
    expected = plugin.shard_of(SHARDED_TESTS, DURATIONS, 3)
    kept = [test for test, shard in zip(SHARDED_TESTS, expected, strict=True) if shard == 1]
    assert run.code == 0
    assert sorted(run.nodeids("start")) == kept
    assert run.count("collected") == len(kept)
    # the workers deselect: their count reaches the main process when the first one is done
    assert run.of("deselected") == [{"type": "deselected", "count": len(SHARDED_TESTS) - len(kept)}]
    assert run.categories() == run.summary() == {"passed": len(kept)}


def test_invalid_shard_is_a_usage_error(tmp_path: Path) -> None:
    run = run_pytest(make_project(tmp_path, SHARDED), env={wire.SHARD_ENV: "3/2"})
    assert run.code == 4
    assert not run.messages
    assert (
        "CRACKJACK_SHARD='3/2' is not a shard: K must be between 1 and N (here 1 to 2)" in run.out
    )


def test_coverage_reported_with_pytest_cov(tmp_path: Path) -> None:
    files = {
        "mod.py": "def used():\n    return 1\n\n\ndef unused():\n    return 2\n",
        "test_mod.py": "import mod\n\n\ndef test_used():\n    assert mod.used() == 1\n",
    }
    project = make_project(tmp_path, files)
    args = ["-p", "pytest_cov", "-p", "no:cacheprovider", "--cov=mod", "--cov-fail-under=80"]
    run = run_pytest(project, *args)
    assert run.code == 1  # 75% < 80%
    assert run.of("coverage") == [{"type": "coverage", "total": 75.0, "fail_under": 80.0}]
    assert run.messages[-2:-1] == run.of("coverage")
    assert run.categories() == {"passed": 1}


# The plugin's hooks in this process (their lines count towards crackjack's coverage)


@pytest.mark.parametrize("shard", ["", "1/2"], ids=["whole", "sharded"])
def test_in_process_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shard: str) -> None:
    project = make_project(tmp_path, OUTCOMES)
    write_durations(project / ".pytest_cache", DURATIONS)
    selected = sorted(test for test in OUTCOME_TESTS if "param" not in test)
    kept = [t for t, s in zip(selected, plugin.shard_of(selected, {}, 2), strict=True) if s == 0]
    read, write = os.pipe()
    monkeypatch.setenv(wire.REPORT_FD_ENV, str(write))
    monkeypatch.setenv(wire.SHARD_ENV, shard)
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    # (the sharded run also without xdist: the plugin loads without it)
    no_xdist = ["-p", "no:xdist"] if shard else []
    code = run_in_process(project, monkeypatch, "-q", "-k", "not test_param", *no_xdist)
    assert wire.REPORT_FD_ENV not in os.environ
    with pytest.raises(OSError, match="Bad file descriptor"):
        os.fstat(write)  # closed at the end of the session
    with os.fdopen(read, "rb") as pipe:
        run = Run(code, "", parse_lines(pipe.read()))
    check_protocol(run)
    assert run.of("deselected") == [
        {"type": "deselected", "count": 2},
        *([{"type": "deselected", "count": len(selected) - len(kept)}] if shard else []),
    ]
    assert run.of("collected") == [{"type": "collected", "count": len(kept if shard else selected)}]
    assert sorted(run.nodeids("start")) == (kept if shard else selected)
    assert run.reports() == {
        r for r in EXPECTED_REPORTS if r[0] in [*run.nodeids("start"), "test_skipped_module.py"]
    }
    cached = cast(dict[str, float], read_durations(project / ".pytest_cache"))
    assert set(cached) == set(DURATIONS) | (set() if shard else set(selected))


def run_in_process(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """``pytest.main`` with the plugin in ``project``, forgetting the test modules it imports."""
    monkeypatch.chdir(project)
    before = set(sys.modules)
    try:
        return int(pytest.main(["--import-mode=importlib", *args], plugins=[plugin]))
    finally:
        for name in set(sys.modules) - before:
            if str(getattr(sys.modules[name], "__file__", "")).startswith(str(project)):
                del sys.modules[name]


# Pure functions and small pieces


def test_the_module_pytest_is_given_lies_in_the_folder_on_its_path() -> None:
    assert (pytestplugin.FOLDER / f"{pytestplugin.MODULE.replace('.', '/')}.py").is_file()


def imports_of(module: Any) -> set[str]:
    """The top-level modules ``module`` imports ("." for its own package)."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    return {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        "." if node.level else (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }


def test_plugin_imports_only_the_standard_library_pytest_and_its_wire() -> None:
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    assert imports_of(plugin) - stdlib == {"pytest", "."}
    assert imports_of(wire) <= stdlib


@pytest.mark.parametrize(
    ("value", "shard"), [("1/1", (1, 1)), ("2/4", (2, 4)), (" 3 / 3 ", (3, 3))]
)
def test_parse_shard(value: str, shard: tuple[int, int]) -> None:
    assert wire.parse_shard(value) == shard


@pytest.mark.parametrize(
    "value", ["0/2", "3/2", "1/0", "1", "a/b", "1/2/3", "-1/2", "\uff11/\uff12", "1.0/2"]
)
def test_parse_shard_refuses(value: str) -> None:
    with pytest.raises(ValueError, match=r"^(expected K/N|K must be between 1 and N)"):
        wire.parse_shard(value)
    with pytest.raises(pytest.UsageError, match=r"CRACKJACK_SHARD='.*' is not a shard: "):
        plugin.shard_from_env({wire.SHARD_ENV: value})


def test_shard_from_env() -> None:
    assert plugin.shard_from_env({}) is None
    assert plugin.shard_from_env({wire.SHARD_ENV: " "}) is None
    assert plugin.shard_from_env({wire.SHARD_ENV: "1/2"}) == (1, 2)


def test_shard_of_longest_first_to_the_least_loaded() -> None:
    durations = {"a": 5.0, "b": 4.0, "c": 3.0, "d": 3.0, "e": 2.0}
    # a -> 0 (5), b -> 1 (4), c -> 1 (7), d -> 0 (8), e -> 1 (9)
    assert plugin.shard_of(["e", "d", "c", "b", "a"], durations, 2) == [1, 0, 1, 1, 0]
    assert plugin.shard_of(["a", "b"], durations, 3) == [0, 1]


def test_shard_of_unknown_durations_count_as_the_mean() -> None:
    # mean 2.0: a (3 s) -> 0, x (2 s) -> 1, y (2 s) -> 1, b (1 s) -> 0
    assert plugin.shard_of(["y", "x", "a", "b"], {"a": 3.0, "b": 1.0}, 2) == [1, 1, 0, 0]
    # none known: 1 s each, so round robin in id order
    assert plugin.shard_of(["c", "a", "b", "d"], {}, 3) == [2, 0, 1, 0]
    # durations of tests not in the list don't count towards the mean
    assert plugin.shard_of(["x", "a"], {"a": 1.0, "zzz": 100.0}, 2) == [1, 0]


def test_shard_of_spreads_tests_of_no_duration() -> None:
    assert plugin.shard_of(["a", "b", "c", "d"], dict.fromkeys("abcd", 0.0), 2) == [0, 1, 0, 1]


def test_shard_of_ignores_unusable_durations() -> None:
    durations = {"a": float("nan"), "b": -1.0, "c": float("inf"), "d": 2.0, "e": 4.0}
    # a, b and c count as the mean, 3 s: e -> 0 (4), a -> 1 (3), b -> 1 (6), c -> 0 (7), d -> 1
    assert plugin.shard_of(["a", "b", "c", "d", "e"], durations, 2) == [1, 1, 0, 1, 0]


def test_shard_of_is_a_partition_independent_of_the_order() -> None:
    rng = random.Random(42)
    nodeids = [f"test_{i}.py::test_{j}" for i in range(7) for j in range(9)]
    durations = {nodeid: rng.choice([0.0, 0.01, 0.3, 2.0]) for nodeid in rng.sample(nodeids, 40)}
    for count in range(1, 6):
        shards = dict(zip(nodeids, plugin.shard_of(nodeids, durations, count), strict=True))
        assert set(shards.values()) == set(range(count))
        shuffled = rng.sample(nodeids, len(nodeids))
        assert plugin.shard_of(shuffled, durations, count) == [shards[n] for n in shuffled]


def test_shard_of_balances() -> None:
    durations = {"slow": 10.0, **{f"fast{i}": 1.0 for i in range(10)}}
    shards = plugin.shard_of(sorted(durations), durations, 2)
    loads = Counter[int]()
    for nodeid, shard in zip(sorted(durations), shards, strict=True):
        loads[shard] += int(durations[nodeid])
    assert loads == {0: 10, 1: 10}


def test_shard_of_needs_a_shard() -> None:
    assert plugin.shard_of([], {}, 1) == []
    with pytest.raises(ValueError, match="at least 1"):
        plugin.shard_of(["a"], {}, 0)


def test_known_durations() -> None:
    assert plugin.known_durations(None) == {}
    assert plugin.known_durations(["a"]) == {}
    cached = {"a": 1, "b": 0.5, "c": True, "d": "1", "e": -0.1, "f": float("inf"), 3: 1.0}
    assert plugin.known_durations(cached) == {"a": 1.0, "b": 0.5}


def test_merge_durations() -> None:
    assert plugin.merge_durations({"a": 1.0, "b": 2.0, "c": "x"}, {"b": 3.0}) == {
        "a": 1.0,
        "b": 3.0,
    }
    assert plugin.merge_durations(None, {"b": 3.0}) == {"b": 3.0}


def test_take_report_fd() -> None:
    read, write = os.pipe()
    try:
        os.set_inheritable(write, True)
        environ = {wire.REPORT_FD_ENV: str(write), "OTHER": "1"}
        assert plugin.take_report_fd(environ) == write
        assert environ == {"OTHER": "1"}
        assert not os.get_inheritable(write)
    finally:
        os.close(read)
        os.close(write)
    for text in ["", "x", "-1", "1.5", "٣", str(write), str(2**80)]:
        environ = {wire.REPORT_FD_ENV: text}
        assert plugin.take_report_fd(environ) is None
        assert environ == {}
    assert plugin.take_report_fd({}) is None


def test_encode() -> None:
    line = wire.encode({"type": "start", "nodeid": "t.py::test[é\udce9]"})
    assert line == b'{"type":"start","nodeid":"t.py::test[\\u00e9\\udce9]"}\n'
    assert json.loads(line) == {"type": "start", "nodeid": "t.py::test[é\udce9]"}


@pytest.mark.parametrize(
    "nodeid", ["t.py::test", 't.py::test[é\udce9"\\\n\t]', "dir with space/t.py::C::test[a-b]"]
)
@pytest.mark.parametrize("duration", [0.0, 1e-06, 0.000123, 12.5, 3600.0])
def test_the_lines_written_out_are_the_encoders(nodeid: str, duration: float) -> None:
    start = {"type": "start", "nodeid": nodeid}
    finished = {"type": "finished", "nodeid": nodeid, "duration": duration}
    assert wire.start_line(nodeid) == wire.encode(start)
    assert json.loads(wire.finished_line(nodeid, duration)) == finished
    assert wire.finished_line(nodeid, duration).isascii()
    report = {"type": "report", "nodeid": nodeid, "when": "call", "category": "x", "reason": nodeid}
    assert wire.report_line(nodeid, "call", "x", nodeid) == wire.encode(report)


def test_one_line() -> None:
    assert plugin.one_line("\n  first  \nsecond") == "first"
    assert plugin.one_line("") == ""
    assert plugin.one_line("x" * 400) == "x" * plugin.REASON_LIMIT


def make_report(outcome: str, longrepr: object, **extra: object) -> pytest.TestReport:
    """A call report (``longrepr`` as any object, such as a stand-in for pytest's reprs)."""
    report: Any = pytest.TestReport
    return cast(
        pytest.TestReport,
        report("t.py::test", ("t.py", 1, "test"), {}, outcome, longrepr, "call", **extra),
    )


def test_report_reason() -> None:
    assert plugin.report_reason(make_report("passed", None)) == ""
    assert plugin.report_reason(make_report("passed", None, wasxfail="flaky")) == ""
    assert plugin.report_reason(make_report("skipped", ("t.py", 1, "Skipped: why"))) == "why"
    assert plugin.report_reason(make_report("skipped", ["t.py", 1, "Skipped"])) == ""
    assert plugin.report_reason(make_report("skipped", ("t.py", 1, "custom"))) == "custom"
    assert plugin.report_reason(make_report("skipped", "odd\nskip")) == "odd"
    xfailed = make_report("skipped", None, wasxfail="reason: imperative")
    assert plugin.report_reason(xfailed) == "imperative"
    strict = make_report("failed", "[XPASS(strict)] fixed")
    assert plugin.report_reason(strict) == "[XPASS(strict)] fixed"
    text = "Traceback:\n  mod.py:1\nE   ImportError: no\n\n"
    assert plugin.report_reason(make_report("failed", text)) == "ImportError: no"
    assert plugin.report_reason(make_report("failed", None)) == ""
    crash = SimpleNamespace(reprcrash=SimpleNamespace(message="boom\nmore"))
    assert plugin.report_reason(make_report("failed", crash)) == "boom"


def test_collect_category() -> None:
    def report(outcome: str) -> pytest.CollectReport:
        return pytest.CollectReport("t.py", outcome, None, [])  # type: ignore[arg-type]

    assert [plugin.collect_category(report(o)) for o in ("passed", "failed", "skipped")] == [
        "",
        "error",
        "skipped",
    ]


def test_coverage_message() -> None:
    def cov(total: object, fail_under: object) -> object:
        return SimpleNamespace(cov_total=total, options=SimpleNamespace(cov_fail_under=fail_under))

    assert plugin.coverage_message(None) is None
    assert plugin.coverage_message(cov(None, 80)) is None
    assert plugin.coverage_message(cov(90, 80)) == {
        "type": "coverage",
        "total": 90.0,
        "fail_under": 80.0,
    }
    assert plugin.coverage_message(cov(90.5, 0.0))["fail_under"] is None  # type: ignore[index]
    assert plugin.coverage_message(SimpleNamespace(cov_total=1.0)) == {
        "type": "coverage",
        "total": 1.0,
        "fail_under": None,
    }


def test_writes_stop_at_a_broken_pipe(pytestconfig: pytest.Config) -> None:
    read, write = os.pipe()
    reporter = plugin.Reporter(pytestconfig, write)
    reporter.send({"type": "report", "nodeid": "a"})
    reporter.send({"type": "start", "nodeid": "b"}, now=True)
    assert os.read(read, 100) == b'{"type":"report","nodeid":"a"}\n{"type":"start","nodeid":"b"}\n'
    os.close(read)
    reporter.send({"type": "start", "nodeid": "c"}, now=True)  # EPIPE
    assert reporter.fd is None
    reporter.send({"type": "start", "nodeid": "d"}, now=True)
    reporter.close()
    with pytest.raises(OSError, match="Bad file descriptor"):
        os.fstat(write)


@pytest.mark.parametrize("distributed", [False, True], ids=["runs-tests", "xdist-controller"])
def test_starts_are_written_at_once_where_tests_run(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch, distributed: bool
) -> None:
    clock = [100.0]
    monkeypatch.setattr(plugin, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    read, write = os.pipe()
    os.set_blocking(read, False)
    reporter = plugin.Reporter(pytestconfig, write)
    reporter.distributed = distributed
    reporter.pytest_runtest_logstart("a")
    if distributed:
        with pytest.raises(BlockingIOError):
            os.read(read, 1000)  # queued: an xdist controller runs no test that could crash
        clock[0] += 2 * plugin.FLUSH_INTERVAL
    reporter.pytest_runtest_logstart("b")
    assert parse_lines(os.read(read, 1000)) == [
        {"type": "start", "nodeid": "a"},
        {"type": "start", "nodeid": "b"},
    ]
    reporter.close()
    os.close(read)


def test_xdist_hooks(pytestconfig: pytest.Config) -> None:
    read, write = os.pipe()
    xdist = plugin.XdistReporter(plugin.Reporter(pytestconfig, write))
    xdist.pytest_xdist_node_collection_finished(["a", "b"])
    xdist.pytest_xdist_node_collection_finished(["a", "b", "c"])
    xdist.pytest_testnodedown(SimpleNamespace())  # crashed: no output
    xdist.pytest_testnodedown(SimpleNamespace(workeroutput={}))  # deselected nothing
    xdist.pytest_testnodedown(SimpleNamespace(workeroutput={plugin.DESELECTED_OUTPUT: 3}))
    xdist.pytest_testnodedown(SimpleNamespace(workeroutput={plugin.DESELECTED_OUTPUT: 3}))
    xdist.reporter.close()
    with os.fdopen(read, "rb") as pipe:
        assert parse_lines(pipe.read()) == [
            {"type": "collected", "count": 2},
            {"type": "deselected", "count": 3},
        ]


def test_worker_counts_deselected() -> None:
    output: dict[str, int] = {}
    item = cast(pytest.Item, SimpleNamespace(config=SimpleNamespace(workeroutput=output)))
    plugin.pytest_deselected([item, item])
    plugin.pytest_deselected([item])
    plugin.pytest_deselected([])
    assert output == {plugin.DESELECTED_OUTPUT: 3}
    plugin.pytest_deselected([cast(pytest.Item, SimpleNamespace(config=SimpleNamespace()))])
