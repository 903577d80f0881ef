"""The built-in hooks and workflows: good Python defaults for a project with no configuration.

Read-only checks come first in each phase, the slowest first, so they start at once; fixers
follow in the order their edits should be applied (the engine never runs a fixer beside another
hook on the same files, and keeps this order between them).
"""

from __future__ import annotations

from crackjack.core.config.load import Catalogue, Workflow
from crackjack.core.runners.command import Command
from crackjack.core.runners.hook import FindingsReader, Hook
from crackjack.core.runners.inprocess import InProcess, InProcessCheck
from crackjack.core.testphase.runner import Pytest
from crackjack.hooks.checks.deferred import (
    check_toml,
    check_yaml,
    debug_statements,
    end_of_file,
    large_files,
    merge_conflict,
    trailing_whitespace,
)
from crackjack.hooks.findings import located_lines, mypy_json, ruff_json
from crackjack.hooks.tools.bandit import bandit_invocation
from crackjack.hooks.tools.mypy import mypy_invocation

PYTHON = ("python", "pyi")


def _check(
    hook_id: str,
    description: str,
    check: InProcessCheck,
    *types: str,
    fixer: bool = False,
    findings: FindingsReader | None = located_lines,
) -> Hook:
    """A fast in-process check of the files of ``types`` (any file if none)."""
    return Hook(
        id=hook_id,
        phase="fast",
        description=description,
        runner=InProcess(check, findings=findings),
        types=types or ("file",),
        fixer=fixer,
    )


BUILTIN_HOOKS: tuple[Hook, ...] = (
    _check(
        "debug-statements",
        "breakpoint() and debugger imports in Python files",
        debug_statements,
        "python",
    ),
    _check("check-merge-conflict", "merge conflict markers left in files", merge_conflict, "text"),
    _check("check-large-files", "files over --maxkb (default 500 KB)", large_files, findings=None),
    _check("check-toml", "TOML syntax", check_toml, "toml"),
    _check("check-yaml", "YAML syntax", check_yaml, "yaml"),
    _check(
        "trailing-whitespace", "strips trailing whitespace", trailing_whitespace, "text", fixer=True
    ),
    _check(
        "end-of-file",
        "every text file ends with exactly one newline",
        end_of_file,
        "text",
        fixer=True,
        findings=None,
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
            adapt=mypy_invocation,
        ),
        types_or=PYTHON,
        install="pip install mypy",
    ),
    Hook(
        id="bandit",
        phase="comprehensive",
        description="security issues, with the project's bandit configuration (without one:"
        " of medium severity and above, tests excluded)",
        runner=Command(command=("bandit", "--quiet"), adapt=bandit_invocation),
        types=("python",),
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

BUILTINS = Catalogue(
    hooks={hook.id: hook for hook in BUILTIN_HOOKS},
    workflows={workflow.name: workflow for workflow in BUILTIN_WORKFLOWS},
)
"""What a project has before its settings: handed to the session (core does not import hooks/)."""
