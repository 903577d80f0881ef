"""crackjack in CI: check-only runs, the event stream, reports, JUnit, GitHub annotations."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from crackjack.core.run import events as events_module
from crackjack.core.valueclass import replace
from tests.project import PYTHON, Cli, hook_table, make_project, tool, workflow_table

README = Path(__file__).parent.parent / "README.md"
COMMON = {"schema", "event", "run_id", "timestamp"}

NEEDS_FIXES = {
    "a.py": "import os\nx: int = 'a'   \n",
    "notes.txt": "trailing   \nno final newline",
    "tests/test_a.py": "def test_a():\n    assert True\n\n\ndef test_b():\n    assert False\n",
}


@pytest.fixture(autouse=True)
def no_plugin_autoload(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


def project(root: Path, config: str = "") -> Path:
    config += hook_table("bandit", enabled=False)
    return make_project(root, NEEDS_FIXES, config=config, git=True)


def contents(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts and "cache" not in str(p)
    }


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(monkeypatch, capsys)


@pytest.mark.parametrize("how", ["flag", "CI", "GITHUB_ACTIONS"])
def test_check_only_leaves_every_file_byte_identical(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    root = project(tmp_path / "p")
    if how != "flag":
        monkeypatch.setenv(how, "true")
    before = contents(root)
    result = cli(root, "--fast", *(["--ci"] if how == "flag" else []))
    assert result.code == 1
    assert contents(root) == before
    out = re.sub(r"\s+", " ", result.out)
    assert "a.py:2: would fix trailing whitespace" in out
    assert "notes.txt: would fix" in out
    assert "a.py:1:8: F401" in out
    assert "would be reformatted" in out
    assert "fixed" not in re.findall(r"\.\.\. (\w+)", result.out)


def test_no_ci_lets_fixers_fix_even_in_ci(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path / "p")
    monkeypatch.setenv("CI", "1")
    result = cli(root, "--fast", "--no-ci")
    assert result.code == 1
    assert (root / "notes.txt").read_text() == "trailing\nno final newline\n"


def test_a_fixer_without_a_check_variant_runs_on_a_scratch_copy(tmp_path: Path, cli: Cli) -> None:
    root = make_project(tmp_path / "p", {"a.txt": "x\n", "b.txt": "y\n", "sub/c.txt": "z\n"})
    fixer = tool(
        root,
        "upper",
        """
        import sys, pathlib
        for name in sys.argv[1:]:
            path = pathlib.Path(name)
            text = path.read_text()
            if text != text.upper():
                path.write_text(text.upper())
        """,
    )
    config = hook_table("upper", command=fixer, phase="fast", fixer=True, files=["*.txt"])
    config += hook_table("checker", command=[PYTHON, "-c", "print('ok')"], phase="fast")
    config += workflow_table("mine", ["fast"])
    (root / "pyproject.toml").write_text("[tool.crackjack]\n" + config, encoding="utf-8")
    (root / "B.TXT").write_text("ALREADY\n", encoding="utf-8")
    before = contents(root)
    result = cli(root, "-w", "mine", "--ci", "--hook", "upper")
    assert result.code == 1
    assert contents(root) == before
    assert "check-only: would modify a.txt, b.txt, sub/c.txt" in re.sub(r"\s+", " ", result.out)
    assert list(tmp_path.glob("**/scratch-*")) == []


def documented_events() -> dict[str, set[str]]:
    """The event table of the README's "The event stream (schema 1)" section."""
    text = README.read_text(encoding="utf-8")
    table = text.split("### The event stream (schema 1)")[1].split("```")[0]
    events: dict[str, set[str]] = {}
    for row in re.findall(r"^\| (`.*?) \| (`.*?) \|$", table, flags=re.MULTILINE):
        names, fields = (re.findall(r"`([^`]+)`", cell) for cell in row)
        for name in names:
            events[name] = set(fields)
    return events


def check_against_the_documented_schema(records: list[dict[str, Any]]) -> None:
    documented = documented_events()
    concrete = {
        name
        for name, value in vars(events_module).items()
        if isinstance(value, type) and issubclass(value, events_module.Event)
    } - {"Event", "WorkflowFinished", "PhaseFinished", "HookFinished", "EnvInstallFinished"}
    assert set(documented) == concrete
    for record in records:
        assert record["schema"] == 1
        assert record["event"] in documented, record["event"]
        assert set(record) == COMMON | documented[record["event"]], record


def test_the_event_stream_follows_its_schema_and_tells_the_story_of_the_report(
    tmp_path: Path, cli: Cli
) -> None:
    root = project(tmp_path / "p")
    events, report = tmp_path / "events.jsonl", tmp_path / "report.json"
    result = cli(
        root,
        "--ci",
        "--events",
        str(events),
        "--report",
        str(report),
        "--",
        "-p",
        "no:cacheprovider",
    )
    assert result.code == 1
    records = [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines()]
    check_against_the_documented_schema(records)
    assert records[0]["event"] == "WorkflowStarted"
    assert records[-1]["event"] == "WorkflowFailed"
    assert len({r["run_id"] for r in records}) == 1
    assert [r["timestamp"] for r in records] == sorted(r["timestamp"] for r in records)
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["schema"] == 1
    assert document["exit_code"] == 1
    finished = {r["hook"]: r for r in records if r["event"] in ("HookCompleted", "HookFailed")}
    hooks = [hook for phase in document["phases"] for hook in phase["hooks"]]
    assert {h["hook"]: h["status"] for h in hooks} == {k: r["status"] for k, r in finished.items()}
    for hook in hooks:
        assert finished[hook["hook"]]["result"] == hook
        assert hook["ended_at"] >= hook["started_at"] > 0
        assert (hook["status"] == "failed") == (finished[hook["hook"]]["event"] == "HookFailed")
    assert document["totals"] == records[-1]["totals"]
    tests = document["tests"][0]
    assert (tests["counts"]["passed"], tests["counts"]["failed"]) == (1, 1)
    progress = [r for r in records if r["event"] == "TestProgress"]
    assert progress
    assert progress[-1]["counts"]["failed"] == 1


def test_events_to_stdout_move_the_human_output_to_stderr(tmp_path: Path, cli: Cli) -> None:
    root = project(tmp_path / "p")
    result = cli(root, "--fast", "--ci", "--events", "-")
    lines = result.out.splitlines()
    assert lines
    check_against_the_documented_schema([json.loads(line) for line in lines])
    assert "== fast" in result.err


def test_junit_has_a_case_per_hook_and_per_test(tmp_path: Path, cli: Cli) -> None:
    root = project(tmp_path / "p")
    junit = tmp_path / "junit.xml"
    result = cli(root, "--ci", "--junit", str(junit), "--skip", "mypy")
    assert result.code == 1
    tree = ET.parse(junit).getroot()
    assert tree.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in tree.findall("testsuite")}
    hooks = {case.get("name"): case for case in suites["crackjack.fast"].findall("testcase")}
    assert hooks["ruff-check"].find("failure") is not None
    assert hooks["check-yaml"].find("skipped") is not None
    assert hooks["debug-statements"].find("failure") is None
    comprehensive = suites["crackjack.comprehensive"].findall("testcase")
    assert [case.find("skipped") is not None for case in comprehensive] == [True]
    tests = {case.get("name"): case for case in suites["pytest"].findall("testcase")}
    assert set(tests) == {"test_a", "test_b"}
    assert tests["test_b"].find("failure") is not None
    assert tree.get("tests") == str(len(tree.findall(".//testcase")))


def test_github_annotations_summary_and_groups_from_real_ruff_and_mypy(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path / "p")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = cli(root, "--skip", "pytest")
    assert result.code == 1
    annotations = [line for line in result.out.splitlines() if line.startswith("::error ")]
    assert (
        "::error file=a.py,line=1,col=8,endLine=1,endColumn=10,title=ruff-check F401::"
        "`os` imported but unused"
    ) in annotations
    mypy = [line for line in annotations if "title=mypy assignment" in line]
    assert len(mypy) == 1
    assert mypy[0].startswith("::error file=a.py,line=2,col=10,")
    assert "Incompatible types in assignment" in mypy[0]
    assert (
        "::error file=a.py,line=2,col=1,title=trailing-whitespace::would fix trailing whitespace"
        in annotations
    )
    assert "::group::ruff-check output" in result.out
    assert result.out.count("::group::") == result.out.count("::endgroup::")
    table = summary.read_text(encoding="utf-8")
    assert table.startswith("earlier step\n### crackjack standard: failed")
    assert "| ruff-check | fast | failed |" in table


def test_the_timeline_draws_every_hook_that_ran(tmp_path: Path, cli: Cli) -> None:
    root = make_project(tmp_path / "p", {"a.txt": "x\n"})
    slow = [PYTHON, "-c", "import time; time.sleep(0.3)"]
    config = hook_table("one", command=slow, phase="fast", pass_filenames=False)
    config += hook_table("two", command=slow, phase="fast", pass_filenames=False)
    config += workflow_table("mine", ["fast"])
    (root / "pyproject.toml").write_text("[tool.crackjack]\n" + config, encoding="utf-8")
    result = cli(root, "-w", "mine", "--timeline", "--jobs", "1", "--hook", "one", "--hook", "two")
    assert result.code == 0
    bars = {line.split()[0]: line for line in result.out.splitlines() if "█" in line}
    assert set(bars) == {"one", "two"}
    first, second = (bars[name].index("█") for name in sorted(bars, key=lambda n: bars[n]))
    assert first < second


@pytest.mark.parametrize("flag", ["--events", "--report", "--junit"])
def test_an_output_path_that_cannot_be_written_is_a_usage_error(
    tmp_path: Path, cli: Cli, flag: str
) -> None:
    root = project(tmp_path / "p")
    result = cli(root, "--fast", flag, str(tmp_path / "missing" / "out"))
    assert result.code == 2
    assert f"{flag} {tmp_path / 'missing' / 'out'}: cannot write" in result.err


def test_a_refused_run_leaves_the_output_files_as_they_were(tmp_path: Path, cli: Cli) -> None:
    root = project(tmp_path / "p")
    events, report = tmp_path / "events.jsonl", tmp_path / "report.json"
    events.write_text("earlier\n")
    report.write_text("{}\n")
    refused = cli(
        root, "--fast", "--events", str(events), "--report", str(report),
        "--junit", str(tmp_path / "missing" / "out"),
    )  # fmt: skip
    assert refused.code == 2
    assert events.read_text() == "earlier\n"
    assert report.read_text() == "{}\n"
    runs = [cli(root, "--fast", "--events", str(events), "--report", str(report)) for _ in "12"]
    lines = [json.loads(line) for line in events.read_text().splitlines()]
    assert [line["event"] for line in lines].count("WorkflowStarted") == 1  # written anew
    assert json.loads(report.read_text())["exit_code"] == runs[-1].code


def test_a_refused_run_leaves_no_empty_output_file_where_there_was_none(
    tmp_path: Path, cli: Cli
) -> None:
    root = project(tmp_path / "p")
    events, report = tmp_path / "events.jsonl", tmp_path / "report.json"
    refused = cli(
        root, "--fast", "--events", str(events), "--report", str(report),
        "--junit", str(tmp_path / "missing" / "out"),
    )  # fmt: skip
    assert refused.code == 2
    assert not events.exists()
    assert not report.exists()


def test_the_lines_of_in_process_checks_give_their_places() -> None:
    from crackjack.hooks.findings import located_lines

    output = "a.py:3: would fix trailing whitespace\nb:1.py:2:5: x\nnotes.txt: would fix\n"
    found = located_lines(output, root=Path("/r")) or ()
    assert [(p.path, p.line, p.column, p.message) for p in found] == [
        ("a.py", 3, 1, "would fix trailing whitespace"),
        ("b:1.py", 2, 5, "x"),
    ]


def test_readers_of_findings_tolerate_other_output() -> None:
    from crackjack.hooks.findings import mypy_json, ruff_json

    assert ruff_json("error: ruff crashed", root=Path("/")) is None
    assert ruff_json("[]", root=Path("/")) == ()
    assert mypy_json("{not json", root=Path("/")) is None
    line = json.dumps(
        {"file": "/r/a.py", "line": 1, "column": 0, "message": "m", "hint": "h", "code": None}
    )
    (problem,) = mypy_json(f"{line}\nFound 1 error\n", root=Path("/r")) or ()
    assert (problem.path, problem.column, problem.message, problem.severity) == (
        "a.py",
        1,
        "m (h)",
        "warning",
    )
    assert str(problem) == "a.py:1:1: m (h)"
    named = replace(problem, code="assignment")
    assert str(named) == "a.py:1:1: m (h)  [assignment]"
    assert str(replace(problem, code="F401")) == "a.py:1:1: F401 m (h)"
