"""The in-process checks as the catalogue names them, each module imported at the check's first
call: a run imports only the checks it runs (a trivial run, or a commit with no Python or TOML
file, imports none of ``ast``, ``tomllib`` or the YAML parser). A check with no ``args`` is never
called at load (``InProcess.validate``), so nothing is imported for a hook that does not run.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from pathlib import Path

from crackjack.core.runners.inprocess import CheckOutcome, InProcessCheck


def _deferred(module: str, name: str) -> InProcessCheck:
    """``crackjack.hooks.checks.MODULE.NAME``, imported when first called."""

    def check(files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool) -> CheckOutcome:
        target: InProcessCheck = getattr(import_module(f"crackjack.hooks.checks.{module}"), name)
        return target(files, root=root, args=args, fix=fix)

    check.__name__ = check.__qualname__ = name
    return check


debug_statements = _deferred("debug_statements", "debug_statements")
end_of_file = _deferred("end_of_file", "end_of_file")
large_files = _deferred("large_files", "large_files")
merge_conflict = _deferred("merge_conflict", "merge_conflict")
check_toml = _deferred("syntax", "check_toml")
check_yaml = _deferred("syntax", "check_yaml")
trailing_whitespace = _deferred("whitespace", "trailing_whitespace")
