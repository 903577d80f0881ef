"""The one place that decides how crackjack talks: live on a terminal, plain lines elsewhere."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console

CI_VARIABLES = (
    "CI",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "BUILDKITE",
    "CIRCLECI",
    "TF_BUILD",
    "JENKINS_URL",
)


def in_ci(env: Mapping[str, str]) -> bool:
    return any(env.get(name, "").lower() not in ("", "0", "false", "no") for name in CI_VARIABLES)


@dataclass(frozen=True, slots=True)
class OutputMode:
    live: bool
    quiet: bool = False
    verbose: bool = False


def decide(
    stream: TextIO, env: Mapping[str, str], *, quiet: bool, verbose: bool, ci: bool
) -> OutputMode:
    """Live only on a real terminal that is not ``TERM=dumb``, outside CI, and not ``--quiet``."""
    terminal = stream.isatty() and env.get("TERM", "") != "dumb"
    return OutputMode(live=terminal and not ci and not quiet, quiet=quiet, verbose=verbose)


class _Console(Console):
    """A console that falls silent when its reader goes away (``crackjack | head -1``).

    Rich's default raises ``SystemExit`` from inside ``print``: from an event subscriber that
    escapes the bus, tears down the run's task groups and prints an asyncio traceback. Here the
    run goes on to its end quietly (its exit code still tells the outcome).
    """

    def on_broken_pipe(self) -> None:
        self.quiet = True
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self.file.fileno())
            finally:
                os.close(devnull)


def make_console(stream: TextIO | None = None, *, stderr: bool = False) -> Console:
    """A console that never fails on a character the terminal's encoding cannot show, nor on a
    reader that has gone away."""
    stream = stream or (sys.stderr if stderr else sys.stdout)
    if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
        stream.reconfigure(errors="replace")
    return _Console(file=stream, highlight=False, soft_wrap=True, emoji=False)
