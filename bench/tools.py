"""The standalone tools of the benchmark: pre-commit-hooks, pinned, in a virtual env of its own.

``python bench/tools.py`` builds it once into ``bench/.work/tools-venv`` (later calls reuse it,
and rebuild it when the pin changes). Its console scripts are what a pre-commit user runs for
the checks crackjack calls in-process; ruff needs no second copy (crackjack's own is used).
"""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path

from corpus import WORK

PACKAGE = "pre-commit-hooks"
VERSION = "6.0.0"
REQUIREMENT = f"{PACKAGE}=={VERSION}"

VENV = WORK / "tools-venv"
TOOLS_BIN = VENV / "bin"
MARKER = VENV / "crackjack-bench-tools"


@dataclass(frozen=True, slots=True)
class Tool:
    """The console script (and its arguments) that does an in-process check's work."""

    script: str
    args: tuple[str, ...] = ()

    @property
    def argv(self) -> tuple[str, ...]:
        return (str(TOOLS_BIN / self.script), *self.args)


TOOLS: dict[str, Tool] = {
    # Without --assume-in-merge the script looks at nothing outside a merge; crackjack always
    # looks, so the flag makes both do the same work.
    "check-merge-conflict": Tool("check-merge-conflict", ("--assume-in-merge",)),
    # Without --enforce-all only files staged as added are looked at; crackjack looks at all.
    "check-large-files": Tool("check-added-large-files", ("--enforce-all",)),
    "check-toml": Tool("check-toml"),
    "check-yaml": Tool("check-yaml"),
    "debug-statements": Tool("debug-statement-hook"),
    # crackjack keeps a Markdown hard line break; pre-commit-hooks does only when told so.
    "trailing-whitespace": Tool(
        "trailing-whitespace-fixer", ("--markdown-linebreak-ext=md,markdown",)
    ),
    "end-of-file": Tool("end-of-file-fixer"),
}
"""By crackjack hook id: the pre-commit-hooks script a pre-commit user runs for that check."""


class ToolsError(Exception):
    """The tools' environment could not be built."""


def ensure_tools() -> Path:
    """The tools' bin directory, the environment built first if missing or of another pin."""
    if not _ready():
        _build()
    if not _ready():
        raise ToolsError(f"{VENV}: {REQUIREMENT} did not install its console scripts")
    return TOOLS_BIN


def _ready() -> bool:
    try:
        pinned = MARKER.read_text(encoding="utf-8").strip() == REQUIREMENT
    except OSError:
        return False
    return pinned and all((TOOLS_BIN / tool.script).is_file() for tool in TOOLS.values())


def _build() -> None:
    shutil.rmtree(VENV, ignore_errors=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = [str(TOOLS_BIN / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--disable-pip-version-check", REQUIREMENT], check=True)
    MARKER.write_text(REQUIREMENT + "\n", encoding="utf-8")


def versions() -> dict[str, str]:
    """Every distribution installed in the tools' environment, by name, except pip's own."""
    scheme = {"base": str(VENV), "platbase": str(VENV)}
    site = sysconfig.get_path("purelib", vars=scheme)
    found = {
        dist.metadata["Name"]: dist.version
        for dist in importlib.metadata.distributions(path=[site])
    }
    return {name: found[name] for name in sorted(found) if name not in {"pip", "setuptools"}}


def main() -> int:
    bin_dir = ensure_tools()
    listed = ", ".join(f"{name} {version}" for name, version in versions().items())
    print(f"{bin_dir}: {listed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
