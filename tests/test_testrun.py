"""The test runner's parts: the tally of the plugin's messages, shards, the interpreter, stages."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from crackjack.core.config.load import build_catalogue
from crackjack.core.config.values import SettingsValues
from crackjack.core.errors import ConfigError
from crackjack.core.run.plan import Selection
from crackjack.core.run.results import TestCounts
from crackjack.core.testphase.options import Shard, TestOptions, parse_shard, project_python
from crackjack.core.testphase.runner import Tally, _Lines
from crackjack.core.valueclass import replace
from crackjack.hooks.catalogue import BUILTINS
from tests.plans import plan_for, planned_hooks


def line(**message: object) -> bytes:
    return json.dumps(message).encode() + b"\n"


def test_the_tally_counts_like_pytest_and_keeps_problems_and_durations() -> None:
    tally = Tally()
    messages: list[dict[str, Any]] = [
        {"type": "collected", "count": 4},
        {"type": "start", "nodeid": "t.py::a"},
        {"type": "report", "nodeid": "t.py::a", "when": "call", "category": "passed"},
        {"type": "finished", "nodeid": "t.py::a", "duration": 0.5},
        {
            "type": "report",
            "nodeid": "t.py::b",
            "when": "call",
            "category": "failed",
            "reason": "x",
        },
        {"type": "report", "nodeid": "t.py::b", "when": "teardown", "category": "error"},
        {"type": "finished", "nodeid": "t.py::b", "duration": 2.0},
        {"type": "report", "nodeid": "t.py::c", "when": "setup", "category": "skipped"},
        {"type": "report", "nodeid": "t.py::d", "when": "call", "category": "xfailed"},
        {"type": "report", "nodeid": "t.py::e", "when": "call", "category": "rerun"},
        {"type": "deselected", "count": 3},
        {"type": "coverage", "total": 91.5, "fail_under": None},
        {"type": "session_finished", "exitstatus": 1},
        {"type": "from the future"},
    ]
    for message in messages:
        tally.feed(message)
    assert tally.totals == TestCounts(
        collected=4, passed=1, failed=1, errors=1, skipped=1, xfailed=1, deselected=3
    )
    assert (
        tally.totals.describe() == "1 failed, 1 passed, 1 skipped, 3 deselected, 1 xfailed, 1 error"
    )
    options = TestOptions(python="py", slowest=1, shard=Shard(2, 3))
    report = tally.report(options)
    assert [(p.nodeid, p.category, p.reason) for p in report.problems] == [
        ("t.py::b", "failed", "x"),
        ("t.py::b", "error", ""),
    ]
    assert [(d.nodeid, d.seconds) for d in report.slowest] == [("t.py::b", 2.0)]
    assert (report.coverage, report.coverage_required) == (91.5, None)
    assert (report.last_started, report.shard) == ("t.py::a", "2/3")


def test_the_receiver_joins_split_lines_skips_garbage_and_throttles_progress() -> None:
    tally = Tally()
    seen: list[tuple[TestCounts, str]] = []
    receiver = _Lines(tally, lambda counts, current: seen.append((counts, current)))
    data = line(type="collected", count=2) + b"not json\n[1, 2]\n" + line(type="start", nodeid="a")
    receiver(data[:7])
    receiver(data[7:])
    assert tally.totals.collected == 2
    assert seen == [(TestCounts(collected=2), "a")]
    receiver(line(type="report", nodeid="a", when="call", category="passed"))
    assert len(seen) == 1  # within the interval: held back
    receiver.close()
    assert seen[-1][0].passed == 1
    receiver.close()
    assert len(seen) == 2


@pytest.mark.parametrize(
    ("text", "shard"), [("1/1", Shard(1, 1)), (" 2 / 4 ", Shard(2, 4)), ("4/4", Shard(4, 4))]
)
def test_parse_shard(text: str, shard: Shard) -> None:
    assert parse_shard(text) == shard


@pytest.mark.parametrize("text", ["0/2", "3/2", "1/0", "1", "a/b", "-1/2", ""])
def test_a_bad_shard_is_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="--shard"):
        parse_shard(text)


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_project_python_prefers_configured_then_active_then_dot_venv(tmp_path: Path) -> None:

    assert project_python(tmp_path, None, {}) == sys.executable
    dot = executable(tmp_path / ".venv" / "bin" / "python")
    assert project_python(tmp_path, None, {}) == str(dot)
    active = executable(tmp_path / "active" / "bin" / "python")
    assert project_python(tmp_path, None, {"VIRTUAL_ENV": str(tmp_path / "active")}) == str(active)
    assert project_python(tmp_path, None, {"VIRTUAL_ENV": str(tmp_path / "gone")}) == str(dot)
    chosen = executable(tmp_path / "chosen" / "bin" / "python")
    assert project_python(tmp_path, "chosen", {"VIRTUAL_ENV": "x"}) == str(chosen)
    assert project_python(tmp_path, "chosen/bin/python", {}) == str(chosen)
    assert project_python(tmp_path, str(chosen), {}) == str(chosen)


@pytest.mark.parametrize("configured", ["nowhere", "plain-file", "."])
def test_a_configured_python_must_be_an_interpreter(tmp_path: Path, configured: str) -> None:
    (tmp_path / "plain-file").write_text("", encoding="utf-8")
    os.chmod(tmp_path / "plain-file", 0o644)
    with pytest.raises(ConfigError, match=r"tool\.crackjack\.tests\.python: .* is not an"):
        project_python(tmp_path, configured, {})


def test_tests_alongside_a_phase_start_in_its_stage(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("", encoding="utf-8")
    catalogue = build_catalogue(SettingsValues(), BUILTINS)
    options = TestOptions(python="py", args=("-k", "x"))

    def stages(alongside: tuple[str, str] | None) -> list[list[str]]:
        beside = replace(catalogue, alongside=alongside)
        plan = plan_for(beside, Selection("standard"), root=tmp_path, files=["a.py"], tests=options)
        return [[phase.name for phase in stage] for stage in plan.stages]

    assert stages(None) == [["fast"], ["comprehensive"], ["tests"]]
    assert stages(("tests", "comprehensive")) == [["fast"], ["comprehensive", "tests"]]
    assert stages(("tests", "fast")) == [["fast"], ["comprehensive"], ["tests"]]
    plan = plan_for(
        catalogue, Selection("skip-hooks"), root=tmp_path, files=["a.py"], tests=options
    )
    plugin = ("-p", "crackjack_pytest.plugin")
    assert planned_hooks(plan)[0].argv == ("py", "-m", "pytest", *plugin, "-k", "x")


def test_a_pytest_hook_needs_test_options(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("", encoding="utf-8")
    catalogue = build_catalogue(SettingsValues(), BUILTINS)
    with pytest.raises(ValueError, match="test options"):
        plan_for(catalogue, Selection("skip-hooks"), root=tmp_path, files=["a.py"])
