"""The built-in hooks and workflows: good Python defaults for a project with no configuration.

The fixers come first in each phase, in the order their edits should be applied (the engine
never runs a fixer beside another hook on the same files, and keeps this order between them):
the read-only checks after them judge the files as they will be committed, and a hook of a
later phase held for the fixers (``runners.gate``) waits for them alone, not for the checks.
"""

from __future__ import annotations

from pathlib import Path

from crackjack.core.config.load import Catalogue, Workflow
from crackjack.core.config.values import CacheMode
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
from crackjack.hooks.tools import bandit, mypy, ruff
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
    cache: CacheMode = "per-file",
) -> Hook:
    """A fast in-process check of the files of ``types`` (any file if none); it judges each
    file alone, so it is cached per file unless it says otherwise."""
    return Hook(
        id=hook_id,
        phase="fast",
        description=description,
        runner=InProcess(check, findings=findings),
        types=types or ("file",),
        fixer=fixer,
        cache=cache,
    )


BUILTIN_HOOKS: tuple[Hook, ...] = (
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
        cache="per-file",
        cache_inputs=ruff.CACHE_INPUTS,
        cache_env=ruff.CACHE_ENV,
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
        cache="per-file",
        cache_inputs=ruff.CACHE_INPUTS,
        cache_env=ruff.CACHE_ENV,
        install="pip install ruff",
    ),
    _check(
        "debug-statements",
        "breakpoint() and debugger imports in Python files",
        debug_statements,
        "python",
    ),
    _check("check-merge-conflict", "merge conflict markers left in files", merge_conflict, "text"),
    _check(  # not file-local: whether a file is new to HEAD, and git-lfs attributes, count
        "check-large-files",
        "files over --maxkb (default 500 KB)",
        large_files,
        findings=None,
        cache="off",
    ),
    _check("check-toml", "TOML syntax", check_toml, "toml"),
    _check("check-yaml", "YAML syntax", check_yaml, "yaml"),
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
        cache="whole",
        cache_inputs=mypy.CACHE_INPUTS,
        cache_env=mypy.CACHE_ENV,
        install="pip install mypy",
    ),
    Hook(
        id="bandit",
        phase="comprehensive",
        description="security issues, with the project's bandit configuration (without one:"
        " of medium severity and above, tests excluded)",
        runner=Command(command=("bandit", "--quiet"), adapt=bandit_invocation),
        types=("python",),
        cache="whole",
        cache_inputs=bandit.CACHE_INPUTS,
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
    repositories=Path(__file__).with_name("precommit_repos.toml"),
)
"""What a project has before its settings: handed to the session (core does not import hooks/)."""
