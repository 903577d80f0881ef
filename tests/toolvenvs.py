"""Project environments for tests: fake ones in a project's ``.venv``, and real virtual
environments with pinned tools from PyPI, built once and kept in pytest's cache folder."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.realprojects import uv

PYTHON = sys.executable
SITE = f"lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"


def fake_venv(root: Path, programs: dict[str, str] | None = None) -> Path:
    """A ``.venv`` at ``root`` whose python is this interpreter and whose other ``programs``
    are shell scripts (name: body); returns its bin folder."""
    folder = root / ".venv" / "bin"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "python").symlink_to(PYTHON)
    for name, body in (programs or {}).items():
        script = folder / name
        script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        script.chmod(0o755)
    return folder


def real_venv(folder: Path) -> Path:
    """A real virtual environment without pip at ``folder`` (fast: no download)."""
    subprocess.run([PYTHON, "-m", "venv", "--without-pip", str(folder)], check=True)
    return folder


def cached_venv(config: pytest.Config, factory: pytest.TempPathFactory, *pins: str) -> Path:
    """A virtual environment holding ``pins`` (``ruff==0.15.22``), built once in pytest's cache
    (a temporary folder when the cache is off), under a lock, and used only once it is whole:
    concurrent workers never build one twice nor use a half-made one."""
    cache = getattr(config, "cache", None)
    base = cache.mkdir("tool-venvs") if cache is not None else factory.getbasetemp()
    folder = base / "-".join(pin.replace("==", "-") for pin in pins)
    whole = folder / "complete"
    with (base / f"{folder.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not whole.exists():
            shutil.rmtree(folder, ignore_errors=True)
            subprocess.run([PYTHON, "-m", "venv", "--without-pip", str(folder)], check=True)
            uv(base, "install", *pins, into=folder / "bin" / "python")
            whole.touch()
    return folder


def cached_wheels(config: pytest.Config, factory: pytest.TempPathFactory, *pins: str) -> Path:
    """A folder holding the wheels of ``pins`` (no dependencies), downloaded once into pytest's
    cache under a lock: installers pointed at it (``--find-links``) need no index."""
    cache = getattr(config, "cache", None)
    base = cache.mkdir("tool-wheels") if cache is not None else factory.getbasetemp()
    done = base / ("." + "-".join(pin.replace("==", "-") for pin in pins))
    with (base / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            download = [PYTHON, "-m", "pip", "download", "-q", "--no-deps"]
            download += ["--only-binary", ":all:", "-d", str(base), *pins]
            subprocess.run(download, check=True, stdin=subprocess.DEVNULL, capture_output=True)
            done.touch()
    return base
