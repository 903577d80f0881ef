"""The one place that decides how crackjack talks: live on a terminal, plain lines elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
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


def is_live(stream: TextIO, env: Mapping[str, str], *, quiet: bool, ci: bool) -> bool:
    """Live only on a real terminal that is not ``TERM=dumb``, outside CI, and not ``--quiet``."""
    terminal = stream.isatty() and env.get("TERM", "") != "dumb"
    return terminal and not ci and not quiet
