"""Where the git work tree is: one frozen value, found with one ``git rev-parse`` per run.

``find_work_tree`` asks git everything at once (the states we refuse, the top, the git
directories, the index, ``HEAD``) and refuses, with one clear line each, a path outside any
repository, in a bare repository or inside ``.git`` (DESIGN.md 6.6). Everything that needs the
work tree is handed the ``WorkTree`` it returns instead of asking git again.
"""

from __future__ import annotations

import os
from pathlib import Path

from crackjack.core.digest import hexdigest
from crackjack.core.errors import RepositoryStateError
from crackjack.core.git.commands import GitNotFoundError, git, nearest_dir, resolve_commit, run_git
from crackjack.core.valueclass import value

RECOVERY_REF = "refs/crackjack/recovery"
"""The ref that pins the work tree's commit while changes are hidden (main work tree)."""

_FLAGS = ("--is-bare-repository", "--is-inside-git-dir", "--is-inside-work-tree")
_PATHS = ("--show-toplevel", "--absolute-git-dir", "--git-common-dir", "--git-path", "index")
_HEAD = ("--verify", "--quiet", "HEAD^{commit}")


class NotARepositoryError(RepositoryStateError):
    """A git work tree is needed and there is no repository around the path."""

    @classmethod
    def at(cls, where: Path) -> NotARepositoryError:
        return cls(f"not a git repository: {where}; run crackjack inside a git work tree")


@value
class WorkTree:
    """A git work tree: its top, its own git directory (``.git/worktrees/NAME`` for a linked
    worktree), the directory all its worktrees share, the index git uses (``GIT_INDEX_FILE``
    when set) and the commit ``HEAD`` names (None on a branch with no commits yet)."""

    top: Path
    git_dir: Path
    common_dir: Path
    index_file: Path
    head: str | None

    @property
    def crackjack_dir(self) -> Path:
        """crackjack's own folder in the git directory: the run lock, the recovery data."""
        return self.git_dir / "crackjack"

    @property
    def recovery_ref(self) -> str:
        """``refs/crackjack/recovery`` in the main work tree; one ref per linked worktree, as
        refs are shared by all worktrees of a repository."""
        if os.path.samefile(self.git_dir, self.common_dir):
            return RECOVERY_REF
        digest = hexdigest(os.fsencode(self.git_dir.name))[:16]
        return f"{RECOVERY_REF}-{digest}"


def find_work_tree(path: Path) -> WorkTree:
    """The work tree around ``path`` (its nearest existing folder), or NotARepositoryError,
    RepositoryStateError (inside ``.git``, in a bare repository) or GitNotFoundError. Unmerged
    paths are for ``crackjack.core.git.refusals.check_repository``."""
    where = nearest_dir(path)
    args = ("rev-parse", *_FLAGS, "--path-format=absolute", *_PATHS, *_HEAD)
    outcome = run_git(args, where)
    if outcome.start_error is not None:
        raise GitNotFoundError.for_command(args, outcome.start_error)
    lines = outcome.output.split(b"\n")
    if len(lines) < 4 or any(flag not in (b"true", b"false") for flag in lines[:3]):
        raise NotARepositoryError.at(where)
    _refuse_states(where, *(flag == b"true" for flag in lines[:3]))
    found = _parse(lines[3:], outcome.returncode)
    return found if found is not None else _step_by_step(where)


def work_tree_or_none(path: Path) -> WorkTree | None:
    """``find_work_tree``, or None outside a repository or without git (a plain folder)."""
    try:
        return find_work_tree(path)
    except (NotARepositoryError, GitNotFoundError):
        return None


def _parse(lines: list[bytes], returncode: int | None) -> WorkTree | None:
    """The answer of the one call: four paths, then ``HEAD``'s commit when git found one (exit
    0; exit 1 on a branch with no commits). None when a line break in a path makes more lines
    than that."""
    expected = {0: 6, 1: 5}.get(returncode) if returncode is not None else None
    if len(lines) != expected or lines[-1] != b"":
        return None
    top, git_dir, common_dir, index_file = (Path(os.fsdecode(line)) for line in lines[:4])
    head = lines[4].decode("ascii") if returncode == 0 else None
    return WorkTree(top, git_dir, common_dir, index_file, head)


def _step_by_step(where: Path) -> WorkTree:
    """One question a call, each answer a whole path whatever it holds."""

    def ask(*question: str) -> Path:
        out = git("rev-parse", "--path-format=absolute", *question, cwd=where)
        return Path(os.fsdecode(out.removesuffix(b"\n")))

    top = ask("--show-toplevel")
    return WorkTree(
        top=top,
        git_dir=ask("--absolute-git-dir"),
        common_dir=ask("--git-common-dir"),
        index_file=ask("--git-path", "index"),
        head=resolve_commit(top, "HEAD"),
    )


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
