"""Parsing YAML for the check-yaml hook (imported only when a run has YAML files to check)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

import yaml

from crackjack.hooks.checks.syntax import SyntaxProblem

try:
    from yaml import CSafeLoader as _YamlLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _YamlLoader  # type: ignore[assignment]


def parse_yaml(data: bytes) -> SyntaxProblem | None:
    """Load every document with the safe loader: unknown tags and bad values are errors."""
    return _run_yaml(yaml.load_all, data)


def parse_yaml_syntax(data: bytes) -> SyntaxProblem | None:
    """Compose every document without constructing values: any tag passes."""
    return _run_yaml(yaml.compose_all, data)


def _run_yaml(load: Callable[..., Iterable[object]], data: bytes) -> SyntaxProblem | None:
    try:
        deque(load(data, Loader=_YamlLoader), maxlen=0)
    except yaml.MarkedYAMLError as exc:
        message = ": ".join(part for part in (exc.context, exc.problem) if part)
        mark = exc.problem_mark or exc.context_mark
        if mark is None:  # pragma: no cover - PyYAML always marks its parse errors
            return SyntaxProblem(message)
        return SyntaxProblem(message, mark.line + 1, mark.column + 1)
    except yaml.reader.ReaderError as exc:
        return SyntaxProblem(f"{str(exc).splitlines()[0]} (at position {exc.position})")
    except yaml.YAMLError as exc:  # pragma: no cover - loading raises only the errors above
        return SyntaxProblem(str(exc).splitlines()[0])
    except (ValueError, RecursionError) as exc:
        return SyntaxProblem(f"cannot load: {exc}")
    return None
