"""Split file lists into batches whose command lines fit the OS argument limit.

The byte budget follows pre-commit's ``xargs.py``: each argument costs its encoded length, its
terminating NUL and its pointer in ``argv``.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence

from crackjack.core.errors import ConfigError

_POINTER_SIZE = 8
_HEADROOM = 2048
_POSIX_MINIMUM = 2**12
_CAP = 2**17


def max_command_length() -> int:
    """The byte budget for one command line in this process's environment.

    Capped to 128 KiB, which is also Linux's limit on a single argument, so that one huge
    environment or ``ARG_MAX`` value cannot make a batch the kernel refuses.
    """
    maximum = os.sysconf("SC_ARG_MAX") - _HEADROOM - environ_size(os.environb)
    return max(min(maximum, _CAP), _POSIX_MINIMUM)


def environ_size(environ: Mapping[bytes, bytes]) -> int:
    """Bytes an environment takes on the stack: each ``k=v``, its NUL and its pointer."""
    return sum(len(key) + 1 + len(value) + 1 + _POINTER_SIZE for key, value in environ.items())


def arg_cost(arg: str) -> int:
    """Bytes one argument takes: encoded, with its NUL and its pointer."""
    return len(os.fsencode(arg)) + 1 + _POINTER_SIZE


def partition(
    base_argv: Sequence[str], files: Sequence[str], max_length: int | None = None
) -> list[tuple[str, ...]]:
    """Split ``files`` into consecutive batches such that ``base_argv + batch`` fits the budget.

    Returns the files of each batch (without ``base_argv``), in order, each file exactly once;
    no files give no batches.
    """
    limit = max_command_length() if max_length is None else max_length
    base = sum(arg_cost(arg) for arg in base_argv)
    if base > limit:
        raise ConfigError(
            f"the command {_shorten(shlex.join(base_argv))} takes {base} bytes, "
            f"over the {limit}-byte command line limit"
        )
    batches: list[tuple[str, ...]] = []
    current: list[str] = []
    size = base
    for name in files:
        cost = arg_cost(name)
        if base + cost > limit:
            raise ConfigError(
                f"the file name {_shorten(name)!r} is too long to pass to "
                f"{_shorten(shlex.join(base_argv))}: {base + cost} bytes, over the "
                f"{limit}-byte command line limit"
            )
        if size + cost > limit:
            batches.append(tuple(current))
            current, size = [], base
        current.append(name)
        size += cost
    if current:
        batches.append(tuple(current))
    return batches


def _shorten(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
