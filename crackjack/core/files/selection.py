"""Which files a run looks at: git's view in a work tree, a filtered walk elsewhere.

One entry point, ``select_files(root, selection, tree)``, the same for every workflow; the
selection is one of four small frozen dataclasses (``FileSelection``): ``AllFiles``,
``StagedFiles`` (git-hook mode), ``ChangedFiles`` (since a branch forked) or ``GivenFiles``
(the command line's, as the pre-commit framework passes them).

Every result is a sorted list of unique posix paths relative to ``root``, of files that exist
and that a run may touch (``Touchable``: no symlink, nothing through a symlinked folder, in a
virtual environment, under ``.git`` or among crackjack's own outputs). When ``root`` is a
folder inside a work tree, only files under it are selected.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import assert_never

from crackjack.core.errors import ConfigError
from crackjack.core.files.touchable import FileModes, Touchable
from crackjack.core.git import commands as git
from crackjack.core.git.status import staged_files
from crackjack.core.git.worktree import NotARepositoryError, WorkTree
from crackjack.core.valueclass import value

DEFAULT_BASES = ("@{upstream}", "main", "master")
"""What ``ChangedFiles()`` compares with: the first of these that names a commit."""

SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn"}  # version control
    | {".venv", "venv", ".tox", ".nox"}  # virtualenvs
    | {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}  # caches
    | {"node_modules", "build", "dist"}  # dependencies and build output
)


@value(eq=True)
class AllFiles:
    """Every file: in a git work tree the tracked files plus the untracked ones git does not
    ignore; elsewhere a walk that skips version-control, cache, build and virtualenv folders."""


@value(eq=True)
class StagedFiles:
    """The files the index adds, copies, modifies, renames (the new name) or changes the type
    of, relative to ``HEAD``; deleted files are left out. Needs a git work tree.

    In a repository with no commits yet every file in the index is staged. The index is the one
    ``GIT_INDEX_FILE`` names when it is set, as git sets it for hooks of ``git commit -a`` or
    ``git commit FILE``. Files staged but deleted from the work tree are left out, so select
    once the work tree matches the index (after hiding unstaged changes).
    """


@value(eq=True)
class ChangedFiles:
    """The files that differ, in the work tree, from the merge base of ``HEAD`` and ``ref``:
    committed on this branch, staged or not, plus untracked files git does not ignore; deleted
    files are left out. Needs a git work tree.

    ``ref`` is any commit name (a branch, ``origin/main``, a tag, a hash); None means the
    current branch's upstream when one is set, else ``main``, else ``master``. A ref that
    names no commit, or a branch with no common history with it, is a ConfigError (an
    upstream that was never fetched counts as unset). Before the first commit every file is
    changed.
    """

    ref: str | None = None


@value
class GivenFiles:
    """The paths given on the command line, as given, normalised relative to the project root.

    Relative paths are taken from ``cwd`` (None: the current directory). A folder stands for
    its files (in a git work tree the tracked and the untracked-not-ignored ones, elsewhere
    the filtered walk); any other path is kept, even one git ignores, unless ``Touchable``
    drops it (a symlink, a path through a symlinked folder). A path that does not exist or
    lies outside the project root is a ConfigError.
    """

    paths: tuple[str, ...]
    cwd: Path | None = None


FileSelection = AllFiles | StagedFiles | ChangedFiles | GivenFiles


def select_files(
    root: Path,
    selection: FileSelection,
    tree: WorkTree | None,
    *,
    outputs: Iterable[str] = (),
    modes: FileModes | None = None,
) -> list[str]:
    """The files ``selection`` picks under the project ``root``, sorted, relative to it;
    ``tree`` is the git work tree around ``root`` (None outside one: a plain folder);
    ``outputs``: crackjack's own output files, relative to ``root``, which are left out;
    ``modes``: where each file's look is kept for the run's planning (of this ``root``)."""
    root = root.absolute()
    touchable = Touchable(
        root, outputs, modes if modes is not None and modes.root == root else None
    )
    match selection:
        case AllFiles():
            return discover(root, tree, touchable)
        case StagedFiles():
            return touchable.keep(staged_files(_need(root, tree), root))
        case ChangedFiles(ref=ref):
            base = _fork_point(root, ref, _need(root, tree).head)
            return touchable.keep(git.changed_files(root, base))
        case GivenFiles(paths=paths, cwd=cwd):
            return _given(root, paths, Path.cwd() if cwd is None else cwd, tree, touchable)
        case _:  # pragma: no cover - mypy proves every case is handled
            assert_never(selection)


def discover(root: Path, tree: WorkTree | None, touchable: Touchable | None = None) -> list[str]:
    """The ``AllFiles`` rule: every file under ``root`` a run may touch, sorted, relative to
    it."""
    touchable = Touchable(root) if touchable is None else touchable
    if tree is not None:
        return touchable.keep(git.list_files(root))
    return walk(root, touchable)


def _need(root: Path, tree: WorkTree | None) -> WorkTree:
    if tree is None:
        raise NotARepositoryError.at(root)
    return tree


def walk(root: Path, touchable: Touchable) -> list[str]:
    """The files under ``root`` (``touchable``'s root) that ``touchable`` allows, outside the
    directories no project wants checked (``SKIPPED_DIRS``, ``*.egg-info``)."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        base = PurePath(os.path.relpath(dirpath, root))
        dirnames[:] = [
            name
            for name in dirnames
            if name not in SKIPPED_DIRS
            and not name.endswith(".egg-info")
            and touchable.folder((base / name).as_posix())
        ]
        found.extend(touchable.keep((base / name).as_posix() for name in filenames))
    return sorted(found)


def _fork_point(root: Path, ref: str | None, head: str | None) -> str:
    """The merge base of ``HEAD`` and ``ref`` (or the default base), as a hash; before the
    first commit, the empty tree (everything in the work tree is new)."""
    base = None if ref is None else (ref, _commit(root, ref))
    if head is None:
        return git.empty_tree(root)
    name, commit = _default_base(root) if base is None else base
    fork = git.merge_base(root, commit, head)
    if fork is None:
        raise ConfigError(
            f"HEAD and {name!r} have no common history: name the ref this branch was made from"
        )
    return fork


def _commit(root: Path, ref: str) -> str:
    if not ref or ref.startswith("-"):
        raise ConfigError(f"{ref!r} is not a ref to compare with: name a branch, tag or commit")
    commit = git.resolve_commit(root, ref)
    if commit is None:
        raise ConfigError(
            f"{ref!r} names no commit in this repository: check its spelling, or fetch it"
        )
    return commit


def _default_base(root: Path) -> tuple[str, str]:
    for ref in DEFAULT_BASES:
        commit = git.resolve_commit(root, ref)
        if commit is not None:
            return ref, commit
    raise ConfigError(
        "no branch to compare with: the current branch has no upstream and there is no "
        "'main' or 'master'; name the ref to compare with (for example origin/main)"
    )


def _given(
    root: Path, paths: Iterable[str], cwd: Path, tree: WorkTree | None, touchable: Touchable
) -> list[str]:
    """The ``GivenFiles`` rule: normalise, refuse missing paths, expand folders."""
    top = os.path.normpath(root)
    here = os.path.normpath(cwd.absolute())
    found: set[str] = set()
    folders: list[str] = []
    for given in paths:
        if not given:
            continue
        relative = _relative(given, top, here)
        try:
            mode = os.lstat(os.path.join(top, relative)).st_mode
        except (OSError, ValueError):
            raise ConfigError(f"no such file or folder: {given!r}") from None
        if stat.S_ISDIR(mode):
            folders.append(relative)
        else:
            found.add(relative)
    found.update(_expand(root, folders, tree, touchable))
    return sorted(touchable.keep(found))


def _relative(given: str, root: str, cwd: str) -> str:
    """``given`` (taken from ``cwd``) as a normalised path relative to ``root``
    (``path_inside``); ConfigError outside it."""
    relative = path_inside(os.path.normpath(os.path.join(cwd, given)), root)
    if relative is None:
        raise ConfigError(
            f"{given!r} is outside the project root {root}: pass only paths of this project"
        )
    return relative


def path_inside(absolute: str, root: str) -> str | None:
    """The normalised ``absolute`` relative to ``root`` (``"."`` for the root itself), None
    outside it: compared lexically first, then with their folders resolved (``absolute``'s
    own name kept, so a symlink stays itself)."""
    relative = _under(absolute, root)
    if relative is None:
        folder, name = os.path.split(absolute)
        relative = _under(os.path.join(os.path.realpath(folder), name), os.path.realpath(root))
    return relative


def _under(path: str, base: str) -> str | None:
    if path == base:
        return "."
    prefix = os.path.join(base, "")
    return path[len(prefix) :] if path.startswith(prefix) else None


def _expand(
    root: Path, folders: list[str], tree: WorkTree | None, touchable: Touchable
) -> list[str]:
    if tree is not None:
        return git.list_paths(root, folders)
    kept = [folder for folder in folders if touchable.folder(folder)]
    return [
        (PurePath(folder) / name).as_posix()
        for folder in kept
        for name in walk(root / folder, Touchable(root / folder))
    ]
