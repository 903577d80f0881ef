"""Hooks that run a program: an argv (or one ``/bin/sh`` string) given the hook's files in
batches that fit the argument limit, watched for the files it changes."""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from crackjack.core.errors import ConfigError
from crackjack.core.files.batching import partition
from crackjack.core.files.fsutil import describe_os_error
from crackjack.core.process.programs import FoundProgram, cannot_start
from crackjack.core.process.run import run_process
from crackjack.core.run.headstart import Launch
from crackjack.core.run.plan import HookPlan
from crackjack.core.run.results import Finding, HookResult, HookStatus
from crackjack.core.runners.hook import FindingsReader, Hook, PlanContext, RunContext
from crackjack.core.runners.outcome import Runs, ended_at_once
from crackjack.core.runners.request import process_request
from crackjack.core.runners.snapshot import Snapshot
from crackjack.core.toolenv.env import ToolEnv, locate
from crackjack.core.valueclass import replace, value

Argv = tuple[str, ...]


_ALL_ARGUMENTS = ("$@", "${@", "$*", "${*")
"""How a shell command names all its arguments itself: the files are then not put after it
(``for f in "$@"; do ...; done`` would not parse so)."""


@value
class Invocation:
    """How a program runs for a project: its argv (before any ``--``), where the program was
    found, and the groups of files it gets: each group runs apart from the others, in batches
    that fit the argument limit (None: no file arguments, one run)."""

    argv: Argv
    program: FoundProgram
    groups: tuple[Argv, ...] | None


class Adapter(Protocol):
    """A tool's own rules (``crackjack/hooks/tools/``): how it runs for the project planned
    in ``context``, as the project runs it."""

    def __call__(self, invocation: Invocation, context: PlanContext) -> Invocation: ...


@value(kw_only=True)
class Command:
    """``command`` (an argv) runs with the hook's ``args`` then its files; ``check_command`` is
    a fixer's check-only variant. With ``findings``, a run that wants findings (CI) adds
    ``findings_args`` and reads the output with it. ``adapt``: the tool's own rules, given by
    the built-in catalogue for the program it names."""

    command: tuple[str, ...] = ()
    check_command: tuple[str, ...] | None = None
    pass_filenames: bool = True
    dashdash: bool = False
    shell: bool = False
    findings: FindingsReader | None = None
    findings_args: tuple[str, ...] = ()
    adapt: Adapter | None = None

    def program(self, hook: Hook) -> str | None:
        return None if self.shell or not self.command else self.command[0]

    def describe(self, hook: Hook) -> str:
        return "shell"

    def configured(self, changes: Mapping[str, Any]) -> Command:
        keys = dict(changes)  # every runner key a project can write is a command's
        if "command" in keys:  # another program: the built-in's variants no longer apply
            variants = {
                "check_command": None,
                "dashdash": False,
                "findings": None,
                "findings_args": (),
                "adapt": None,
            }
            keys = {**variants, **keys}
        return replace(self, **keys)

    def validate(self, hook: Hook) -> None:
        if not self.command:
            raise ConfigError("command: must not be empty")
        if self.shell and len(self.command) != 1:
            raise ConfigError("command: with shell = true, give one shell command string")

    def check_only(self, hook: Hook) -> tuple[Hook, bool]:
        if self.check_command is None:
            return hook, True
        runner = replace(self, command=self.check_command, check_command=None)
        return replace(hook, runner=runner, fixer=False), False

    def plan(self, hook: Hook, files: tuple[str, ...], context: PlanContext) -> HookPlan:
        findings = context.policy.check_only and self.findings is not None
        args = (*hook.args, *self.findings_args) if findings else hook.args
        programs = context.programs
        program = self.program(hook)
        env = ToolEnv.pinned(hook.requires, hook.python)
        if env is not None and not env.built():
            runs = f"{program or 'shell'} with {env.spec.shown}, once installed"
            return HookPlan(
                hook=hook, files=files, program=program, env=env, env_pending=True, runs=runs
            )
        found = locate(program, programs, env) if program else None
        missing_reason = ""
        if program and found is None:
            if env is None:
                hook = replace(hook, install=programs.install_hint(hook.install))
            else:
                missing_reason = (
                    f"{program} is not in the environment of {env.spec.shown}: add what"
                    " provides it to requires"
                )
        head = self._head(hook.id, args, found)
        groups: tuple[Argv, ...] | None = (files,) if self.pass_filenames else None
        if self.adapt is not None and found is not None:
            invocation = self.adapt(Invocation(head, found, groups), context)
            head, groups = invocation.argv, invocation.groups
        given = files if groups is None else tuple(name for group in groups for name in group)
        if not given and not hook.always_run:
            return HookPlan(hook=hook, skip_reason="no files to check")
        separator = ("--",) if self.dashdash and not self.shell and groups is not None else ()
        argv = (*head, *separator)
        shown = shlex.join(argv) + " FILES" * (groups is not None)
        return HookPlan(
            hook=hook,
            files=given,
            argv=argv,
            batches=((),) if groups is None or not given else self._batches(argv, groups),
            program=program,
            executable=found.path if found else None,
            read_findings=findings,
            runs=found.problem if found and found.problem else shown,
            env=env,
            missing_reason=missing_reason,
        )

    def _head(self, hook_id: str, args: tuple[str, ...], found: FoundProgram | None) -> Argv:
        if self.shell:
            script = self.command[0]
            if not any(name in script for name in _ALL_ARGUMENTS):  # the files go after it
                script = f'{script} "$@"'
            return ("/bin/sh", "-c", script, hook_id, *args)
        return (found.path if found else self.command[0], *self.command[1:], *args)

    def _batches(self, argv: Argv, groups: tuple[Argv, ...]) -> tuple[Argv, ...]:
        bare = self.dashdash  # after ``--`` a name that starts with a dash is no option
        return tuple(
            batch
            for group in groups
            for batch in partition(
                argv, [name if bare or not name.startswith("-") else f"./{name}" for name in group]
            )
        )

    def run(self, plan: HookPlan, context: RunContext) -> HookResult:
        """Run every batch and tell what happened, including the files it changed (watched
        with a snapshot). A ``scratch`` plan runs on a copy of its files: what it changes
        there fails the hook."""
        problem = self._problem(plan)
        if problem:
            return ended_at_once(plan, HookStatus.ERROR, problem, fails_run=True)
        if not plan.scratch:
            return self._run(plan, context, context.root)
        try:
            # In the temporary folder, not the log folder: under .git, tools exclude everything.
            import tempfile  # a check-only copy of a fixer's files: tempfile, shutil when used

            from crackjack.core.runners.scratch import scratch_copy

            with scratch_copy(context.root, plan.files, Path(tempfile.gettempdir())) as folder:
                return self._run(plan, context, folder)
        except OSError as exc:
            message = f"cannot copy its files to check them: {describe_os_error(exc)}"
            return ended_at_once(plan, HookStatus.ERROR, message, fails_run=True)

    def _problem(self, plan: HookPlan) -> str | None:
        """Why a program the command names by its path cannot start (not executable...)."""
        if plan.executable is None or plan.program is None or "/" not in plan.program:
            return None
        return cannot_start(plan.executable, plan.program)

    def launch(self, plan: HookPlan, context: RunContext) -> Launch | None:
        """Its one program's start, when it has a single batch and runs on the project."""
        if plan.scratch or len(plan.batches) != 1 or not plan.argv:
            return None
        return Launch(
            hook=plan.hook.id,
            argv=(*plan.argv, *plan.batches[0]),
            cwd=str(context.root),
            hook_env=tuple(sorted(plan.hook.env.items())),
            venv=None if plan.env is None else str(plan.env.folder),
            executable=plan.executable,
            files=plan.files,
            fixers=(),
        )

    def _run(self, plan: HookPlan, context: RunContext, root: Path) -> HookResult:
        runs = Runs()
        head = context.head_start  # the engine found it this plan's (``core.run.headstart``)
        snapshot = Snapshot.take(root, plan.files)
        if head is not None:
            head.release()
        deadline = runs.start + plan.hook.timeout if plan.hook.timeout else None

        def run_batch(index: int, batch: tuple[str, ...]) -> None:
            if head is not None:  # one batch, its program started ahead
                request = process_request(plan, batch, index, context, root, deadline)
                running = head.running
                runs.add_process(
                    run_process(request, context.cancellation, context.started, running)
                )
                return
            argv = (*plan.argv, *batch)
            gated = None if context.gate is None else context.gate.wrap(argv, plan.executable)
            request = process_request(plan, batch, index, context, root, deadline, gated)
            try:
                runs.add_process(run_process(request, context.cancellation, context.started))
            finally:
                if gated is not None:
                    os.close(gated.fd)

        runs.each(plan, context.cancellation, run_batch)
        findings = self._findings(plan, runs, root)
        if findings:  # machine-readable output: shown as people read it
            runs.output = "\n".join(map(str, findings)) + "\n"
        return runs.result(
            plan,
            snapshot.changed(),
            program=True,
            returncode=runs.returncode,
            signal=runs.signal,
            log_path=runs.log_path,
            findings=findings,
        )

    def _findings(self, plan: HookPlan, runs: Runs, root: Path) -> tuple[Finding, ...]:
        """The findings of a hook asked for machine-readable output; none if it gave other
        output (or too much to keep)."""
        if not plan.read_findings or self.findings is None or runs.log_path or runs.start_error:
            return ()
        return self.findings(runs.output, root=root) or ()
