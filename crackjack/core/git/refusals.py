"""Repository states crackjack refuses to work in (DESIGN.md 6.6), each a RepositoryStateError.

- inside a ``.git`` folder, or in a bare repository: there is no work tree to check;
- unmerged paths (a merge, rebase or cherry-pick stopped on conflicts): hiding unstaged changes
  and checking "the staged files" mean nothing until the conflicts are resolved;
- outside a git repository, where a git work tree is needed (git-hook mode, staged files).

The first and the last are found with the work tree (``crackjack.core.git.worktree``).
"""

from __future__ import annotations

from pathlib import Path

from crackjack.core.errors import RepositoryStateError
from crackjack.core.git import commands as git
from crackjack.core.git.indexfile import read_index
from crackjack.core.git.worktree import WorkTree, find_work_tree, work_tree_or_none

_SHOWN_UNMERGED = 10
"""How many unmerged paths the refusal names before "and N more"."""


def check_repository(
    path: Path, *, need_repo: bool, allow_unmerged: bool = False
) -> WorkTree | None:
    """The git work tree around ``path``, after refusing the states above (unmerged paths
    unless ``allow_unmerged``); outside a repository or without git, None, or with
    ``need_repo`` the NotARepositoryError or GitNotFoundError."""
    tree = find_work_tree(path) if need_repo else work_tree_or_none(path)
    if tree is not None and not allow_unmerged:
        refuse_unmerged(tree)
    return tree


def refuse_unmerged(tree: WorkTree) -> None:
    """Raise a RepositoryStateError naming the unmerged paths of the work tree ``tree``: read
    from the index in-process, or asked of git when the reader cannot vouch for the file."""
    entries = read_index(tree.index_file)
    if entries is None:
        unmerged = git.unmerged_files(tree.top)
    else:
        unmerged = sorted({entry.path for entry in entries if entry.stage})
    if not unmerged:
        return
    top = tree.top
    shown = ", ".join(unmerged[:_SHOWN_UNMERGED])
    more = len(unmerged) - _SHOWN_UNMERGED
    if more > 0:
        shown += f" and {more} more"
    raise RepositoryStateError(
        f"unmerged paths in {top}: {shown}; resolve the conflicts first (fix the files, then "
        "`git add` them), or abort the merge, rebase or cherry-pick"
    )
