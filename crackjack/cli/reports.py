"""``--report`` (one JSON document of the run) and ``--junit`` (JUnit XML for CI systems).

A hook the result cache served in whole or in part is a case like any other (a cached pass
passes) with the properties ``cached`` and ``cached_files``, as pytest's ``record_property``
writes them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # nosec B405: only pytest's own file is parsed
from collections.abc import Iterator
from pathlib import Path

from crackjack.core.run.results import HookResult, HookStatus, PhaseResult, RunResult
from crackjack.core.run.schema import run_record

_ERRORS = (HookStatus.ERROR, HookStatus.MISSING, HookStatus.INTERRUPTED)


def report_json(result: RunResult, *, exit_code: int) -> str:
    return json.dumps(run_record(result, exit_code=exit_code), indent=2, ensure_ascii=False) + "\n"


def junit_xml(result: RunResult, pytest_files: dict[str, Path]) -> bytes:
    """Every hook a test case, one suite per phase; then the suites of each pytest run
    (``pytest_files``: hook id to its ``--junitxml`` file), so CI shows each test too."""
    root = ET.Element("testsuites", name=f"crackjack {result.workflow}")
    for phase in result.phases:
        root.append(_suite(phase))
    for hook in result.hooks:
        if hook.hook in pytest_files:
            root.extend(_pytest_suites(pytest_files[hook.hook]))
    _count(root, root.findall(".//testcase"))
    root.set("time", f"{result.duration:.3f}")
    ET.indent(root)
    written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return written + b"\n"


def _suite(phase: PhaseResult) -> ET.Element:
    suite = ET.Element("testsuite", name=f"crackjack.{phase.phase}", time=f"{phase.duration:.3f}")
    for hook in phase.hooks:
        suite.append(_case(hook))
    _count(suite, suite.findall("testcase"))
    return suite


def _case(hook: HookResult) -> ET.Element:
    case = ET.Element(
        "testcase", classname=f"crackjack.{hook.phase}", name=hook.hook, time=f"{hook.duration:.3f}"
    )
    if hook.cached_files:
        _cache_properties(case, hook)
    message = hook.message or str(hook.status)
    if hook.status is HookStatus.SKIPPED or (
        hook.status is HookStatus.MISSING and not hook.fails_run
    ):
        ET.SubElement(case, "skipped", message=message)
    elif hook.fails_run:
        kind = "error" if hook.status in _ERRORS else "failure"
        ET.SubElement(case, kind, message=message, type=str(hook.status)).text = hook.output
    if hook.output and not hook.fails_run:
        ET.SubElement(case, "system-out").text = hook.output
    return case


def _cache_properties(case: ET.Element, hook: HookResult) -> None:
    """What the result cache served, as properties of the case: a cached pass is a pass."""
    properties = ET.SubElement(case, "properties")
    for name, value in (("cached", str(hook.cached).lower()), ("cached_files", hook.cached_files)):
        ET.SubElement(properties, "property", name=name, value=str(value))


def _pytest_suites(path: Path) -> Iterator[ET.Element]:
    try:
        tree = ET.parse(path)  # nosec B314: written by the project's own pytest run
    except (OSError, ET.ParseError):
        return
    top = tree.getroot()
    yield from [top] if top.tag == "testsuite" else top.findall("testsuite")


def _count(element: ET.Element, cases: list[ET.Element]) -> None:
    element.set("tests", str(len(cases)))
    for attribute, child in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
        element.set(attribute, str(sum(1 for case in cases if case.find(child) is not None)))
