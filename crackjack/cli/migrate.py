"""``crackjack migrate``: a project's ``.pre-commit-config.yaml`` written into its
``pyproject.toml`` as ``[tool.crackjack]``, appended to what the file holds (never rewritten)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from crackjack.cli.console import Printer
from crackjack.cli.escape import safe_name
from crackjack.core.config.load import find_pyproject
from crackjack.core.config.migration import migrate
from crackjack.core.config.precommit import read_precommit
from crackjack.core.config.source import CONFIG_NAME
from crackjack.core.errors import ConfigError, RepositoryStateError
from crackjack.core.files.fsutil import atomic_write, describe_os_error
from crackjack.core.git.worktree import work_tree_or_none
from crackjack.hooks.catalogue import BUILTINS


def migrate_command(config: str | None) -> int:
    cwd = Path.cwd()
    try:
        tree = work_tree_or_none(cwd)
    except RepositoryStateError:
        tree = None
    top = None if tree is None else tree.top
    pyproject = find_pyproject(cwd, top)
    root = pyproject.parent if pyproject else (top or cwd)
    source = Path(config).absolute() if config else root / CONFIG_NAME
    if not source.is_file():
        raise ConfigError(f"{source}: no such file, nothing to migrate (name one with --config)")
    target = pyproject or root / "pyproject.toml"
    content = _read(target)
    existing = _crackjack_table(target, content)
    if existing is not None and existing.get("hooks"):
        raise ConfigError(
            f"{target}: [tool.crackjack] defines hooks already; migrate only writes into a"
            " project with none (port the rest by hand, or remove them first)"
        )
    read = read_precommit(source, BUILTINS)
    migration = migrate(read, BUILTINS, existing)
    glue = b"" if not content else b"\n" if content.endswith(b"\n") else b"\n\n"
    new = content + glue + migration.text.encode()
    tomllib.loads(new.decode("utf-8"))  # what is written always reads back
    try:
        atomic_write(target, new)
    except OSError as exc:
        raise ConfigError(f"{target}: cannot write: {describe_os_error(exc)}") from None
    total = len(read.catalogue.hooks)
    _say(f"wrote {migration.hooks} of the {total} hooks of {source.name} into {target}")
    for note in migration.notes:
        _say(note)
    _say(f"{source.name} is left as it is; crackjack now runs the hooks of {target.name}")
    return 0


def _read(target: Path) -> bytes:
    try:
        return target.read_bytes()
    except FileNotFoundError:
        return b""
    except OSError as exc:
        raise ConfigError(f"{target}: cannot read: {describe_os_error(exc)}") from None


def _crackjack_table(target: Path, content: bytes) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{target}: not valid TOML, so nothing is added to it: {exc}") from None
    table = data.get("tool", {}).get("crackjack")
    return table if isinstance(table, dict) else None


def _say(line: str) -> None:
    Printer().print(f"crackjack: {safe_name(line)}")
