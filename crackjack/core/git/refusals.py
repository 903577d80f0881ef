"""Repository states crackjack refuses to work in (DESIGN.md 6.6), each a RepositoryStateError.

- inside a ``.git`` folder, or in a bare repository: there is no work tree to check;
- unmerged paths (a merge, rebase or cherry-pick stopped on conflicts): hiding unstaged changes
  and checking "the staged files" mean nothing until the conflicts are resolved;
- outside a git repository, where a git work tree is needed (git-hook mode, staged files).
"""

from __future__ import annotations

import os
from pathlib import Path

from crackjack.core.errors import RepositoryStateError
from crackjack.core.git import commands as git

_SHOWN_UNMERGED = 10
"""How many unmerged paths the refusal names before "and N more"."""


class NotARepositoryError(RepositoryStateError):
    """A git work tree is needed and there is no repository around the path."""


def check_repository(path: Path, *, need_repo: bool, allow_unmerged: bool = False) -> Path | None:
    """The top of the git work tree around ``path``, after refusing the states we never run in.

    Outside a repository (or without git installed): None, or with ``need_repo`` the
    NotARepositoryError (or GitNotFoundError). Inside ``.git`` or in a bare repository: always
    a RepositoryStateError, as there is nothing to check and a walk of git's own files would be
    wrong. Unmerged paths anywhere in the work tree: a RepositoryStateError unless
    ``allow_unmerged`` (a read-only run over all files may go on mid-merge).
    """
    try:
        top = require_work_tree(path)
    except (NotARepositoryError, git.GitNotFoundError):
        if need_repo:
            raise
        return None
    if not allow_unmerged:
        refuse_unmerged(top)
    return top


def require_work_tree(path: Path) -> Path:
    """The top of the git work tree around ``path`` (the nearest existing folder of it).

    Raises NotARepositoryError outside a repository and RepositoryStateError inside ``.git``
    or a bare repository. For git-hook mode and the staged and changed file selections. Does
    not look for unmerged paths (``check_repository`` does).
    """
    where = git.nearest_dir(path)
    try:
        out = git.git(
            "rev-parse", "--is-bare-repository", "--is-inside-git-dir", "--is-inside-work-tree",
            "--show-toplevel", cwd=where,
        )  # fmt: skip
    except git.GitNotFoundError:
        raise
    except git.GitError:
        _refuse_where(where)  # --show-toplevel fails outside a work tree: say why
        raise
    lines = out.split(b"\n")
    _refuse_states(where, *(line == b"true" for line in lines[:3]))
    return Path(os.fsdecode(lines[3]))


def _refuse_where(where: Path) -> None:
    """Raise the error that says why ``where`` has no work tree to check."""
    try:
        out = git.git(
            "rev-parse", "--is-bare-repository", "--is-inside-git-dir", "--is-inside-work-tree",
            cwd=where,
        )  # fmt: skip
    except git.GitError:
        raise NotARepositoryError(
            f"not a git repository: {where}; run crackjack inside a git work tree"
        ) from None
    _refuse_states(where, *(line == b"true" for line in out.split(b"\n")[:3]))


def _refuse_states(where: Path, bare: bool, in_git_dir: bool, in_work_tree: bool) -> None:
    if bare:
        raise RepositoryStateError(
            f"{where} is a bare repository, with no work tree to check; "
            "run crackjack in a clone that has one"
        )
    if in_git_dir or not in_work_tree:
        raise RepositoryStateError(
            f"{where} is inside a git directory, not a work tree; "
            "run crackjack from the work tree (the folder that holds .git)"
        )


def refuse_unmerged(top: Path) -> None:
    """Raise a RepositoryStateError naming the unmerged paths of the work tree at ``top``."""
    unmerged = git.unmerged_files(top)
    if not unmerged:
        return
    shown = ", ".join(unmerged[:_SHOWN_UNMERGED])
    more = len(unmerged) - _SHOWN_UNMERGED
    if more > 0:
        shown += f" and {more} more"
    raise RepositoryStateError(
        f"unmerged paths in {top}: {shown}; resolve the conflicts first (fix the files, then "
        "`git add` them), or abort the merge, rebase or cherry-pick"
    )
