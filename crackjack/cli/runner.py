"""``crackjack [run]``: the flags to a session, its outputs on screen and in files, an exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from crackjack.cli.console import Printer
from crackjack.cli.errors import exit_code
from crackjack.cli.github import annotation, on_github
from crackjack.cli.output import in_ci, is_live
from crackjack.cli.plain import PlainLog
from crackjack.cli.records import Outputs, Records
from crackjack.cli.state import RunState
from crackjack.cli.styled import styled
from crackjack.cli.summary import SHOWN_LINES, hidden_note, restore_report, summary
from crackjack.cli.terminal import FRAMES_PER_SECOND, TerminalView
from crackjack.core.git.recoverydata import HiddenChanges
from crackjack.core.run.bus import Subscriber
from crackjack.core.run.engine import RunControl, Ticker
from crackjack.core.run.plan import Plan
from crackjack.core.run.policy import Policy
from crackjack.core.run.results import RunResult
from crackjack.core.run.session import (
    Ran,
    SessionRequest,
    plan_session,
    run_session,
    run_with_bus,
)
from crackjack.core.valueclass import field, replace, value
from crackjack.hooks.catalogue import BUILTINS


@value(kw_only=True, eq=True)
class RunRequest:
    """The run command's flags, as given: what to run (``session``; whether it only checks, in
    CI, and where pytest's JUnit files go are decided here) and how to show it."""

    session: SessionRequest
    ci: bool | None = None
    outputs: Outputs = field(default_factory=Outputs)
    dry_run: bool = False
    quiet: bool = False
    verbose: bool = False


def run(request: RunRequest) -> int:
    env = os.environ
    ci = in_ci(env) if request.ci is None else request.ci
    stream = sys.stderr if request.outputs.events == "-" else sys.stdout
    console = Printer(stream)
    session = replace(request.session, check_only=ci, outputs=_output_files(request.outputs))
    if request.dry_run:
        from crackjack.cli.planview import plan_table

        planned = plan_session(session, BUILTINS)
        console.rich().print(plan_table(planned.plan, planned.policy))
        return 0
    github = ci and on_github(env)
    live = is_live(stream, env, quiet=request.quiet, ci=ci)
    with Records(request.outputs, github=github) as records:
        output = _Output(request, console, live, github, records)
        ran = run_session(replace(session, junit_dir=records.junit_dir), BUILTINS, output)
        code = exit_code(ran.result)
        records.finish(ran.result, exit_code=code)
    output.conclude(ran)
    return code


def _output_files(outputs: Outputs) -> tuple[Path, ...]:
    """The files the run writes, absolute (``-``, stdout, is none)."""
    paths = (outputs.events, outputs.report, outputs.junit)
    return tuple(Path(path).absolute() for path in paths if path is not None and path != "-")


@value
class _Output:
    """The terminal's side of a run: the note on hidden changes, the run with its outputs, and
    everything said after it."""

    request: RunRequest
    console: Printer
    live: bool
    github: bool
    records: Records

    def note(self, text: str) -> None:
        self.console.print(styled(f"crackjack: {text}", "dim"))

    def changes_hidden(self, hidden: HiddenChanges) -> None:
        self.console.print(hidden_note(hidden))

    def run(self, plan: Plan, policy: Policy, control: RunControl) -> RunResult:
        """The run with its outputs: the live view on a terminal (redrawn by the engine's
        loop), else the plain log."""
        self.records.begin()
        records: list[Subscriber] = self.records.subscribers
        if not self.live:
            plain = [] if self.request.quiet else [PlainLog(self.console, groups=self.github)]
            return run_with_bus(plan, policy, [*plain, *records], control)
        state = RunState()
        with TerminalView(self.console, state) as view:
            ticker = Ticker(view.tick, 1 / FRAMES_PER_SECOND)
            return run_with_bus(plan, policy, [view, *records], control, ticker)

    def conclude(self, ran: Ran) -> None:
        """The summary, the timeline, annotations, what became of the hidden changes."""
        result, console, request = ran.result, self.console, self.request
        shown = max(10, console.height - 10) if console.is_terminal else SHOWN_LINES
        rule = "─" if console.unicode else "-"
        width = console.width
        said = summary(
            result,
            verbose=request.verbose,
            quiet=request.quiet,
            shown_lines=shown,
            width=width,
            rule=rule,
        )
        for line in said:
            console.print(line)
        if request.outputs.timeline:
            from crackjack.cli.timeline import timeline as draw_timeline

            console.rich().print(draw_timeline(result, max(20, width - 40)))
        if self.github:
            for hook in result.hooks:
                for finding in hook.findings:
                    console.print(annotation(hook.name, finding))
        if ran.hidden is not None and ran.hidden.restored:
            console.print(restore_report(ran.hidden))
        for error in result.subscriber_errors:
            Printer(sys.stderr).print(f"crackjack: an output failed and was switched off: {error}")
