"""The command line. Each command imports its modules in its body (the command boundary), so
building the command line, and ``--version``, load none of them.

Annotations here are objects, not strings (no ``from __future__ import annotations``): Typer
reads them at every start, and evaluating strings would cost it several milliseconds.
"""

import contextlib
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.main import get_command

from crackjack import __version__
from crackjack.cli.errors import guarded

RUN = "run"
TEST_ARGS = "crackjack.test_args"
VERSION_LINE = f"crackjack {__version__}"


class DefaultGroup(TyperGroup):
    """``crackjack ARGS`` means ``crackjack run ARGS`` unless ARGS start with a command name."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = [RUN, *_expand_changed(args)]
        if args[0] == RUN and "--" in args:
            split = args.index("--")
            args, ctx.meta[TEST_ARGS] = args[:split], tuple(args[split + 1 :])
        return super().parse_args(ctx, args)


def _expand_changed(args: list[str]) -> list[str]:
    """``--changed=REF`` is ``--changed-from REF``: an optional value Click cannot express."""
    expanded: list[str] = []
    for arg in args:
        if arg.startswith("--changed="):
            expanded += ["--changed-from", arg.removeprefix("--changed=")]
        else:
            expanded.append(arg)
    return expanded


app = typer.Typer(
    cls=DefaultGroup,
    add_completion=False,
    no_args_is_help=False,
    help="Run a Python project's formatters, linters, type and security checks, and tests.",
)


def print_version() -> int:
    """Print the version: for ``--version`` anywhere on the command line (Typer's option) and
    for ``crackjack --version`` alone, which :func:`main` answers before Typer runs."""
    print(VERSION_LINE)
    return 0


def _version_option(value: bool) -> None:
    if value:
        raise typer.Exit(print_version())


@app.command(
    RUN,
    epilog="Other commands: `crackjack hooks` lists every hook and workflow.",
)
def run_command(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="[PATHS]...", help="Check only these files (folders: their files)."),
    ] = None,
    staged: Annotated[
        bool,
        typer.Option(
            "--staged", help="Check the staged files, unstaged changes hidden (git-hook mode)."
        ),
    ] = False,
    changed: Annotated[
        bool,
        typer.Option(
            "--changed",
            help="Check files changed since the upstream or main (--changed=REF: since REF).",
        ),
    ] = False,
    changed_from: Annotated[str | None, typer.Option("--changed-from", hidden=True)] = None,
    all_files: Annotated[
        bool, typer.Option("--all-files", help="Check every file of the project (the default).")
    ] = False,
    fast: Annotated[
        bool, typer.Option("--fast", help="Run the fast workflow: formatters and quick linters.")
    ] = False,
    skip_hooks: Annotated[bool, typer.Option("--skip-hooks", help="Run only the tests.")] = False,
    workflow: Annotated[
        str | None, typer.Option("--workflow", "-w", metavar="NAME", help="Run a workflow by name.")
    ] = None,
    hook: Annotated[
        list[str] | None,
        typer.Option("--hook", metavar="ID", help="Run only this hook (repeatable)."),
    ] = None,
    skip: Annotated[
        list[str] | None,
        typer.Option(
            "--skip", metavar="ID", help="Skip this hook (repeatable; also CRACKJACK_SKIP=a,b)."
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Hooks run at once (default: one per CPU)."),
    ] = None,
    fail_fast: Annotated[
        bool | None,
        typer.Option("--fail-fast/--no-fail-fast", help="Stop starting hooks after a failure."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the output of every hook.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Show only failures and the verdict.")
    ] = False,
    ci: Annotated[
        bool | None,
        typer.Option(
            "--ci/--no-ci",
            help="Check only, plain output (default: on when a CI variable such as CI is set).",
        ),
    ] = None,
    events: Annotated[
        str | None,
        typer.Option(
            "--events", metavar="PATH", help="Write every event as JSON Lines (- for stdout)."
        ),
    ] = None,
    report: Annotated[
        str | None,
        typer.Option("--report", metavar="PATH", help="Write the run as one JSON document."),
    ] = None,
    junit: Annotated[
        str | None,
        typer.Option("--junit", metavar="PATH", help="Write JUnit XML: hooks and tests as cases."),
    ] = None,
    timeline: Annotated[
        bool, typer.Option("--timeline", help="End with a timeline: each hook as a bar.")
    ] = False,
    shard: Annotated[
        str | None,
        typer.Option(
            "--shard",
            metavar="K/N",
            help="Run slice K of N of the tests (for CI matrices; every test runs in one slice).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan and run nothing.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_option, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> int:
    """Run a workflow (default: standard = fast hooks, comprehensive hooks, tests).

    Arguments after -- go to pytest: crackjack --skip-hooks -- -k slow
    """
    from crackjack.cli.records import Outputs
    from crackjack.cli.runner import RunRequest, run
    from crackjack.core.errors import ConfigError
    from crackjack.core.files.selection import (
        AllFiles,
        ChangedFiles,
        FileSelection,
        GivenFiles,
        StagedFiles,
    )
    from crackjack.core.run.session import SessionRequest
    from crackjack.core.testphase.options import parse_shard

    if fast + skip_hooks + (workflow is not None) > 1:
        raise ConfigError("choose one of --fast, --skip-hooks and --workflow")
    if quiet and verbose:
        raise ConfigError("choose one of --quiet and --verbose")
    chosen = workflow or ("fast" if fast else "skip-hooks" if skip_hooks else "standard")
    changed = changed or changed_from is not None
    if bool(paths) + staged + changed + all_files > 1:
        raise ConfigError("choose one of --staged, --changed, --all-files and PATHS")
    if paths:
        files: FileSelection = GivenFiles(tuple(paths))
    elif staged:
        files = StagedFiles()
    elif changed:
        files = ChangedFiles(changed_from)
    else:
        files = AllFiles()
    settings = {
        key: value for key, value in (("jobs", jobs), ("fail_fast", fail_fast)) if value is not None
    }
    session = SessionRequest(
        workflows=(chosen,),
        hooks=tuple(hook or ()),
        skip=tuple(skip or ()),
        settings=settings,
        files=files,
        hide_unstaged=staged,
        test_args=ctx.meta.get(TEST_ARGS, ()),
        shard=None if shard is None else parse_shard(shard),
        cwd=Path.cwd(),
    )
    outputs = Outputs(events=events, report=report, junit=junit, timeline=timeline)
    return run(
        RunRequest(
            session=session, ci=ci, outputs=outputs, dry_run=dry_run, quiet=quiet, verbose=verbose
        )
    )


@app.command("hooks")
def hooks_command() -> int:
    """List every hook and workflow, each hook's phase, and its program: where it is, its
    version, and which environment it came from."""
    from crackjack.cli.console import make_console
    from crackjack.cli.planview import catalogue_tables
    from crackjack.core.process.programs import ProgramSearch
    from crackjack.core.run.session import read_project_anywhere
    from crackjack.hooks.catalogue import BUILTINS

    project, catalogue = read_project_anywhere(Path.cwd(), {}, BUILTINS)
    programs = ProgramSearch(project.root, project.python)
    make_console().print(catalogue_tables(catalogue, programs))
    return 0


HookType = Annotated[
    str, typer.Option("--hook-type", "-t", help="The git hook: pre-commit or pre-push.")
]


@app.command("install")
def install_command(
    hook_type: HookType = "pre-commit",
    force: Annotated[
        bool, typer.Option("--force", help="Keep a foreign hook as <hook>.legacy and chain it.")
    ] = False,
) -> int:
    """Install crackjack as this repository's git hook (the fast workflow on staged files)."""
    from crackjack.cli.gitcommands import install

    return install(hook_type, force)


@app.command("uninstall")
def uninstall_command(hook_type: HookType = "pre-commit") -> int:
    """Remove crackjack's git hook and put back the one it replaced."""
    from crackjack.cli.gitcommands import uninstall

    return uninstall(hook_type)


@app.command("recover")
def recover_command() -> int:
    """Give back the unstaged changes an interrupted git-hook run had hidden."""
    from crackjack.cli.gitcommands import recover_command as recover

    return recover()


@app.command(
    "git-hook",
    hidden=True,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def git_hook_command(ctx: typer.Context, hook_type: Annotated[str, typer.Argument()]) -> int:
    """What the installed git hook runs, with git's own arguments after the hook type."""
    from crackjack.cli.gitcommands import git_hook

    return git_hook(hook_type, tuple(ctx.args))


def invoke(args: list[str]) -> int:
    """Run the command line ``args`` and return the exit code (never raises, never exits)."""

    def command() -> int:
        result = get_command(app).main(args=args, prog_name="crackjack", standalone_mode=False)
        return result if isinstance(result, int) else 0

    return guarded(command)


def main() -> None:
    """The console script. ``crackjack --version`` alone skips building the command line: about
    50 ms (bench/README.md, "Start-up tricks", row no-version-shortcut)."""
    args = sys.argv[1:]
    _exit_at_once(print_version() if args == ["--version"] else invoke(args))


def _exit_at_once(code: int) -> None:
    """Exit without the interpreter's teardown, which costs a run about 50 ms (bench/README.md,
    "Start-up tricks", row no-exit); files are closed and processes reaped by then."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
