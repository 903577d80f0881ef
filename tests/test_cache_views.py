"""A hook the result cache served shows as such everywhere a result shows: the plain log, the
summary table and verdict, the live view, the GitHub step summary, the report, the event
stream and JUnit; a hook that ran shows as before."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console

from crackjack.cli.console import Printer
from crackjack.cli.eventstream import EventStream
from crackjack.cli.github import step_summary
from crackjack.cli.live import render
from crackjack.cli.plain import PlainLog, hook_line
from crackjack.cli.reports import junit_xml, report_json
from crackjack.cli.state import RunState
from crackjack.cli.styled import Colour
from crackjack.cli.styled import render as render_line
from crackjack.cli.summary import summary, verdict
from crackjack.cli.theme import cache_note, human_size
from crackjack.core.run.events import (
    Event,
    HookCompleted,
    HookFailed,
    HookStarted,
    PhaseCompleted,
    PhaseStarted,
    WorkflowStarted,
)
from crackjack.core.run.results import HookResult, HookStatus, PhaseResult, RunResult, Totals
from crackjack.core.valueclass import fields

README = Path(__file__).parent.parent / "README.md"


def result(
    hook: str,
    *,
    cached: bool = False,
    cached_files: int = 0,
    status: HookStatus = HookStatus.PASSED,
    files: int = 12,
) -> HookResult:
    return HookResult(
        hook=hook,
        name=hook,
        phase="fast",
        status=status,
        fails_run=status is HookStatus.FAILED,
        duration=0.25,
        files=files,
        cached=cached,
        cached_files=cached_files,
        started_at=10.0,
        ended_at=10.25,
    )


CACHED = result("ruff-check", cached=True, cached_files=12)
PARTLY = result("ruff-format", cached_files=11)
RAN = result("check-toml")
PARTLY_FAILED = result("trailing-whitespace", cached_files=3, status=HookStatus.FAILED)
ONE_OF_ONE = result("end-of-file", cached_files=1, files=2)

SHOWN = [
    (CACHED, "passed (cached)"),
    (PARTLY, "passed (11 of 12 files cached)"),
    (RAN, "passed"),
    (PARTLY_FAILED, "failed (3 of 12 files cached)"),
    (ONE_OF_ONE, "passed (1 of 2 files cached)"),
]
IDS = ["cached", "partly cached", "not cached", "partly cached, failed", "one of two"]


def run_of(*hooks: HookResult) -> RunResult:
    phase = PhaseResult(phase="fast", hooks=hooks, duration=0.5)
    return RunResult(workflow="fast", phases=(phase,), duration=0.5)


def at(kind: type[Event], **values: object) -> Event:
    return kind(run_id="r", timestamp=1_700_000_000.0, **values)


def finished(hook: HookResult) -> Event:
    return at(HookFailed if hook.fails_run else HookCompleted, result=hook)


def test_the_note_says_what_the_cache_served() -> None:
    assert cache_note(CACHED) == "(cached)"
    assert cache_note(PARTLY) == "(11 of 12 files cached)"
    assert cache_note(RAN) == ""


# --- the plain log ----------------------------------------------------------------------------


@pytest.mark.parametrize(("hook", "shown"), SHOWN, ids=IDS)
def test_the_plain_line_says_cached_after_the_status(hook: HookResult, shown: str) -> None:
    line = hook_line(hook).plain
    assert re.fullmatch(rf"{hook.hook} \.+ {re.escape(shown)} +0\.25s  \(\d+ files\)", line), line


def test_the_plain_log_prints_the_cached_hooks_among_the_others() -> None:
    out = io.StringIO()
    log = PlainLog(Printer(out))
    hooks = (CACHED, PARTLY, RAN)
    log(at(PhaseStarted, phase="fast", hooks=tuple(h.hook for h in hooks)))
    for hook in hooks:
        log(at(HookStarted, phase="fast", hook=hook.hook, name=hook.name, files=hook.files))
        log(finished(hook))
    lines = out.getvalue().splitlines()
    assert "ruff-check ...................... passed (cached)   0.25s  (12 files)" in lines
    assert any("ruff-format" in line and "passed (11 of 12 files cached)" in line for line in lines)
    assert "check-toml ...................... passed        0.25s  (12 files)" in lines


# --- the summary ------------------------------------------------------------------------------


@pytest.mark.parametrize(("hook", "shown"), SHOWN, ids=IDS)
def test_the_summary_table_says_cached_in_the_status_column(hook: HookResult, shown: str) -> None:
    lines = [line.plain for line in summary(run_of(hook), width=120)]
    row = next(line for line in lines if line.split()[:1] == [hook.hook])
    assert re.fullmatch(rf" {hook.hook}  +fast  +{re.escape(shown)}  +0\.25s  +{hook.files}", row)


def test_the_summary_table_keeps_its_columns_with_cached_hooks() -> None:
    lines = [line.plain for line in summary(run_of(CACHED, PARTLY, RAN), width=120)]
    header = next(line for line in lines if line.split()[:1] == ["hook"])
    rows = [line for line in lines if line.split()[:1] in (["ruff-check"], ["check-toml"])]
    assert [row.index("0.25s") for row in rows] == [header.index("duration") + 3] * 2
    assert rows[0].split()[2:4] == ["passed", "(cached)"]


def test_in_colour_the_whole_status_takes_the_status_style() -> None:
    row = next(line for line in summary(run_of(CACHED), width=120) if "(cached)" in line.plain)
    assert "\x1b[32mpassed (cached)\x1b[0m" in render_line(row, Colour.FULL)


def test_the_verdict_counts_the_hooks_the_cache_served_whole() -> None:
    said = verdict(run_of(CACHED, PARTLY, RAN)).plain
    assert said == "fast: passed in 0.50s (hooks: 3 passed; 1 cached)"
    assert verdict(run_of(RAN)).plain == "fast: passed in 0.50s (hooks: 1 passed)"


# --- the live view ----------------------------------------------------------------------------


def test_the_live_view_shows_a_cached_hook_as_cached() -> None:
    state = RunState(clock=lambda: 100.0)
    hooks = (CACHED, PARTLY, RAN)
    state(at(WorkflowStarted, workflow="fast", phases=("fast",)))
    state(at(PhaseStarted, phase="fast", hooks=tuple(h.hook for h in hooks)))
    for hook in hooks:
        state(at(HookStarted, phase="fast", hook=hook.hook, name=hook.name, files=hook.files))
        state(finished(hook))
    out = io.StringIO()
    Console(file=out, width=120, force_terminal=False, color_system=None).print(render(state, 101))
    rows = {line.split()[1]: line.rstrip() for line in out.getvalue().splitlines()[1:]}
    assert rows["ruff-check"].endswith("0.25s 12 files passed (cached)")
    assert rows["ruff-format"].endswith("0.25s 12 files passed (11 of 12 files cached)")
    assert rows["check-toml"].endswith("0.25s 12 files passed")
    assert all(row.startswith("✓") for row in rows.values())


# --- records for tools ------------------------------------------------------------------------


def test_the_step_summary_says_cached_in_the_status_column() -> None:
    table = step_summary(run_of(CACHED, PARTLY, RAN))
    assert "| ruff-check | fast | passed (cached) | 0.25s | 12 |" in table
    assert "| ruff-format | fast | passed (11 of 12 files cached) | 0.25s | 12 |" in table
    assert "| check-toml | fast | passed | 0.25s | 12 |" in table


def test_the_report_carries_cached_and_cached_files_for_every_hook() -> None:
    document = json.loads(report_json(run_of(CACHED, PARTLY, RAN), exit_code=0))
    hooks = {hook["hook"]: hook for hook in document["phases"][0]["hooks"]}
    assert {name: (h["cached"], h["cached_files"]) for name, h in hooks.items()} == {
        "ruff-check": (True, 12),
        "ruff-format": (False, 11),
        "check-toml": (False, 0),
    }
    assert document["schema"] == 1
    assert document["totals"] == {"passed": 3}


def test_the_event_stream_carries_them_in_the_hooks_result() -> None:
    out = io.StringIO()
    stream = EventStream(out)
    for hook in (CACHED, PARTLY_FAILED):
        stream(finished(hook))
    stream(at(PhaseCompleted, phase="fast", hooks=("ruff-check",), duration=0.5, totals=Totals()))
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["event"], r["status"]) for r in records[:2]] == [
        ("HookCompleted", "passed"),
        ("HookFailed", "failed"),
    ]
    assert [(r["result"]["cached"], r["result"]["cached_files"]) for r in records[:2]] == [
        (True, 12),
        (False, 3),
    ]
    assert all(r["schema"] == 1 for r in records)


def test_in_junit_a_cached_pass_is_a_pass_with_properties_saying_so() -> None:
    root = ET.fromstring(junit_xml(run_of(CACHED, PARTLY, RAN, PARTLY_FAILED), {}))
    cases = {case.get("name"): case for case in root.iter("testcase")}

    def properties(name: str) -> dict[str, str | None]:
        return {p.get("name") or "": p.get("value") for p in cases[name].iter("property")}

    assert properties("ruff-check") == {"cached": "true", "cached_files": "12"}
    assert properties("ruff-format") == {"cached": "false", "cached_files": "11"}
    assert properties("check-toml") == {}
    for passed in ("ruff-check", "ruff-format", "check-toml"):
        assert [child.tag for child in cases[passed]] in ([], ["properties"])
    assert cases["trailing-whitespace"].find("failure") is not None
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("4", "1", "0")


def test_the_readme_documents_every_field_of_a_hooks_result() -> None:
    """The schema table's list of a result's fields (``cached`` and ``cached_files`` among
    them) names every field the report and the event stream write."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### The event stream (schema 1)")[1].split("```")[0]
    said = section.split("`result` is the hook's whole result")[1].split("\n\n")[0]
    documented = set(re.findall(r"`([a-z_]+)`", said))
    written = {f.name for f in fields(HookResult)} - {"findings"} | {"problems"}
    assert written - documented == set()


@pytest.mark.parametrize(
    ("count", "said"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1023 bytes"),
        (1024, "1.0 KB"),
        (1536, "1.5 KB"),
        (3 * 1024**2, "3.0 MB"),
        (5 * 1024**3, "5.0 GB"),
        (2048 * 1024**3, "2048.0 GB"),
    ],
)
def test_sizes_are_said_in_human_units(count: int, said: str) -> None:
    assert human_size(count) == said
