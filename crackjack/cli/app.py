"""The command line's parser (Typer). Each command imports its modules in its body (the
command boundary), so building the command line loads none of them. ``run`` only parses: it
returns its :class:`~crackjack.cli.runoptions.RunOptions`, and :func:`invoke` runs them, as
the argv cache does on a hit. ``cli/entry.py`` comes here only for what it cannot answer
without Typer.

Annotations here are objects, not strings (no ``from __future__ import annotations``): Typer
reads them at every start, and evaluating strings would cost it several milliseconds.
"""

import difflib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from typer.core import TyperGroup
from typer.main import get_command

from crackjack.cli.entry import print_version
from crackjack.cli.errors import CommandLineError, guarded
from crackjack.cli.runoptions import RunOptions, run_workflow

RUN = "run"
TEST_ARGS = "crackjack.test_args"


class DefaultGroup(TyperGroup):
    """``crackjack ARGS`` means ``crackjack run ARGS`` unless ARGS start with a command name.

    ``crackjack --help`` alone is the group's help: the run's options, then every command.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args == ["--help"]:
            return super().parse_args(ctx, args)
        if args and args[0] not in self.commands:
            _refuse_a_mistyped_command(args[0], self._visible())
        if not args or args[0] not in self.commands:
            args = [RUN, *_expand_changed(args)]
        if args[0] == RUN and "--" in args:
            split = args.index("--")
            args, ctx.meta[TEST_ARGS] = args[:split], tuple(args[split + 1 :])
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] [PATHS]... | COMMAND [ARGS]...")

    def format_options(self, ctx: Any, formatter: Any) -> None:
        self.commands[RUN].format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def _visible(self) -> list[str]:
        return [name for name, command in self.commands.items() if not command.hidden]


def _refuse_a_mistyped_command(word: str, commands: list[str]) -> None:
    """A first word that is no command, no path and close to a command's name is a typo
    (``crackjack instal``), not a file selection that checks nothing."""
    from crackjack.core.errors import ConfigError

    close = difflib.get_close_matches(word, commands, n=1)
    if close and not word.startswith("-") and not os.path.lexists(word):
        raise ConfigError(f"no command or file named {word!r}; did you mean {close[0]!r}?")


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
    rich_markup_mode=None,
    help="Run a Python project's formatters, linters, type and security checks, and tests.\n\n"
    "Without a command, crackjack runs a workflow with the options below (`crackjack run`;"
    " default: standard = fast hooks, comprehensive hooks, tests). Arguments after -- go to"
    " pytest: crackjack --skip-hooks -- -k slow",
)


def _version_option(value: bool) -> None:
    if value:
        raise typer.Exit(print_version())


ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config",
        metavar="PATH",
        help="Run the hooks of this .pre-commit-config.yaml (default: the project's own when"
        " [tool.crackjack] defines no hooks); pyproject.toml: its settings and the built-ins.",
    ),
]


@app.command(
    RUN,
    short_help="Run a workflow (what crackjack does without a command).",
    epilog="Every command: crackjack --help",
)
def run_command(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="PATHS", hidden=True),
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
        typer.Option(
            "--jobs", "-j", metavar="N", min=1, help="Hooks run at once (default: one per CPU)."
        ),
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
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Run every hook, neither reading nor writing the result cache"
            " (also CRACKJACK_NO_CACHE=1).",
        ),
    ] = False,
    config: ConfigOption = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_option, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> RunOptions:
    """Run a workflow (default: standard = fast hooks, comprehensive hooks, tests).

    PATHS: check only these files (folders: their files). Arguments after -- go to pytest:
    crackjack --skip-hooks -- -k slow
    """
    return RunOptions(
        paths=tuple(paths or ()),
        staged=staged,
        changed=changed,
        changed_from=changed_from,
        all_files=all_files,
        fast=fast,
        skip_hooks=skip_hooks,
        workflow=workflow,
        hook=tuple(hook or ()),
        skip=tuple(skip or ()),
        jobs=jobs,
        fail_fast=fail_fast,
        verbose=verbose,
        quiet=quiet,
        ci=ci,
        events=events,
        report=report,
        junit=junit,
        timeline=timeline,
        shard=shard,
        dry_run=dry_run,
        no_cache=no_cache,
        config=config,
        test_args=tuple(ctx.meta.get(TEST_ARGS, ())),
    )


@app.command("hooks", short_help="List every hook and workflow, and their programs.")
def hooks_command(config: ConfigOption = None) -> int:
    """List every hook and workflow, each hook's phase, and its program: where it is, its
    version, and which environment it came from."""
    from crackjack.cli.console import make_console
    from crackjack.cli.planview import catalogue_tables
    from crackjack.core.process.programs import ProgramSearch
    from crackjack.core.run.session import read_project_anywhere
    from crackjack.hooks.catalogue import BUILTINS

    given = None if config is None else Path(config).absolute()
    project, catalogue = read_project_anywhere(Path.cwd(), {}, BUILTINS, given)
    programs = ProgramSearch(project.root, project.python)
    make_console().print(catalogue_tables(catalogue, programs))
    return 0


@app.command("cache", short_help="Where the result cache is and its size; clear empties it.")
def cache_command(
    action: Annotated[
        Literal["clear"] | None,
        typer.Argument(metavar="clear", hidden=True),
    ] = None,
    envs: Annotated[
        bool,
        typer.Option("--envs", help="With clear: remove the pinned tool environments too."),
    ] = False,
) -> int:
    """Say where the result cache and the pinned tool environments are, and their sizes.

    crackjack cache clear: remove every cached result (the next run checks everything again);
    with --envs, every pinned tool environment too (the next run that needs one builds it).
    """
    from crackjack.cli.cachecommand import cache_command as cache

    return cache(action, envs=envs)


@app.command("migrate", short_help="Write .pre-commit-config.yaml into pyproject.toml.")
def migrate_command(config: ConfigOption = None) -> int:
    """Write the hooks of the project's .pre-commit-config.yaml (or --config PATH) into its
    pyproject.toml as [tool.crackjack], pinned, and say what could not be carried over."""
    from crackjack.cli.migrate import migrate_command as migrate

    return migrate(config)


HookType = Annotated[
    str,
    typer.Option("--hook-type", "-t", metavar="TYPE", help="The git hook: pre-commit or pre-push."),
]


@app.command("install", short_help="Install crackjack as a git hook.")
def install_command(
    hook_type: HookType = "pre-commit",
    force: Annotated[
        bool, typer.Option("--force", help="Keep a foreign hook as <hook>.legacy and chain it.")
    ] = False,
) -> int:
    """Install crackjack as this repository's git hook (the fast workflow on staged files)."""
    from crackjack.cli.gitcommands import install

    return install(hook_type, force)


@app.command("uninstall", short_help="Remove crackjack's git hook.")
def uninstall_command(hook_type: HookType = "pre-commit") -> int:
    """Remove crackjack's git hook and put back the one it replaced."""
    from crackjack.cli.gitcommands import uninstall

    return uninstall(hook_type)


@app.command("recover", short_help="Give back what an interrupted git-hook run hid.")
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


def parse(args: list[str]) -> int | RunOptions:
    """Typer's answer to the command line ``args``: the run to do, or the exit code of the
    command it ran (``--help``, ``--version``, ``install``...). A command line Typer refuses
    raises CommandLineError; Typer's abort, KeyboardInterrupt."""
    try:
        result = get_command(app).main(args=args, prog_name="crackjack", standalone_mode=False)
    except typer.TyperException as exc:
        raise CommandLineError(exc.format_message()) from None
    except typer.Abort:
        raise KeyboardInterrupt from None
    return result if isinstance(result, int | RunOptions) else 0


def invoke(
    args: list[str],
    accepted: Callable[[RunOptions], None] | None = None,
    launches: Path | None = None,
) -> int:
    """Run the command line ``args`` and return the exit code (never raises, never exits).
    ``accepted`` and ``launches``: see :func:`~crackjack.cli.runoptions.run_workflow`."""

    def command() -> int:
        parsed = parse(args)
        if isinstance(parsed, int):
            return parsed
        return run_workflow(parsed, accepted, launches=launches)

    return guarded(command)
