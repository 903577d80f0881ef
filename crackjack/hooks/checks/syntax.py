"""Syntax checks for TOML and YAML files: each error as ``path:line:col: message``."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from crackjack.core.config.tomlerror import locate
from crackjack.core.errors import ConfigError
from crackjack.core.runners.inprocess import CheckOutcome
from crackjack.core.valueclass import value
from crackjack.hooks.checks.common import find_in_files, no_arguments

_UNSAFE = "--unsafe"
_YAML_MULTI_DOCUMENT_FLAGS = ("--allow-multiple-documents", "-m")


class SyntaxProblem(NamedTuple):
    """What is wrong with one file, at the parser's 1-based position when it gives one."""

    message: str
    line: int | None = None
    column: int | None = None

    def format(self, name: str) -> str:
        if self.line is None:
            return f"{name}: {self.message}"
        return f"{name}:{self.line}:{self.column}: {self.message}"


Parse = Callable[[bytes], SyntaxProblem | None]


def check_toml(files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool) -> CheckOutcome:
    """Fail for every file ``tomllib`` cannot parse."""
    no_arguments(args)
    return _check_files(files, root, parse_toml)


def check_yaml(files: Sequence[str], *, root: Path, args: Sequence[str], fix: bool) -> CheckOutcome:
    """Fail for every file that is not valid YAML (all its documents are read).

    See ``parse_check_yaml_args`` for its arguments.
    """
    options = parse_check_yaml_args(args)
    # PyYAML (about 12 ms of imports) only when there is YAML: bench/README.md, eager-yaml
    from crackjack.hooks.checks import yamlparse

    parse = yamlparse.parse_yaml_syntax if options.unsafe else yamlparse.parse_yaml
    return _check_files(files, root, parse)


@value(eq=True)
class YamlOptions:
    """check-yaml's arguments, parsed."""

    unsafe: bool = False


def parse_check_yaml_args(args: Sequence[str]) -> YamlOptions:
    """``--unsafe`` checks the syntax only, so tags of other tools (``!Ref``, ``!reference``)
    pass; ``-m``/``--allow-multiple-documents`` is accepted for pre-commit-hooks compatibility
    and changes nothing."""
    for arg in args:
        if arg != _UNSAFE and arg not in _YAML_MULTI_DOCUMENT_FLAGS:
            accepted = ", ".join((_UNSAFE, *_YAML_MULTI_DOCUMENT_FLAGS))
            raise ConfigError(f"unknown argument {arg!r} (accepted: {accepted})")
    return YamlOptions(unsafe=_UNSAFE in args)


def parse_toml(data: bytes) -> SyntaxProblem | None:
    try:
        text = data.decode("utf-8")
        tomllib.loads(text)
    except UnicodeDecodeError as exc:
        return SyntaxProblem(f"not valid UTF-8: {exc.reason}", *_line_col(data, exc.start))
    except tomllib.TOMLDecodeError as exc:
        return SyntaxProblem(*locate(exc, text))
    except RecursionError:
        return SyntaxProblem("nested too deeply to parse")
    return None


def _check_files(files: Sequence[str], root: Path, parse: Parse) -> CheckOutcome:
    def find(name: str, data: bytes) -> list[str]:
        problem = parse(data)
        return [] if problem is None else [problem.format(name)]

    return find_in_files(files, root, find)


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of ``offset``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1
