"""How the test phase runs: which interpreter, which extra arguments, which shard."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from crackjack.core.errors import ConfigError
from crackjack.core.testphase.pytestplugin.crackjack_pytest import wire
from crackjack.core.valueclass import value


@value(eq=True)
class Shard:
    """Slice ``index`` (1-based) of ``count`` of the test suite."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    try:
        index, count = wire.parse_shard(text)
    except ValueError as exc:
        raise ConfigError(f"--shard {text}: {exc}") from None
    return Shard(index, count)


@value(kw_only=True)
class TestOptions:
    """What a run passes to every pytest hook, beyond the hook's own settings."""

    __test__ = False  # for pytest: not a test class

    python: str
    args: tuple[str, ...] = ()
    shard: Shard | None = None
    allow_no_tests: bool = False
    slowest: int = 5


def project_python(root: Path, configured: str | None, environ: Mapping[str, str]) -> str:
    """The interpreter the project's tests run on.

    ``configured`` (an interpreter or a virtual environment, relative to ``root``) wins; then
    the active virtual environment, then a ``.venv`` at the project root, then the interpreter
    crackjack runs on.
    """
    if configured:
        return _configured(root, configured)
    candidates = []
    if environ.get("VIRTUAL_ENV"):
        candidates.append(_venv_python(Path(environ["VIRTUAL_ENV"])))
    candidates.append(_venv_python(root / ".venv"))
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return sys.executable


def _venv_python(folder: Path) -> Path:
    return folder / "bin" / "python"


def _configured(root: Path, configured: str) -> str:
    path = root / os.path.expanduser(configured)
    if path.is_dir():
        path = _venv_python(path)
    if not os.access(path, os.X_OK) or path.is_dir():
        raise ConfigError(
            f"tool.crackjack.tests.python: {path} is not an interpreter"
            " (give a python executable or a virtual environment's folder)"
        )
    return str(path)
