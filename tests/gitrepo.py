"""Helpers for tests that need real git repositories, isolated from the user's git config."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest


def isolate_git(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Point ``HOME`` at ``home``, ignore system and global git config, drop inherited ``GIT_*``."""
    for name in list(os.environ):
        if name.startswith("GIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")


def run_git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` (test setup only: crackjack's own calls go through its chokepoint)."""
    done = subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, stdin=subprocess.DEVNULL
    )
    return done.stdout.decode()


def make_repo(path: Path) -> Path:
    """An empty repository at ``path`` (created if needed) on branch ``main``."""
    path.mkdir(parents=True, exist_ok=True)
    run_git(path, "-c", "init.defaultBranch=main", "init", "-q")
    return path


def write(path: Path, content: str | bytes = "x\n") -> Path:
    """Write ``content`` to ``path``, creating its parent directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def commit_all(repo: Path, message: str = "commit") -> None:
    """Stage everything not ignored and commit it."""
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "--no-verify", "-m", message)
