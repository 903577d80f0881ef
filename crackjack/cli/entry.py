"""The console script and ``python -m crackjack``: each command line pays only for what it needs.

- ``crackjack --version`` alone prints the version, with nothing imported beyond the standard
  library's start-up (Typer's option answers ``--version`` anywhere else).
- ``crackjack git-hook TYPE [git's arguments]``, what the installed hook runs, is parsed here:
  TYPE then git's arguments, passed through. Anything else after ``git-hook`` (no TYPE, an
  argument starting with ``-`` such as ``--help``) goes to Typer, which answers it as before.
- ``crackjack recover`` alone, which takes no arguments, is answered here too: it runs after a
  killed run, often from a script, and needs nothing of Typer's.
- A run command line Typer has parsed before runs from the argv cache (``cli/argvcache.py``).
- Everything else goes to Typer (``cli/app.py``), which stores the run's options in the cache.

Neither ``typing`` nor ``contextlib`` is imported here, nor ``__future__``: a few milliseconds
between them, on a path whose whole budget is a few more than the interpreter's start.
"""

import os
import sys

from crackjack import __version__

GIT_HOOK = "git-hook"
RECOVER = "recover"
VERSION_LINE = f"crackjack {__version__}"


def print_version() -> int:
    """Print the version: for ``crackjack --version`` alone (:func:`answer`) and for
    ``--version`` anywhere else on the command line (Typer's option)."""
    print(VERSION_LINE)
    return 0


def main() -> None:
    """The console script."""
    if sys.stdin is None or sys.stdout is None or sys.stderr is None:
        from crackjack.cli.output import devnull_for_closed_streams

        devnull_for_closed_streams()
    _exit_at_once(answer(sys.argv[1:]))


def answer(args: list[str]) -> int:
    """Run the command line ``args`` and return the exit code (never raises, never exits)."""
    if args == ["--version"]:
        return print_version()
    if _plain_git_hook(args):
        return _git_hook(args[1], tuple(args[2:]))
    if args == [RECOVER]:
        return _recover()
    return _run_or_parse(args)


def _plain_git_hook(args: list[str]) -> bool:
    """``git-hook TYPE`` and git's arguments, none starting with ``-`` (git passes a remote's
    name and URL to pre-push, nothing to pre-commit): what Typer would take as they are."""
    return len(args) >= 2 and args[0] == GIT_HOOK and not any(a.startswith("-") for a in args[1:])


def _git_hook(hook_type: str, git_args: tuple[str, ...]) -> int:
    from crackjack.cli.errors import guarded
    from crackjack.cli.gitcommands import git_hook

    return guarded(lambda: git_hook(hook_type, git_args))


def _recover() -> int:
    from crackjack.cli.errors import guarded
    from crackjack.cli.gitcommands import recover_command

    return guarded(recover_command)


def _run_or_parse(args: list[str]) -> int:
    from crackjack.cli import argvcache
    from crackjack.cli.errors import guarded

    try:
        digest = argvcache.key(args)
        options = None if digest is None else argvcache.recall(digest)
        launches = None if digest is None else argvcache.launch_file(digest)
    except Exception:  # a cache only makes a run start sooner: whatever fails in it is a miss
        digest, options, launches = None, None, None
    if options is not None:
        from crackjack.cli.runoptions import run_recalled

        return guarded(lambda: run_recalled(options, launches))
    from crackjack.cli.app import invoke

    if digest is None:
        return invoke(args)
    return invoke(args, lambda parsed: argvcache.remember(digest, parsed), launches)


def _exit_at_once(code: int) -> None:
    """Exit without the interpreter's teardown, which costs a run about 50 ms (bench/README.md,
    "Start-up tricks", row no-exit); files are closed and processes reaped by then."""
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 (contextlib costs the --version path about 3 ms)
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
