"""The one place that decides how crackjack talks: live on a terminal, plain lines elsewhere.

It imports no Rich: the plain output loads Rich only once a run has begun (see ``cli.console``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
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


class LazyConsole:
    """The console for ``stream`` (``cli.console``), made when first used.

    A run's plain output is built once its first hook reports, so Rich loads while that hook
    runs rather than before it starts.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    @cached_property
    def console(self) -> Console:
        from crackjack.cli.console import make_console

        return make_console(self.stream)
