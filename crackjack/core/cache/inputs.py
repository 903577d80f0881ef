"""What a hook reads besides its files, as the result cache keys it: configuration files and
environment variables.

A ``cache-inputs`` entry is read three ways:

- a bare name (``pyproject.toml``, ``.ruff.toml``): that file in the folder of each file the
  hook checks and in every folder above it, past the project root (where tools look for their
  configuration), so a nested ``ruff.toml`` is part of the key of the files under it only;
- ``~/NAME``: a file of the user's home folder (a tool's user configuration);
- anything else: a glob from the project root (``config/*.toml``, ``**/setup.cfg``).

Files are named by their path relative to the root and keyed by a digest of their bytes (one
that is not there counts as absent). A ``cache-env`` entry is a variable name, or a prefix
ending in ``*`` (``RUFF_*``).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from crackjack.core.cache.contents import stat_of
from crackjack.core.digest import hexdigest
from crackjack.core.files.stamps import settled

WILDCARDS = frozenset("*?[")
_EXTEND = re.compile(rb"""^[ \t]*extend[ \t]*=[ \t]*["']([^"'\n]+)["']""", re.MULTILINE)


def is_bare(pattern: str) -> bool:
    """Whether ``pattern`` names a file looked for up the tree."""
    return "/" not in pattern and not WILDCARDS.intersection(pattern)


class Outside:
    """What a run read above the project root (listings and digests), read once per run:
    nothing a hook may write is there (crackjack's hooks get no file outside the root).
    ``lock`` is held by every ``Inputs`` sharing it while it reads: hooks are keyed on their
    own threads, and a digest being read is a placeholder another thread must not take."""

    __slots__ = ("digests", "listings", "lock")

    def __init__(self) -> None:
        self.listings: dict[str, frozenset[str]] = {}
        self.digests: dict[str, str] = {}
        self.lock = threading.RLock()


class Inputs:
    """The configuration files the hooks of a run read, from when it is made until a hook of
    the run changes a file (or ``unchanged`` finds one changed): each folder listed once and
    each file read once, their stat data kept so that ``unchanged`` can tell, before a hit is
    served and when a hook ends, whether any changed since."""

    def __init__(self, root: Path, outside: Outside | None = None) -> None:
        self.root = root
        self.made = time.time_ns()
        self._base = os.path.join(root, "")
        self._outside = outside or Outside()
        self._digests: dict[str, str] = {}
        self._chains: dict[tuple[str, tuple[str, ...]], str] = {}
        self._listings: dict[str, frozenset[str]] = {}
        self._seen: dict[str, tuple[int, ...] | None] = {}
        self._asked: dict[str, set[str]] = {}

    def digest(self, path: str) -> str:
        """A digest of the file at ``path`` (from the root; may start with ``../``), empty when
        it is not a file that can be read."""
        digests = self._outside.digests if path.startswith("..") else self._digests
        with self._outside.lock:
            known = digests.get(path)
            if known is None:
                self._look(path)
                digests[path] = ""  # while the files it extends are read (one may extend it)
                known = digests[path] = self._read(path)
        return known

    def _read(self, path: str) -> str:
        """The digest of ``path``'s bytes and of each configuration file it ``extend``s (ruff's
        ``extend = "../base.toml"``, relative to its folder; any ``extend = "..."`` line counts:
        a file too many only makes the key stricter)."""
        try:
            with open(self._base + path, "rb") as file:
                data = file.read()
        except OSError:
            return ""
        if b"extend" not in data:
            return _hash(data)
        folder = os.path.dirname(path)
        extended = [
            self.digest(self.relative(os.path.join(folder, os.fsdecode(name.strip()))))
            for name in _EXTEND.findall(data)
        ]
        return _hash(b"\0".join([data, *(digest.encode() for digest in extended)]))

    def relative(self, path: str) -> str:
        """``path`` (from the root, or absolute, or from ``~``) from the root, ``../`` past it."""
        full = os.path.normpath(os.path.join(self.root, os.path.expanduser(path)))
        return os.path.relpath(full, self.root).replace(os.sep, "/")

    def _names_in(self, folder: str) -> frozenset[str]:
        """What ``folder`` holds (one listing, rather than a look for each name)."""
        listings = self._outside.listings if folder.startswith("..") else self._listings
        known = listings.get(folder)
        if known is None:
            self._look(folder)
            try:
                known = frozenset(os.listdir(self._base + folder if folder else self.root))
            except OSError:
                known = frozenset()
            listings[folder] = known
        return known

    def _look(self, path: str) -> None:
        """Keep the stat data of ``path`` (inside the root) as it is read."""
        if not path.startswith(".."):
            self._seen[path] = stat_of(self._base + path if path else str(self.root))

    def unchanged(self) -> bool:
        """Whether every folder and file read inside the root is still as it was read (after
        ``made``): by its stat data when it had settled by then (``core.files.stamps``), else
        by reading it again."""
        again = Inputs(self.root, self._outside)
        with self._outside.lock:
            for path, seen in list(self._seen.items()):
                now = stat_of(self._base + path if path else str(self.root))
                fresh = now == seen and (seen is None or settled(seen[0], seen[1], self.made))
                if not fresh and not self._same(path, again):
                    return False
        return True

    def _same(self, path: str, again: Inputs) -> bool:
        """Whether ``path`` reads as it did: a file's digest; of a folder, which of the names
        looked for in it are there (a tool writing its own cache folder beside them changes
        the folder, not the answer)."""
        asked = self._asked.get(path)
        if asked is not None:
            return asked & again._names_in(path) == asked & self._listings[path]
        return again.digest(path) == self._digests.get(path)

    def chain(self, folder: str, names: tuple[str, ...]) -> str:
        """A digest of the files ``names`` in ``folder`` (from the root, ``""`` for it) and in
        every folder above it, up to the file system's root."""
        if not names:
            return ""
        with self._outside.lock:
            return self._chain(folder, names)

    def _chain(self, folder: str, names: tuple[str, ...]) -> str:
        memo = (folder, names)
        known = self._chains.get(memo)
        if known is not None:
            return known
        parent = _parent(folder, self.root)
        above = "" if parent is None else self._chain(parent, names)
        listed = self._names_in(folder)
        self._asked.setdefault(folder, set()).update(names)
        found = [(name, self.digest(_join(folder, name))) for name in names if name in listed]
        present = [f"{name}={digest}" for name, digest in found if digest]
        known = _hash("\n".join([above, *present])) if present else above
        self._chains[memo] = known
        return known

    def rooted(self, patterns: Iterable[str]) -> list[tuple[str, str]]:
        """The files the patterns that are not bare name, with their digests."""
        found: list[tuple[str, str]] = []
        for pattern in patterns:
            if is_bare(pattern):
                continue
            if pattern.startswith("~/"):
                found.append((pattern, _file_digest(Path(_user_file(pattern)))))
                continue
            import glob  # only for a project hook's cache-inputs globs

            for path in sorted(glob.glob(pattern, root_dir=self.root, recursive=True)):
                found.append((path, self.digest(path)))
        return found

    def fresh(self) -> Inputs:
        """The same inputs, to be read again (to tell whether one changed during a run)."""
        return Inputs(self.root, self._outside)


def named(argv: Iterable[str], root: Path, inputs: Inputs) -> list[tuple[str, str]]:
    """The files inside the project that arguments of ``argv`` name (``--config cfg.toml``,
    ``--config=cfg.toml``, ``-c .bandit``), with their digests: a tool reads what it is
    pointed at. Absolute paths outside the project, and what is not a file, are left out."""
    found: list[tuple[str, str]] = []
    base = os.path.join(root, "")
    for arg in argv:
        value = arg.partition("=")[2] if arg.startswith("-") else arg
        if not value or value.startswith("-"):
            continue
        full = value if os.path.isabs(value) else base + value
        if (os.path.isabs(value) and not value.startswith(base)) or not os.path.isfile(full):
            continue
        path = inputs.relative(full)
        if not path.startswith(".."):
            found.append((path, inputs.digest(path)))
    return found


def variables(names: Iterable[str], environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """The variables of ``environ`` the names (or ``PREFIX*`` prefixes) allow, sorted."""
    exact = {name for name in names if not name.endswith("*")}
    prefixes = tuple(name[:-1] for name in names if name.endswith("*"))
    return sorted(
        (name, value)
        for name, value in environ.items()
        if name in exact or (prefixes and name.startswith(prefixes))
    )


def _parent(folder: str, root: Path) -> str | None:
    """The folder above ``folder`` (relative to the root: ``..`` past it), None at ``/``."""
    if folder and not folder.startswith(".."):
        return folder.rpartition("/")[0]
    up = os.path.normpath(os.path.join(root, folder, ".."))
    if up == os.path.normpath(os.path.join(root, folder)):
        return None
    return "/".join(filter(None, (folder, "..")))


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _user_file(pattern: str) -> str:
    """A ``~/`` pattern's file: under ``$XDG_CONFIG_HOME`` for ``~/.config/``, where tools
    look first (ruff, mypy), else in the home folder."""
    config = os.environ.get("XDG_CONFIG_HOME")
    if config and pattern.startswith("~/.config/"):
        return os.path.join(config, pattern.removeprefix("~/.config/"))
    return os.path.expanduser(pattern)


def _file_digest(path: Path) -> str:
    try:
        with open(path, "rb") as file:
            return _hash(file.read())
    except OSError:
        return ""


def _hash(data: str | bytes) -> str:
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    return hexdigest(raw)[:32]
