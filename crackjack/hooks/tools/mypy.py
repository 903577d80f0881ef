"""mypy as the project runs it: for the project's interpreter, with the project's configuration
(what it names to check, else the files given, which never name one module twice)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from crackjack.core.process.programs import PROJECT_ENV
from crackjack.core.runners.command import Invocation
from crackjack.core.runners.hook import PlanContext
from crackjack.core.valueclass import replace

CONFIG_FILES = ("mypy.ini", ".mypy.ini", "pyproject.toml", "setup.cfg")
"""Where mypy looks in each folder from the current one up to the repository's top, in order
(mypy's ``defaults.CONFIG_NAMES`` and ``SHARED_CONFIG_NAMES``)."""
TARGETS = ("files", "packages", "modules")
CACHE_INPUTS = (*CONFIG_FILES, "~/.config/mypy/config", "~/.mypy.ini")
"""What mypy reads besides its files, for the result cache's key (the environments it runs in
and checks for are in the key of every hook that runs a script or names the interpreter)."""
CACHE_ENV = ("MYPYPATH",)


def mypy_invocation(invocation: Invocation, context: PlanContext) -> Invocation:
    """The project environment's mypy as it is; another one with ``--python-executable`` (the
    project's dependencies are found); no file arguments when the configuration names what to
    check; else the files in groups in which no module name appears twice."""
    config = mypy_config(context.root)
    argv = invocation.argv
    python = context.programs.python
    needs_python = (
        invocation.program.origin != PROJECT_ENV
        and context.programs.environment is not None
        and "python_executable" not in config
        and not any(arg.startswith("--python-executable") for arg in argv)
    )
    if needs_python:
        argv = (*argv, "--python-executable", python)
    if any(config.get(key) for key in TARGETS) or invocation.groups is None:
        return replace(invocation, argv=argv, groups=None)
    files = [name for group in invocation.groups for name in group]
    return replace(invocation, argv=argv, groups=module_groups(files, context.root))


def mypy_config(root: Path) -> Mapping[str, Any]:
    """The ``[mypy]`` section of the configuration mypy run in ``root`` reads (empty if none)."""
    for path in _candidates(root):
        section = _section(path)
        if section is not None:
            return section
    return {}


def _candidates(root: Path) -> Iterator[Path]:
    folder = root
    while True:
        yield from (folder / name for name in CONFIG_FILES)
        if any((folder / top).exists() for top in (".git", ".hg")) or folder.parent == folder:
            break
        folder = folder.parent
    xdg = os.environ.get("XDG_CONFIG_HOME")
    if xdg:
        yield Path(xdg) / "mypy" / "config"
    yield from (Path(p).expanduser() for p in ("~/.config/mypy/config", "~/.mypy.ini"))


def _section(path: Path) -> Mapping[str, Any] | None:
    """The mypy section of ``path`` as mypy takes it: a file of its own counts even without
    one; a shared file (pyproject.toml, setup.cfg) or one mypy cannot parse does not."""
    if not path.is_file():
        return None
    if path.suffix == ".toml":
        import tomllib  # only when mypy is planned: the fast path never reads mypy's config

        try:
            tool = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None
        section = tool.get("mypy") if isinstance(tool, dict) else None
        return section if isinstance(section, dict) else None
    import configparser  # only for an INI file (pyproject.toml is the common case)

    try:
        parser = configparser.RawConfigParser()
        parser.read(path, encoding="utf-8")
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    if parser.has_section("mypy"):
        return {key: value.strip() for key, value in parser.items("mypy")}
    return None if path.name == "setup.cfg" else {}


def module_groups(files: list[str], root: Path) -> tuple[tuple[str, ...], ...]:
    """``files`` (``x.py`` dropped when ``x.pyi`` is there too) in groups in which each module
    name appears once, named as mypy names a file it is given: its own name under the folders
    above it that hold an ``__init__.py`` (so two ``util.py`` in folders without one, such as
    scripts folders, are both ``util``). Each group is one mypy run: the way mypy's own
    documentation and pre-commit's users split such projects; a src layout keeps one group."""
    given = set(files)
    kept = [name for name in files if not (name.endswith(".py") and f"{name}i" in given)]
    has_init = cache(lambda folder: _has_init(root / folder))
    groups: list[dict[str, str]] = []
    for name in kept:
        module = _module(name, has_init)
        group = next((g for g in groups if module not in g), None)
        if group is None:
            group = {}
            groups.append(group)
        group[module] = name
    return tuple(tuple(group.values()) for group in groups)


def _module(path: str, has_init: Callable[[str], bool]) -> str:
    *folders, filename = path.split("/")
    stem = filename.rsplit(".", 1)[0]
    names = [] if stem == "__init__" else [stem]
    while folders and has_init("/".join(folders)):
        names.insert(0, folders.pop().removesuffix("-stubs"))
    return ".".join(names)


def _has_init(folder: Path) -> bool:
    return (folder / "__init__.py").is_file() or (folder / "__init__.pyi").is_file()
