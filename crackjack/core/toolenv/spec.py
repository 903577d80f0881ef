"""What names a pinned environment: its requirements (sorted, normalised), its Python and the
platform, digested into the key its folder is named by."""

from __future__ import annotations

import json
import os
import re
import sys

from crackjack.core.digest import hexdigest
from crackjack.core.valueclass import value

FORMAT = 1
"""The layout of an environment and its marker; a new one names new folders."""

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(.*)$", re.DOTALL)


def normalised(requirement: str) -> str:
    """``requirement`` as the key sees it: the distribution name canonical (PEP 503), no
    spaces around the specifiers, a marker's spaces collapsed (``Ruff == 0.15.6`` is
    ``ruff==0.15.6``)."""
    head, _, marker = requirement.partition(";")
    match = _NAME.match(head)
    if match is None:
        return " ".join(requirement.split())
    name, rest = match.groups()
    text = re.sub(r"[-_.]+", "-", name).lower() + re.sub(r"\s+", "", rest).lower()
    marker = " ".join(marker.split())
    return f"{text}; {marker}" if marker else text


def python_label(python: str | None) -> str:
    """The Python an environment is for: a version (``3.12``) or a path as given; without one,
    the version crackjack runs on."""
    if python is None:
        return f"{sys.version_info.major}.{sys.version_info.minor}"
    python = python.strip()
    return os.path.abspath(python) if "/" in python else python


@value(eq=True)
class EnvSpec:
    """The requirements (as given, sorted, without repeats) and the Python of an environment."""

    requires: tuple[str, ...]
    python: str

    @classmethod
    def of(cls, requires: tuple[str, ...], python: str | None) -> EnvSpec:
        unique = {normalised(r): r.strip() for r in requires}
        return cls(tuple(unique[name] for name in sorted(unique)), python_label(python))

    @property
    def key(self) -> str:
        """The digest naming the environment: the same on every machine of this platform for
        the same requirements and Python, whichever order or spelling they were given in."""
        uname = os.uname()
        data = {
            "format": FORMAT,
            "requires": sorted(normalised(r) for r in self.requires),
            "python": self.python,
            "platform": [sys.platform, uname.machine, sys.implementation.name],
        }
        blob = json.dumps(data, sort_keys=True).encode()
        return hexdigest(blob)[:20]

    @property
    def shown(self) -> str:
        """``ruff==0.15.6 (python 3.12)``: the requirements, and a Python that was asked for
        (``python 3.12`` alone for an environment with no requirements)."""
        text = " ".join(self.requires)
        if not text:
            return f"python {self.python}"
        return text if self.python == python_label(None) else f"{text} (python {self.python})"
