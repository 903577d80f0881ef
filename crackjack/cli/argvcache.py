"""The argv cache: the run command's options for a command line Typer has parsed before, read
back without Typer (about 50 ms of imports and building the command line).

Typer stays the one parser: only options it produced, and :func:`run_workflow
<crackjack.cli.runoptions.run_workflow>` then accepted, are stored; anything else Typer
answers (``--help``, ``--version`` anywhere, a refused command line, another command) is never
stored, so it always goes to Typer again.

An entry is found by a digest of everything Typer's answer depends on: the command line, the
cache's format, crackjack's version, the interpreter's version, the bytes of the parser's
source (``cli/app.py``, and ``cli/runoptions.py`` which shapes what is stored: an edited
checkout changes them without a new version), and the installed Typer (where its
``__init__.py`` is, its size and time). Typer reads no environment variable for these options.
The one other input is the current directory: ``app.py`` asks whether the first word is a file
(a mistyped command or a path) and PATHS name files. A command line with PATHS is therefore
never stored; without PATHS the first word is an option, ``--`` or ``run``, none of which looks
at a file, so the folder it runs in plays no part in the parse (the run itself still starts
from the current directory).

The file is one JSON object, digest to options, in the user cache folder, at most
:data:`MAX_ENTRIES` of them (the oldest go first), replaced atomically. Whatever goes wrong with
it (missing, corrupted, unreadable, unwritable, an entry of the wrong shape) is a miss, silently:
the cache can make a run start sooner, never change what it does.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from crackjack import __version__
from crackjack.cli.runoptions import RunOptions
from crackjack.core.digest import hexdigest
from crackjack.core.files.fsutil import (
    atomic_write,
    read_json_object,
    sources_digest,
    user_cache_home,
)
from crackjack.core.valueclass import fields

FORMAT = 1
MAX_ENTRIES = 64
SOURCES = tuple(Path(__file__).with_name(name) for name in ("app.py", "runoptions.py"))
"""The parser's source: an edited checkout changes them without a new version."""

_VALUE_CHECKS: dict[str, Callable[[object], bool]] = {
    "bool": lambda value: isinstance(value, bool),
    "bool | None": lambda value: value is None or isinstance(value, bool),
    "str | None": lambda value: value is None or isinstance(value, str),
    "int | None": lambda value: value is None or type(value) is int,
    "tuple[str, ...]": lambda value: (
        isinstance(value, list) and all(isinstance(item, str) for item in value)
    ),
}
"""What a stored value may be, by the annotation of its field in RunOptions."""


def cache_file() -> Path | None:
    home = user_cache_home()
    return None if home is None else home / "crackjack" / "argv.json"


def launch_file(digest: str) -> Path | None:
    """Where a run of the command line stored under ``digest``, in the current folder, keeps
    its first early hook's launch (``core.run.headstart``); None without a cache folder."""
    home = user_cache_home()
    if home is None:
        return None
    name = hexdigest(f"{digest}\0{os.getcwd()}".encode())
    return home / "crackjack" / "launches" / f"{name}.json"


def key(args: list[str]) -> str | None:
    """The digest ``args`` are stored under; None when the parser's sources cannot be read (an
    install without them): then nothing is recalled or stored."""
    parser = sources_digest(SOURCES)
    if parser is None:
        return None
    inputs = {
        "format": FORMAT,
        "version": __version__,
        "python": sys.version,
        "argv": args,
        "parser": parser,
        "typer": _typer_stamp(),
    }
    return hexdigest(json.dumps(inputs).encode())


def _typer_stamp() -> list[object] | None:
    """Where Typer would be imported from, as the import system searches ``sys.path``, with
    its size and time: an upgrade or another copy of Typer changes it."""
    for folder in sys.path:
        init = os.path.join(folder or ".", "typer", "__init__.py")
        try:
            found = os.stat(init)
        except OSError:
            continue
        return [os.path.abspath(init), found.st_size, found.st_mtime_ns]
    return None


def recall(digest: str) -> RunOptions | None:
    """The options stored under ``digest``; None when there are none, or none that fit."""
    entry = _entries().get(digest)
    if not isinstance(entry, dict) or set(entry) != {field.name for field in fields(RunOptions)}:
        return None
    values: dict[str, object] = {}
    for field in fields(RunOptions):
        value = entry[field.name]
        check = _VALUE_CHECKS.get(str(field.type))
        if check is None or not check(value):
            return None
        values[field.name] = tuple(value) if isinstance(value, list) else value
    return RunOptions(**values)  # type: ignore[arg-type]  # each value checked above


def remember(digest: str, options: RunOptions) -> None:
    """Store ``options`` under ``digest``, unless they name PATHS (see the module)."""
    path = cache_file()
    if path is None or options.paths:
        return
    entries = {name: value for name, value in _entries().items() if name != digest}
    entries[digest] = {field.name: getattr(options, field.name) for field in fields(options)}
    kept = dict(list(entries.items())[-MAX_ENTRIES:])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(kept).encode())
    except OSError:
        return


def _entries() -> dict[str, object]:
    path = cache_file()
    if path is None:
        return {}
    return read_json_object(path) or {}
