"""Errors crackjack reports as one line and an exit code (mapped in ``crackjack.cli.errors``)."""

from __future__ import annotations


class CrackjackError(Exception):
    """A failure crackjack reports in one line that says what happened and what to do: exit 3,
    crackjack could not do its work (git failed, recovery data could not be saved, an earlier
    run must be recovered first). The user's own mistakes are the subclasses below."""


class ConfigError(CrackjackError):
    """Bad configuration, flags or environment: exit 2."""


class RepositoryStateError(CrackjackError):
    """A repository state crackjack refuses to work in: exit 2."""
