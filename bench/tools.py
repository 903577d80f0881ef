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
    """A pinned environment could not be built."""


@dataclass(frozen=True, slots=True)
class PinnedEnv:
    """A virtual environment of its own under bench/.work with one pinned requirement.

    A marker file records the pin: the environment is reused while it matches and the
    ``scripts`` are there, and rebuilt otherwise.
    """

    venv: Path
    requirement: str
    scripts: tuple[str, ...]
    marker_name: str = "crackjack-bench-tools"

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def site_packages(self) -> Path:
        scheme = {"base": str(self.venv), "platbase": str(self.venv)}
        return Path(sysconfig.get_path("purelib", vars=scheme))

    def ensure(self) -> Path:
        """The bin directory, the environment built first if missing or of another pin."""
        if not self._ready():
            self._build()
        if not self._ready():
            raise ToolsError(f"{self.venv}: {self.requirement} did not install its scripts")
        return self.bin

    def _ready(self) -> bool:
        try:
            marker = (self.venv / self.marker_name).read_text(encoding="utf-8")
        except OSError:
            return False
        pinned = marker.strip() == self.requirement
        return pinned and all((self.bin / script).is_file() for script in self.scripts)

    def _build(self) -> None:
        shutil.rmtree(self.venv, ignore_errors=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(self.venv)
        pip = [str(self.bin / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "--disable-pip-version-check", self.requirement], check=True)
        (self.venv / self.marker_name).write_text(self.requirement + "\n", encoding="utf-8")

    def versions(self) -> dict[str, str]:
        """Every distribution installed in the environment, by name, except pip's own."""
        found = {
            dist.metadata["Name"]: dist.version
            for dist in importlib.metadata.distributions(path=[str(self.site_packages)])
        }
        return {name: found[name] for name in sorted(found) if name not in {"pip", "setuptools"}}


TOOLS_ENV = PinnedEnv(VENV, REQUIREMENT, tuple(tool.script for tool in TOOLS.values()))


def ensure_tools() -> Path:
    """The tools' bin directory, the environment built first if missing or of another pin."""
    return TOOLS_ENV.ensure()


def versions() -> dict[str, str]:
    """Every distribution installed in the tools' environment, by name, except pip's own."""
    return TOOLS_ENV.versions()


def main() -> int:
    bin_dir = ensure_tools()
    listed = ", ".join(f"{name} {version}" for name, version in versions().items())
    print(f"{bin_dir}: {listed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
