"""The one place that decides how crackjack talks: live on a terminal, plain lines elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

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
