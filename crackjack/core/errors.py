"""Errors crackjack reports as one line and an exit code (mapped in ``crackjack.cli.errors``)."""

from __future__ import annotations


class CrackjackError(Exception):
    """A failure the user can fix: the message says what is wrong and how to fix it."""


class ConfigError(CrackjackError):
    """Bad configuration, flags or environment: exit 2."""


class RepositoryStateError(CrackjackError):
    """A repository state crackjack refuses to work in: exit 2."""
