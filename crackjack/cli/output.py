"""The one place that decides how crackjack talks: live on a terminal, plain lines elsewhere."""

from __future__ import annotations

import os
import sys
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


def devnull_for_closed_streams() -> None:
    """A standard stream the caller closed (``crackjack >&-``, where Python's ``sys.stdout`` is
    None) becomes ``/dev/null``: what would be said there is dropped, the run and its exit code
    are as with the stream open, and no file the run opens takes the stream's number."""
    for number, name in enumerate(("stdin", "stdout", "stderr")):
        if getattr(sys, name) is not None:
            continue
        devnull = os.open(os.devnull, os.O_RDWR)
        if devnull != number:
            os.dup2(devnull, number)
            os.close(devnull)
        mode = "r" if number == 0 else "w"
        stream = open(number, mode, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
        setattr(sys, name, stream)  # the stream lives as long as the process
