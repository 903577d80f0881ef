"""The test phase end to end: real pytest runs on small generated projects, through the CLI."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.processes import kill_leftovers, wait_gone
from tests.project import (
    PYTHON,
    Cli,
    hook_table,
    make_project,
    run_cli,
    start_process,
    workflow_table,
)

PASSING = """
import pytest

def test_one():
    assert True

def test_two():
    assert 1 + 1 == 2

@pytest.mark.skip(reason="not today")
def test_skipped():
    pass
"""

FAILING = """
def test_good():
    assert True

def test_bad():
    assert 1 == 2, "one is not two"
"""


@pytest.fixture(autouse=True)
def no_plugin_autoload(monkeypatch: pytest.MonkeyPatch) -> None:
    """The generated projects' pytest loads only the plugins a test names (``-p xdist``):
    it starts in half the time, and the outer run's plugins stay out."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(monkeypatch, capsys, "--skip-hooks")


def suite(root: Path, tests: Mapping[str, str], config: str = "") -> Path:
    files = {name: textwrap.dedent(code) for name, code in tests.items()}
    return make_project(root, files, config=config)


def test_a_passing_suite_reports_pytest_numbers_and_the_slowest_tests(
    tmp_path: Path, cli: Cli
) -> None:
    root = suite(tmp_path / "p", {"tests/test_a.py": PASSING})
    result = cli(root)
    assert result.code == 0, result.out
    out = flat(result.out)
    assert "2 passed, 1 skipped" in out
    assert "pytest: slowest tests" in out
    assert "tests/test_a.py::test_one" in out


def test_failed_tests_are_named_with_their_reason(tmp_path: Path, cli: Cli) -> None:
    root = suite(tmp_path / "p", {"tests/test_a.py": FAILING})
    result = cli(root)
    assert result.code == 1
    out = flat(result.out)
    assert "1 failed, 1 passed" in out
    assert "FAILED tests/test_a.py::test_bad - AssertionError: one is not two" in out


def test_a_collection_error_is_its_own_message(tmp_path: Path, cli: Cli) -> None:
    root = suite(
        tmp_path / "p",
        {"tests/test_ok.py": PASSING, "tests/test_broken.py": "import no_such_module_here\n"},
    )
    result = cli(root)
    assert result.code == 1
    out = flat(result.out)
    assert "interrupted: 1 error(s) during collection" in out
    assert "ERROR tests/test_broken.py" in out


def test_no_tests_fails_unless_allowed(tmp_path: Path, cli: Cli) -> None:
    root = suite(tmp_path / "p", {"tests/test_none.py": "X = 1\n"})
    refused = cli(root)
    assert refused.code == 1
    assert "no tests collected (exit code 5)" in flat(refused.out)
    assert "allow-no-tests = true" in flat(refused.out)
    (root / "pyproject.toml").write_text(
        "[tool.crackjack.tests]\nallow-no-tests = true\n", encoding="utf-8"
    )
    allowed = cli(root)
    assert allowed.code == 0, allowed.out
    assert "no tests collected (allowed" in flat(allowed.out)


def test_usage_error_has_its_own_message(tmp_path: Path, cli: Cli) -> None:
    root = suite(tmp_path / "p", {"tests/test_a.py": PASSING})
    result = cli(root, "--", "--no-such-pytest-option")
    assert result.code == 1
    assert "pytest usage error (exit code 4)" in flat(result.out)


def test_an_internal_error_has_its_own_message(tmp_path: Path, cli: Cli) -> None:
    conftest = (
        "def pytest_collection_modifyitems(items):\n    raise RuntimeError('broken plugin')\n"
    )
    root = suite(tmp_path / "p", {"tests/test_a.py": PASSING, "conftest.py": conftest})
    result = cli(root)
    assert result.code == 1
    assert "pytest had an internal error (exit code 3)" in flat(result.out)


def test_an_interrupted_session_has_its_own_message(tmp_path: Path, cli: Cli) -> None:
    code = "import pytest\n\ndef test_stop():\n    pytest.exit('enough', returncode=2)\n"
    root = suite(tmp_path / "p", {"tests/test_a.py": code})
    result = cli(root)
    assert result.code == 1
    assert "pytest was interrupted (exit code 2)" in flat(result.out)


def test_a_crash_by_signal_names_the_signal_and_the_test(tmp_path: Path, cli: Cli) -> None:
    crash = "import os, signal\n\ndef test_crash():\n    os.kill(os.getpid(), signal.SIGSEGV)\n"
    root = suite(tmp_path / "p", {"tests/test_a.py": PASSING, "tests/test_crash.py": crash})
    result = cli(root, "--", "-p", "no:faulthandler")
    assert result.code == 1
    assert (
        "pytest crashed: killed by SIGSEGV while running tests/test_crash.py::test_crash"
        in flat(result.out)
    )


def test_a_hanging_test_is_killed_at_the_phase_timeout_with_its_children(
    tmp_path: Path, cli: Cli
) -> None:
    pids = tmp_path / "pids"
    hang = f"""
    import os, subprocess, sys, time

    def test_hang():
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        with open({str(pids)!r}, "w") as handle:
            handle.write(f"{{os.getpid()}} {{child.pid}}")
        time.sleep(60)
    """
    root = suite(
        tmp_path / "p",
        {"tests/test_hang.py": hang},
        config=hook_table("pytest", timeout=2),
    )
    try:
        result = cli(root, "--", "-p", "no:faulthandler")
        assert result.code == 1
        assert "timed out after 2 s while running tests/test_hang.py::test_hang" in flat(result.out)
        assert wait_gone(int(pid) for pid in pids.read_text().split()) == []
    finally:
        if pids.exists():
            kill_leftovers(int(pid) for pid in pids.read_text().split())


def test_arguments_from_settings_and_after_the_double_dash(tmp_path: Path, cli: Cli) -> None:
    code = """
    import pytest

    @pytest.mark.slow
    def test_slow(): pass

    def test_quick(): pass

    def test_other(): pass
    """
    config = hook_table("pytest", args=["-p", "no:cacheprovider"])
    ini = "[pytest]\nmarkers = slow: slow\n"
    root = suite(tmp_path / "p", {"tests/test_a.py": code, "pytest.ini": ini}, config=config)
    result = cli(root, "--", "-k", "slow or quick")
    assert result.code == 0, result.out
    assert "2 passed, 1 deselected" in flat(result.out)
    assert not (root / ".pytest_cache").exists()


def test_xdist_reports_the_same_numbers(tmp_path: Path, cli: Cli) -> None:
    root = suite(tmp_path / "p", {"tests/test_a.py": PASSING, "tests/test_b.py": FAILING})
    result = cli(root, "--", "-p", "xdist", "-n", "2")
    assert result.code == 1
    out = flat(result.out)
    assert "1 failed, 3 passed, 1 skipped" in out
    assert "FAILED tests/test_b.py::test_bad" in out


COVERED = {
    "pkg/__init__.py": "",
    "pkg/mod.py": "def used():\n    return 1\n\n\ndef unused():\n    return 2\n",
    "tests/test_mod.py": "from pkg.mod import used\n\ndef test_used():\n    assert used() == 1\n",
}


@pytest.mark.parametrize(("required", "code"), [(50, 0), (95, 1)])
def test_coverage_threshold_is_enforced_and_the_total_shown(
    tmp_path: Path, cli: Cli, required: int, code: int
) -> None:
    args = ["-p", "pytest_cov", "--cov=pkg", f"--cov-fail-under={required}"]
    config = hook_table("pytest", args=args)
    root = suite(tmp_path / "p", COVERED, config=config)
    result = cli(root)
    assert result.code == code, result.out
    out = flat(result.out)
    total = re.search(r"coverage (\d+\.\d+)%", out)
    assert total is not None, out
    assert 50 < float(total[1]) < 95
    if code:
        assert f"is under the required {required}%" in out


def test_shards_run_every_test_exactly_once(tmp_path: Path, cli: Cli) -> None:
    ran = tmp_path / "ran.log"
    code = f"""
    import os, pytest

    @pytest.mark.parametrize("n", range(13))
    def test_n(n):
        with open({str(ran)!r}, "a") as handle:
            handle.write(os.environ["PYTEST_CURRENT_TEST"].split(" ")[0] + "\\n")
    """
    root = suite(tmp_path / "p", {"tests/test_a.py": code, "tests/test_b.py": PASSING})
    for count in (1, 3):
        ran.unlink(missing_ok=True)
        passed = 0
        for index in range(1, count + 1):
            result = cli(root, "--shard", f"{index}/{count}")
            assert result.code == 0, result.out
            found = re.search(r"(\d+) passed", flat(result.out))
            passed += int(found[1]) if found else 0
        names = ran.read_text().split()
        assert sorted(names) == sorted(set(names))
        assert len(names) == 13
        assert passed == 15


@pytest.mark.parametrize("shard", ["0/2", "3/2", "x", "1/0"])
def test_a_bad_shard_is_a_usage_error(tmp_path: Path, cli: Cli, shard: str) -> None:
    root = suite(tmp_path / "p", {"tests/test_a.py": PASSING})
    result = cli(root, "--shard", shard)
    assert result.code == 2
    assert "--shard" in result.err


def fake_interpreter(path: Path, marker: Path) -> None:
    """An "interpreter" that notes it was used, then runs this one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\ntouch "{marker}"\nexec "{PYTHON}" "$@"\n', encoding="utf-8")
    path.chmod(0o755)


def test_interpreter_active_venv_then_dot_venv_then_configured(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = suite(tmp_path / "p", {"tests/test_a.py": PASSING})
    fake_interpreter(root / ".venv" / "bin" / "python", tmp_path / "dot-venv")
    assert cli(root).code == 0
    assert (tmp_path / "dot-venv").exists()
    fake_interpreter(tmp_path / "active" / "bin" / "python", tmp_path / "active-used")
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "active"))
    assert cli(root).code == 0
    assert (tmp_path / "active-used").exists()
    fake_interpreter(tmp_path / "chosen" / "bin" / "python", tmp_path / "chosen-used")
    (root / "pyproject.toml").write_text(
        f"[tool.crackjack.tests]\npython = {str(tmp_path / 'chosen')!r}\n", encoding="utf-8"
    )
    assert cli(root).code == 0
    assert (tmp_path / "chosen-used").exists()


def test_a_configured_interpreter_that_does_not_exist_is_a_config_error(
    tmp_path: Path, cli: Cli
) -> None:
    config = "[tool.crackjack.tests]\npython = 'nowhere/bin/python'\n"
    root = suite(tmp_path / "p", {"tests/test_a.py": PASSING})
    (root / "pyproject.toml").write_text(config, encoding="utf-8")
    result = cli(root)
    assert result.code == 2
    assert "tool.crackjack.tests.python" in result.err


def test_an_environment_without_pytest_is_reported_missing(tmp_path: Path, cli: Cli) -> None:
    root = suite(tmp_path / "p", {"tests/test_a.py": PASSING})
    base = Path(sys.base_prefix) / "bin" / "python3"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(root / ".venv")], check=True)
    result = cli(root)
    assert result.code == 1
    out = flat(result.out)
    assert "missing" in out
    assert "pytest is not installed for" in out


def test_tests_run_alongside_the_comprehensive_phase_without_mixing(
    tmp_path: Path, cli: Cli
) -> None:
    flag = tmp_path / "tests-started"
    waits = f"""
    import time, pathlib, sys
    flag = pathlib.Path({str(flag)!r})
    deadline = time.monotonic() + 20
    while not flag.exists():
        if time.monotonic() > deadline:
            sys.exit("the tests never started")
        time.sleep(0.02)
    """
    test = f"import pathlib\n\ndef test_mark():\n    pathlib.Path({str(flag)!r}).touch()\n"
    config = (
        hook_table("waits", command=[PYTHON, "-c", textwrap.dedent(waits)], phase="comprehensive")
        + workflow_table("both", ["comprehensive", "tests"])
        + "[tool.crackjack.tests]\nalongside = 'comprehensive'\n"
        + hook_table("mypy", enabled=False)
        + hook_table("bandit", enabled=False)
    )
    root = suite(tmp_path / "p", {"tests/test_a.py": test}, config=config)
    result = run_cli(["-w", "both"], root, cli.monkeypatch, cli.capsys)
    assert result.code == 0, result.out
    lines = result.out.splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith("== ")]
    assert [lines[i].split()[1] for i in headers] == [
        "comprehensive",
        "comprehensive",
        "tests",
        "tests",
    ]
    assert "waits" in lines[headers[0] + 1]


def test_the_hook_timeout_default_is_none_and_env_is_clean(tmp_path: Path, cli: Cli) -> None:
    code = """
    import os

    def test_env():
        assert "CRACKJACK_REPORT_FD" not in os.environ
        assert "CRACKJACK_SHARD" not in os.environ
    """
    root = suite(tmp_path / "p", {"tests/test_a.py": code})
    result = cli(root)
    assert result.code == 0, result.out


@pytest.mark.slow  # crackjack on its own repository: not while a crackjack run holds its lock
def test_crackjack_own_tests_report_the_same_numbers_as_plain_pytest(
    cli: Cli,
) -> None:
    cli.monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    root = Path(__file__).parent.parent
    chosen = ["tests/test_patterns.py", "tests/test_batching.py", "tests/test_config.py"]
    plain = subprocess.run(
        [PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "--no-cov", *chosen],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTEST_ADDOPTS": ""},
    )
    summary = re.search(r"=+ (\d+ passed.*?) in [\d.]+s", plain.stdout)
    assert summary is not None, plain.stdout
    result = cli(root, "--", "-p", "no:cacheprovider", "--no-cov", *chosen)
    assert result.code == 0, result.out
    assert f"{summary[1]}" in flat(result.out)


def test_a_project_may_define_its_own_pytest_hook(tmp_path: Path, cli: Cli) -> None:
    config = hook_table("quick-tests", runner="pytest", phase="tests", args=["-k", "one"])
    config += hook_table("pytest", enabled=False)
    root = suite(tmp_path / "p", {"tests/test_a.py": PASSING}, config=config)
    result = cli(root)
    assert result.code == 0, result.out
    assert "1 passed, 2 deselected" in flat(result.out)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("[tool.crackjack.tests]\nalongside = 'nope'\n", "alongside: unknown phase 'nope'"),
        ("[tool.crackjack.tests]\nslowest = -1\n", "tool.crackjack.tests.slowest"),
        ("[tool.crackjack.tests]\nbogus = 1\n", "tool.crackjack.tests.bogus: unknown key"),
    ],
)
def test_bad_test_settings_are_config_errors(
    tmp_path: Path, cli: Cli, config: str, message: str
) -> None:
    root = suite(tmp_path / "p", {"tests/test_a.py": PASSING})
    (root / "pyproject.toml").write_text(config, encoding="utf-8")
    result = cli(root)
    assert result.code == 2
    assert message in result.err


def test_ctrl_c_while_tests_run_stops_pytest_and_its_children(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    hang = f"""
    import os, subprocess, sys, time

    def test_quick():
        pass

    def test_hang():
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        with open({str(pids)!r} + ".tmp", "w") as handle:
            handle.write(f"{{os.getpid()}} {{child.pid}}")
        os.rename({str(pids)!r} + ".tmp", {str(pids)!r})
        time.sleep(60)
    """
    root = suite(tmp_path / "p", {"tests/test_hang.py": hang})
    env = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "TMPDIR": str(tmp_path)}
    proc = start_process(["--skip-hooks"], root, env)
    try:
        deadline = time.monotonic() + 30
        while not pids.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the hanging test never started"
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 130, (out, err)
        text = flat(out.decode())
        assert "interrupted while running tests/test_hang.py::test_hang" in text
        assert b"Traceback" not in err
        assert wait_gone(int(pid) for pid in pids.read_text().split()) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if pids.exists():
            kill_leftovers(int(pid) for pid in pids.read_text().split())
