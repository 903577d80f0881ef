"""Per-hook file selection: globs, then ``identify`` file types.

Glob semantics (paths are relative to the project root, with ``/`` separators):

==================  ==========================================================================
pattern             matches
==================  ==========================================================================
``*.py``            no ``/``: the file's basename, at any depth (``setup.py``, ``src/a/b.py``)
``src/*.py``        with ``/``: the whole path from the root (``src/a.py``, not ``src/a/b.py``)
``/setup.py``       a leading ``/`` only anchors: ``setup.py`` at the root, not ``a/setup.py``
``docs/``           a trailing ``/``: every file under that root directory (as ``docs/**``)
``src/**/test_*``   ``**`` as a whole segment: any number of directories, including none
``**/conftest.py``  ``conftest.py`` at any depth, including the root
``*``               any characters within one path segment (never ``/``)
``?``               exactly one character other than ``/``
``[abc]`` ``[a-z]`` one character from the class; ``[!abc]`` or ``[^abc]`` one not in it
``\\*``             a backslash makes the next character literal
``regex:RE``        a Python regular expression searched in the path (``re.search``), as
                    pre-commit reads its ``files`` and ``exclude``: ``regex:^docs/|\\.md$``
==================  ==========================================================================

Matching is case-sensitive. An invalid pattern (empty, an unclosed ``[``, a trailing ``\\``, an
empty segment such as ``a//b``, a regular expression that does not compile) is a ConfigError
naming it.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from crackjack.core.errors import ConfigError
from crackjack.core.files.touchable import FileModes
from crackjack.core.valueclass import value

REGEX_PREFIX = "regex:"
"""A pattern that starts with this is a regular expression, not a glob."""

_ANY_DIRS = "(?:.*/)?"
_SEGMENT_CHAR = "[^/]"


@value
class FileFilter:
    """Which files a hook takes: ``include`` globs (empty: all), minus ``exclude``, by types.

    ``types`` must all be tags of the file, at least one of ``types_or`` (when given) must be,
    and none of ``exclude_types`` may be (tags as ``identify`` computes them).
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    types: tuple[str, ...] = ("file",)
    types_or: tuple[str, ...] = ()
    exclude_types: tuple[str, ...] = ()

    def select(self, paths: Sequence[str], root: Path, tags: TagCache) -> list[str]:
        """The ``paths`` (relative to ``root``) this filter takes, in their given order."""
        included = _compile(self.include)
        excluded = _compile(self.exclude)
        chosen = [
            path
            for path in paths
            if (included is None or included.matches(path))
            and (excluded is None or not excluded.matches(path))
        ]
        if not (self.types or self.types_or or self.exclude_types):
            return chosen
        if set(self.types) == {"file"} and not (self.types_or or self.exclude_types):
            return tags.regular_files(root, chosen)
        known = tags.of(root)
        matches: dict[frozenset[str], bool] = {}  # a project's files have few sets of tags
        kept: list[str] = []
        for path in chosen:
            file_tags = known.get(path)
            if file_tags is None:
                file_tags = tags.get(root, path)
            match = matches.get(file_tags)
            if match is None:
                match = matches[file_tags] = self._types_match(file_tags)
            if match:
                kept.append(path)
        return kept

    def validate(self) -> None:
        """Raise ConfigError for an invalid glob or an unknown file type."""
        _compile(self.include)
        _compile(self.exclude)
        unknown = validate_tags((*self.types, *self.types_or, *self.exclude_types))
        if unknown:
            raise ConfigError(f"unknown file type(s): {', '.join(unknown)}")

    def _types_match(self, file_tags: frozenset[str]) -> bool:
        return (
            file_tags.issuperset(self.types)
            and (not self.types_or or not file_tags.isdisjoint(self.types_or))
            and file_tags.isdisjoint(self.exclude_types)
        )


class TagCache:
    """A memo of ``identify`` tags per file (safe across threads: a race only computes twice).

    A file that vanished or cannot be read has no tags, so no ``types`` filter takes it. FIFOs
    and devices get none either: identify would read them, and reading a FIFO can block forever.
    """

    def __init__(self, modes: FileModes | None = None) -> None:
        self._tags: dict[Path, dict[str, frozenset[str]]] = {}
        self._modes = {} if modes is None else {modes.root: modes}

    def of(self, root: Path) -> dict[str, frozenset[str]]:
        """The tags known so far of the files under ``root``, by path (``get`` adds to it)."""
        known = self._tags.get(root)
        if known is None:
            known = self._tags.setdefault(root, {})
        return known

    def get(self, root: Path, path: str) -> frozenset[str]:
        known = self.of(root)
        found = known.get(path)
        if found is None:
            found = known.setdefault(path, _identify(self.modes(root), path))
        return found

    def modes(self, root: Path) -> FileModes:
        """The look at each file under ``root``: the selection's (``modes``) for its root."""
        found = self._modes.get(root)
        if found is None:
            found = self._modes.setdefault(root, FileModes(root))
        return found

    def regular_files(self, root: Path, paths: Iterable[str]) -> list[str]:
        """Those of ``paths`` that have the tag ``file``: regular files, the one case identify
        gives that tag (FIFOs and devices aside, which get no tags here), each found with one
        ``lstat`` (the selection's, when ``modes`` has this root) and without reading the file
        as identify does for its other tags."""
        tags, regular, mode_of = self.of(root), stat.S_ISREG, self.modes(root).of
        kept: list[str] = []
        for path in paths:
            found = tags.get(path)
            if found is not None:
                if "file" in found:
                    kept.append(path)
                continue
            mode = mode_of(path)
            if mode is not None and regular(mode):
                kept.append(path)
        return kept


def validate_tags(tags: Iterable[str]) -> list[str]:
    """The tags ``identify`` does not know, in the order given, without repeats. ``file``, every
    hook's default, is known without loading identify's tables (a run of hooks that take any
    file never needs them)."""
    asked = [tag for tag in dict.fromkeys(tags) if tag != "file"]
    if not asked:
        return []
    from identify.identify import ALL_TAGS

    return [tag for tag in asked if tag not in ALL_TAGS]


@value(eq=True)
class _Matcher:
    """Globs as one regex matched whole, and regular expressions each searched in the path
    (apart: each may open with its own global flags, such as pre-commit's ``(?x)``)."""

    globs: re.Pattern[str] | None
    regexes: tuple[re.Pattern[str], ...]

    def matches(self, path: str) -> bool:
        if self.globs is not None and self.globs.fullmatch(path):
            return True
        return any(regex.search(path) for regex in self.regexes)


@functools.lru_cache(maxsize=1024)
def _compile(patterns: tuple[str, ...]) -> _Matcher | None:
    """What matches any of ``patterns`` (None when there are none), on a relative posix path."""
    if not patterns:
        return None
    globs = [pattern for pattern in patterns if not pattern.startswith(REGEX_PREFIX)]
    regexes = tuple(
        _regex(pattern.removeprefix(REGEX_PREFIX))
        for pattern in patterns
        if pattern.startswith(REGEX_PREFIX)
    )
    joined = "|".join(f"(?:{_translate(pattern)})" for pattern in globs)
    return _Matcher(re.compile(joined, re.DOTALL) if globs else None, regexes)


def _regex(source: str) -> re.Pattern[str]:
    try:
        return re.compile(source)
    except re.error as exc:
        raise ConfigError(f"invalid regular expression {source!r}: {exc}") from None


@functools.lru_cache(maxsize=1024)
def _translate(pattern: str) -> str:
    """The regex source for one glob (see the module docstring for the rules)."""
    anchored = "/" in pattern
    body = pattern.removeprefix("/")
    segments = body.split("/")
    if body.endswith("/"):
        segments[-1] = "**"
    if not body or "" in segments:
        raise ConfigError(f"invalid file pattern {pattern!r}: empty path segment")
    parts = [] if anchored else [_ANY_DIRS]
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        if segment == "**":
            parts.append(".*" if index == last else _ANY_DIRS)
        else:
            parts.append(_translate_segment(segment, pattern))
            if index != last:
                parts.append("/")
    return "".join(parts)


def _translate_segment(segment: str, pattern: str) -> str:
    parts: list[str] = []
    i = 0
    while i < len(segment):
        char = segment[i]
        i += 1
        if char == "*":
            while i < len(segment) and segment[i] == "*":
                i += 1
            parts.append(_SEGMENT_CHAR + "*")
        elif char == "?":
            parts.append(_SEGMENT_CHAR)
        elif char == "[":
            cls, i = _translate_class(segment, i, pattern)
            parts.append(cls)
        elif char == "\\":
            if i == len(segment):
                raise ConfigError(f"invalid file pattern {pattern!r}: it ends with a backslash")
            parts.append(re.escape(segment[i]))
            i += 1
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _translate_class(segment: str, start: int, pattern: str) -> tuple[str, int]:
    """The regex for the ``[...]`` class opened just before ``start``, and the index after it."""
    i = start
    negate = i < len(segment) and segment[i] in "!^"
    if negate:
        i += 1
    first = i
    if i < len(segment) and segment[i] == "]":
        i += 1
    end = segment.find("]", i)
    if end == -1:
        raise ConfigError(
            f"invalid file pattern {pattern!r}: '[' without a closing ']' "
            "(a class cannot contain '/'; write '\\[' for a literal bracket)"
        )
    return _class_regex(segment[first:end], negate, pattern), end + 1


def _class_regex(members: str, negate: bool, pattern: str) -> str:
    """A regex class; ``-`` makes a range only between two members, as in shell globs. The
    only part of a glob that can make a bad regex: a backwards range such as ``[z-a]``."""
    last = len(members) - 1
    body = "".join(
        c if c == "-" and 0 < index < last else re.escape(c) for index, c in enumerate(members)
    )
    regex = f"[^/{body}]" if negate else f"[{body}]"
    try:
        re.compile(regex)
    except re.error as exc:
        raise ConfigError(f"invalid file pattern {pattern!r}: {exc.msg}") from None
    return regex


def _identify(modes: FileModes, name: str) -> frozenset[str]:
    """``name``'s tags, its kind from the run's one look at it (``modes``)."""
    from identify.identify import tags_from_path

    mode = modes.of(name)
    if mode is None or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return frozenset()
    full = modes.path(name)
    try:
        if stat.S_ISREG(mode):
            named = _named_tags(os.path.basename(full))
            if named is not None:
                return named[os.access(full, os.X_OK)]
        return frozenset(tags_from_path(full))
    except (OSError, ValueError):
        return frozenset()


@functools.lru_cache(maxsize=4096)
def _named_tags(name: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """A regular file's tags when not executable and when executable, from its ``name`` alone:
    what ``tags_from_path`` gives without reading the file, where the name tells text from
    binary (most names), found once per name and without identify's second ``lstat``."""
    from identify.identify import (
        ENCODING_TAGS,
        EXECUTABLE,
        FILE,
        NON_EXECUTABLE,
        tags_from_filename,
    )

    tags = tags_from_filename(name)
    if not tags & ENCODING_TAGS:
        return None
    return frozenset({FILE, NON_EXECUTABLE, *tags}), frozenset({FILE, EXECUTABLE, *tags})
