"""bandit with the project's configuration, which bandit reads only when told where it is (for
the files it is given, it looks for none); crackjack's defaults only where there is none."""

from __future__ import annotations

from pathlib import Path

from crackjack.core.files.patterns import FileFilter, TagCache
from crackjack.core.runners.command import Invocation
from crackjack.core.runners.hook import PlanContext
from crackjack.core.valueclass import replace

DEFAULT_ARGS = ("-ll",)
"""Without a configuration: issues of medium severity and above..."""
TEST_FILES = ("tests/", "test/", "test_*.py", "*_test.py", "conftest.py")
"""...outside the tests (``assert`` is how tests check)."""
CONFIG_FLAGS = ("-c", "--configfile", "--ini")
CACHE_INPUTS = ("pyproject.toml", ".bandit")
"""What bandit reads besides its files, for the result cache's key."""


def bandit_invocation(invocation: Invocation, context: PlanContext) -> Invocation:
    """``-c pyproject.toml`` for a ``[tool.bandit]`` table, ``--ini .bandit`` for that file;
    with neither (nor a configuration in the hook's own args), crackjack's defaults."""
    argv = invocation.argv
    if any(arg.split("=")[0] in CONFIG_FLAGS for arg in argv):
        return invocation
    config = bandit_config(context.root)
    if config:
        return replace(invocation, argv=(*argv, *config))
    groups = invocation.groups
    if groups is not None:
        outside = FileFilter(exclude=TEST_FILES, types=())
        groups = tuple(tuple(outside.select(g, context.root, TagCache())) for g in groups)
    return replace(invocation, argv=(*argv, *DEFAULT_ARGS), groups=groups)


def bandit_config(root: Path) -> tuple[str, ...]:
    """The arguments that make bandit read the project's configuration: its ``[tool.bandit]``
    table, its ``.bandit`` file (both, when it has both: ``bandit -r`` finds ``.bandit`` by
    itself)."""
    import tomllib

    try:
        tool = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8")).get("tool")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        tool = None
    table = ("-c", "pyproject.toml") if isinstance(tool, dict) and "bandit" in tool else ()
    return (*table, *(("--ini", ".bandit") if (root / ".bandit").is_file() else ()))
