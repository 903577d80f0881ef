"""What a pre-push checks: the commits being pushed that the remote does not have yet.

git gives a pre-push hook the remote's name (or URL) and, on its standard input, one line per
ref to update: ``<local ref> <local sha> <remote ref> <remote sha>``, a sha of zeros for a
ref the remote lacks (a new branch) or one being deleted. The commits being pushed are those
reachable from the local shas and from no remote-tracking ref of that remote nor any remote sha
this repository has (``git log --ignore-missing <local> --not <remote shas>
--remotes=<remote>``, one git process; pre-commit asks ``rev-list``); the files to check are
those these commits add or modify, as they are in the work tree. On a first push (nothing of
the history on the remote) that is every file of the history still in the work tree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from crackjack.core.errors import CrackjackError
from crackjack.core.git.commands import commits_files
from crackjack.core.valueclass import value

_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@value(eq=True)
class RefUpdate:
    """One line of git's pre-push input."""

    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str

    @property
    def deletes(self) -> bool:
        return _zero(self.local_sha)


@value
class Pushed:
    """What a push sends: how many commits the remote lacks, the files they add or modify that
    are in the work tree (relative to the folder asked about, sorted), and the remote refs it
    deletes."""

    commits: int
    files: tuple[str, ...]
    deleted: tuple[str, ...]


def parse_updates(text: str) -> tuple[RefUpdate, ...]:
    """git's pre-push input, line by line; CrackjackError for a line that is not one."""
    updates = []
    for line in text.splitlines():
        fields = line.rsplit(maxsplit=3)
        if len(fields) != 4 or not all(_SHA.fullmatch(sha) for sha in fields[1::2]):
            raise CrackjackError(f"cannot read git's pre-push input line {line!r}")
        updates.append(RefUpdate(*fields))
    return tuple(updates)


def pushed(cwd: Path, remote: str, updates: Sequence[RefUpdate]) -> Pushed:
    """What pushing ``updates`` to ``remote`` sends, with file names relative to ``cwd`` (and
    limited to it)."""
    deleted = tuple(update.remote_ref for update in updates if update.deletes)
    tips = [update.local_sha for update in updates if not update.deletes]
    if not tips:
        return Pushed(0, (), deleted)
    remote_shas = [update.remote_sha for update in updates if not _zero(update.remote_sha)]
    revisions = (*tips, "--not", *remote_shas, f"--remotes={remote}")
    commits, files = commits_files(cwd, revisions)
    return Pushed(commits, tuple(files), deleted)


def _zero(sha: str) -> bool:
    return set(sha) == {"0"}
