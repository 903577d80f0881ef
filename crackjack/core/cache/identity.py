"""Who a hook's program is, as the result cache keys it, without its absolute path (so a cache
moves between machines).

A binary (ruff) is the digest pip recorded for it in its distribution's ``RECORD`` (while its
size is the recorded one), else a digest of its bytes. A script (a console entry point such as
mypy's) is a digest of its bytes after the ``#!`` line, plus the environment of the interpreter
that line names: its Python version and the names and versions of its installed distributions
(the names of its ``*.dist-info`` folders, read without starting it), so upgrading the tool or
any dependency of it is seen. Digests of executables are remembered by (path, size, mtime_ns,
inode), so a program is read once, not on every run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from pathlib import Path

from crackjack.core.digest import hexdigest

_DISTRIBUTIONS = (".dist-info", ".egg-info")
_CFG_KEYS = ("version", "version_info", "implementation", "include-system-site-packages")
"""The lines of ``pyvenv.cfg`` that say what the environment is, not where it came from."""


def executable_digest(path: str, memo: MutableMapping[str, list[object]]) -> str:
    """A digest of the program at ``path`` (a script's without its ``#!`` line); ``memo``
    remembers it by the file's identity; empty when it cannot be read."""
    real = os.path.realpath(path)
    try:
        info = os.stat(real)
    except OSError:
        return ""
    identity: list[object] = [info.st_size, info.st_mtime_ns, info.st_ino]
    known = memo.get(real)
    if known is not None and known[:3] == identity and isinstance(known[3], str):
        return known[3]
    recorded = _recorded(path, info.st_size)
    if recorded is not None:
        memo[real] = [*identity, recorded]
        return recorded
    try:
        with open(real, "rb") as file:
            data = file.read()
    except OSError:
        return ""
    if data.startswith(b"#!"):
        data = data.partition(b"\n")[2]
    digest = hexdigest(data)[:32]
    memo[real] = [*identity, digest]
    return digest


def _recorded(path: str, size: int) -> str | None:
    """The digest pip recorded for the program at ``path`` (``<prefix>/bin/NAME``), when the
    distribution named NAME installed it there and its size is still the one recorded: a
    binary such as ruff's is then known without reading its megabytes."""
    folder, name = os.path.split(path)
    wanted = _normalized(name)
    for site in _site_folders(Path(folder).parent):
        try:
            with os.scandir(site) as entries:
                owners = [
                    Path(entry.path) / "RECORD"
                    for entry in entries
                    if entry.name.endswith(".dist-info")
                    and _normalized(entry.name.partition("-")[0]) == wanted
                ]
        except OSError:
            continue
        for record in owners:
            try:
                lines = record.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for line in lines:
                where, _, rest = line.rpartition(",")[0].partition(",")
                if where.endswith(f"bin/{name}") and line.endswith(f",{size}") and rest:
                    return f"{record.parent.name}:{rest}"
    return None


def _normalized(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def interpreter(path: str) -> str | None:
    """The interpreter a script's ``#!`` line names (None for a binary or ``/usr/bin/env``)."""
    try:
        with open(path, "rb") as file:
            head = file.read(512)
    except OSError:
        return None
    if not head.startswith(b"#!"):
        return None
    words = head[2:].partition(b"\n")[0].split()
    if not words or words[0].endswith(b"/env"):
        return None
    return os.fsdecode(words[0])


def environment(python: str) -> str:
    """A digest of the environment of the interpreter ``python``: its version (from
    ``pyvenv.cfg``, else its library folders' names) and its installed distributions."""
    prefix = Path(python).parent.parent
    if os.path.realpath(python) == os.path.realpath(sys.executable):
        prefix = Path(sys.prefix)
    parts: list[str] = []
    try:
        lines = (prefix / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        key = line.partition("=")[0].strip().lower()
        if key in _CFG_KEYS:
            parts.append(line.strip())
    for site in _site_folders(prefix):
        parts.append(site.relative_to(prefix).as_posix())
        parts.extend(_distributions(site))
    return hexdigest("\n".join(parts).encode("utf-8", "surrogateescape"))[:32]


def _site_folders(prefix: Path) -> list[Path]:
    lib = prefix / "lib"
    try:
        versions = sorted(entry.name for entry in os.scandir(lib) if entry.name.startswith("py"))
    except OSError:
        return []
    return [
        lib / version / kind
        for version in versions
        for kind in ("site-packages", "dist-packages")
        if (lib / version / kind).is_dir()
    ]


def _distributions(site: Path) -> list[str]:
    try:
        with os.scandir(site) as entries:
            return sorted(entry.name for entry in entries if entry.name.endswith(_DISTRIBUTIONS))
    except OSError:
        return []
