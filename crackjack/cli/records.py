"""The records a run leaves for tools: the event stream, the JSON report, JUnit XML, and on
GitHub Actions the step summary. Files are opened before the run, so a path that cannot be
written is a usage error (exit 2) before any hook starts, not a lost report after them; they
are emptied only once the run begins, so a refused run leaves what was there (and no empty
file where there was none: a tool reading it would find no JSON)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import IO, Any

from crackjack.cli.github import step_summary
from crackjack.core.errors import ConfigError
from crackjack.core.run.bus import Subscriber
from crackjack.core.run.results import RunResult
from crackjack.core.valueclass import value


@value(kw_only=True, eq=True)
class Outputs:
    """Records a run leaves besides what it prints: paths (``-`` is stdout), and a timeline."""

    events: str | None = None
    report: str | None = None
    junit: str | None = None
    timeline: bool = False


def _open(flag: str, path: str, mode: str) -> IO[Any]:
    """``path`` opened to append (``a`` or ``ab``), which neither empties nor replaces it."""
    try:
        return open(path, mode, encoding=None if "b" in mode else "utf-8")
    except OSError as exc:
        raise ConfigError(f"{flag} {path}: cannot write: {exc.strerror}") from None


class Records:
    """The record files, open from construction until the ``with`` block ends; ``github``: also
    the step summary, where GitHub Actions names one."""

    def __init__(self, outputs: Outputs, *, github: bool) -> None:
        summary = os.environ.get("GITHUB_STEP_SUMMARY") if github else None
        self.subscribers: list[Subscriber] = []
        self.junit_dir: Path | None = None
        self._report: IO[Any] | None = None
        self._junit: IO[Any] | None = None
        self._summary: IO[Any] | None = None
        self._rewritten: list[IO[Any]] = []
        self._made: list[str] = []
        self._begun = False
        with contextlib.ExitStack() as stack:
            stack.callback(self._remove_made)  # last, once the files are closed
            if outputs.events is not None:
                from crackjack.cli.eventstream import EventStream

                if outputs.events == "-":
                    self.subscribers.append(EventStream(sys.stdout))
                else:
                    events = stack.enter_context(self._open("--events", outputs.events, "a"))
                    self._rewritten.append(events)
                    self.subscribers.append(EventStream(events))
            if outputs.report is not None:
                self._report = stack.enter_context(self._open("--report", outputs.report, "a"))
                self._rewritten.append(self._report)
            if outputs.junit is not None:
                self._junit = stack.enter_context(self._open("--junit", outputs.junit, "ab"))
                self._rewritten.append(self._junit)
                import shutil
                import tempfile

                self.junit_dir = Path(tempfile.mkdtemp(prefix="crackjack-junit-"))
                stack.callback(shutil.rmtree, self.junit_dir, True)
            if summary:
                self._summary = stack.enter_context(_open("GITHUB_STEP_SUMMARY", summary, "a"))
            self._stack = stack.pop_all()

    def __enter__(self) -> Records:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def _remove_made(self) -> None:
        """Unless the run began, remove the files this made that are still empty."""
        if self._begun:
            return
        for path in self._made:
            with contextlib.suppress(OSError):
                if os.path.getsize(path) == 0:
                    os.unlink(path)

    def _open(self, flag: str, path: str, mode: str) -> IO[Any]:
        """``_open``, keeping the names of the files it made (removed if the run never began)."""
        existed = os.path.lexists(path)
        opened = _open(flag, path, mode)
        if not existed:
            self._made.append(path)
        return opened

    def begin(self) -> None:
        """Empty the files this run writes anew (not the step summary, which is appended to):
        called once the run is sure to start."""
        self._begun = True
        for file in self._rewritten:
            file.seek(0)
            file.truncate()

    def finish(self, result: RunResult, *, exit_code: int) -> None:
        """Write what the run left to say."""
        if self._report is not None:
            from crackjack.cli.reports import report_json

            self._report.write(report_json(result, exit_code=exit_code))
        if self._junit is not None and self.junit_dir is not None:
            from crackjack.cli.reports import junit_xml

            pytest_files = {path.stem: path for path in self.junit_dir.glob("*.xml")}
            self._junit.write(junit_xml(result, pytest_files))
        if self._summary is not None:
            self._summary.write(step_summary(result))
