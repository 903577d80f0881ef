"""The built-in hooks and workflows: good Python defaults for a project with no configuration.

Read-only checks come first in each phase, the slowest first, so they start at once; fixers
follow in the order their edits should be applied (the engine never runs a fixer beside another
hook on the same files, and keeps this order between them).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

from crackjack.core.config.load import Workflow
from crackjack.core.runners.command import Command
from crackjack.core.runners.hook import FindingsReader, Hook
from crackjack.core.runners.inprocess import CheckOutcome, InProcess, InProcessCheck
from crackjack.core.testphase.runner import Pytest
from crackjack.hooks.findings import located_lines, mypy_json, ruff_json


def _in_process(module: str, function: str, findings: FindingsReader | None = None) -> InProcess:
    """The check ``function`` of ``crackjack.hooks.checks.<module>``, imported on its first
    call: a run that does not use it (a tests-only run, say) does not load it."""

    def check(files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool) -> CheckOutcome:
        found: InProcessCheck = getattr(
            importlib.import_module(f"crackjack.hooks.checks.{module}"), function
        )
        return found(files, root=root, args=args, fix=fix)

    return InProcess(check=check, findings=findings)


PYTHON = ("python", "pyi")
TEST_FILES = ("tests/", "test/", "test_*.py", "*_test.py", "conftest.py")

BUILTIN_HOOKS: tuple[Hook, ...] = (
    Hook(
        id="debug-statements",
        phase="fast",
        description="breakpoint() and debugger imports in Python files",
        runner=_in_process("debug_statements", "debug_statements", located_lines),
        types=("python",),
    ),
    Hook(
        id="check-merge-conflict",
        phase="fast",
        description="merge conflict markers left in files",
        runner=_in_process("merge_conflict", "merge_conflict", located_lines),
        types=("text",),
    ),
    Hook(
        id="check-large-files",
        phase="fast",
        description="files over --maxkb (default 500 KB)",
        runner=_in_process("large_files", "large_files"),
    ),
    Hook(
        id="check-toml",
        phase="fast",
        description="TOML syntax",
        runner=_in_process("syntax", "check_toml", located_lines),
        types=("toml",),
    ),
    Hook(
        id="check-yaml",
        phase="fast",
        description="YAML syntax",
        runner=_in_process("syntax", "check_yaml", located_lines),
        types=("yaml",),
    ),
    Hook(
        id="trailing-whitespace",
        phase="fast",
        description="strips trailing whitespace",
        runner=_in_process("whitespace", "trailing_whitespace", located_lines),
        types=("text",),
        fixer=True,
    ),
    Hook(
        id="end-of-file",
        phase="fast",
        description="every text file ends with exactly one newline",
        runner=_in_process("end_of_file", "end_of_file"),
        types=("text",),
        fixer=True,
    ),
    Hook(
        id="ruff-check",
        phase="fast",
        description="ruff lint, applying safe fixes",
        runner=Command(
            command=("ruff", "check", "--fix", "--force-exclude"),
            check_command=("ruff", "check", "--no-fix", "--force-exclude"),
            findings=ruff_json,
            findings_args=("--output-format", "json"),
            dashdash=True,
        ),
        types_or=PYTHON,
        fixer=True,
        install="pip install ruff",
    ),
    Hook(
        id="ruff-format",
        phase="fast",
        description="ruff formatter",
        runner=Command(
            command=("ruff", "format", "--force-exclude"),
            check_command=("ruff", "format", "--check", "--force-exclude"),
            dashdash=True,
        ),
        types_or=PYTHON,
        fixer=True,
        install="pip install ruff",
    ),
    Hook(
        id="mypy",
        phase="comprehensive",
        description="static type check",
        runner=Command(
            command=("mypy",),
            findings=mypy_json,
            findings_args=("--output", "json"),
            dashdash=True,
        ),
        types_or=PYTHON,
        install="pip install mypy",
    ),
    Hook(
        id="bandit",
        phase="comprehensive",
        description="security issues of medium severity and above (tests excluded)",
        runner=Command(command=("bandit", "--quiet", "-ll")),
        types=("python",),
        exclude=TEST_FILES,
        install="pip install bandit",
    ),
    Hook(
        id="pytest",
        phase="tests",
        description="the project's test suite, in the project's environment",
        runner=Pytest(),
        types=("python",),
        install="pip install pytest",
    ),
)

BUILTIN_WORKFLOWS: tuple[Workflow, ...] = (
    Workflow(name="fast", phases=("fast",), description="formatters and quick linters"),
    Workflow(
        name="standard",
        phases=("fast", "comprehensive", "tests"),
        description="fast hooks, then type and security checks, then the tests",
    ),
    Workflow(name="skip-hooks", phases=("tests",), description="only the tests"),
)
