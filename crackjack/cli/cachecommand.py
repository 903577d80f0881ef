"""``crackjack cache`` says where the result cache and the pinned tool environments are and how
big they are; ``crackjack cache clear`` empties the result cache, ``--envs`` the environments too.

The folder is the one a run uses (``core/cache/location.py``): ``cache-dir`` or
``CRACKJACK_CACHE_DIR`` (relative to the project root), else the git directory every worktree
of the clone shares. Outside a repository with neither there is no cache: one line, exit 2.
A configured folder that holds the project, its repository or the home folder (``cache-dir =
"."`` by mistake) is never removed: clearing it would delete what is not crackjack's.
"""

from __future__ import annotations

import os
from pathlib import Path

from crackjack.cli.console import Printer
from crackjack.cli.escape import safe_name
from crackjack.cli.theme import human_size
from crackjack.core.cache.location import cache_folder, clear
from crackjack.core.errors import RepositoryStateError
from crackjack.core.files.fsutil import tree_size
from crackjack.core.git.worktree import WorkTree
from crackjack.core.run.session import read_project, work_tree_anywhere
from crackjack.core.toolenv.maintenance import envs_usage, remove_envs
from crackjack.core.valueclass import value
from crackjack.hooks.catalogue import BUILTINS

CLEAR = "clear"


@value(eq=True)
class _Found:
    """The cache folder, its size limit, and the folders it must never hold, named."""

    folder: Path
    max_mb: int
    kept: tuple[tuple[str, Path], ...]


def cache_command(action: str | None, *, envs: bool = False) -> int:
    """``crackjack cache`` (``action`` None) or ``crackjack cache clear``; ``envs``: clear the
    pinned tool environments too (they are shared by every project, so this works anywhere)."""
    if action != CLEAR:
        _show(_find(Path.cwd()))
        _show_envs()
        return 0
    try:
        found = _find(Path.cwd())
    except RepositoryStateError:
        if not envs:
            raise
    else:
        _clear(found)
    if envs:
        _clear_envs()
    return 0


def _find(cwd: Path) -> _Found:
    """The cache folder of the project around ``cwd``, read as a run reads it (a mistake in the
    settings is the usual configuration error, exit 2)."""
    tree = work_tree_anywhere(cwd)
    project, _ = read_project(cwd, {}, BUILTINS, tree)
    settings, common_dir = project.settings, None if tree is None else tree.common_dir
    folder = cache_folder(settings.cache_dir, project.root, common_dir)
    if folder is None:
        raise RepositoryStateError(
            f"no result cache: {cwd} is not in a git work tree and no cache folder is set"
            " (CRACKJACK_CACHE_DIR or [tool.crackjack] cache-dir)"
        )
    return _Found(folder, settings.cache_max_mb, _kept(project.root, tree))


def _kept(root: Path, tree: WorkTree | None) -> tuple[tuple[str, Path], ...]:
    kept = [("the project", root)]
    if tree is not None:
        kept += [("the work tree", tree.top), ("the git directory", tree.common_dir)]
    kept.append(("the home folder", Path(os.path.expanduser("~"))))
    return tuple(kept)


def _show(found: _Found) -> None:
    folder = found.folder
    if not folder.exists():
        size = "no cache yet"
    else:
        used = tree_size(folder)
        size = "empty" if used == 0 else human_size(used)
    _say(f"result cache: {safe_name(str(folder))}")
    _say(f"size: {size} (at most {found.max_mb} MB: cache-max-mb)")


def _clear(found: _Found) -> None:
    folder = found.folder
    if not folder.is_symlink() and not folder.exists():
        _say(f"nothing to clear: no result cache yet in {safe_name(str(folder))}")
        return
    _refuse_what_is_not_only_the_cache(found)
    used = tree_size(folder)
    try:
        clear(folder)
    except OSError as exc:
        where = safe_name(str(exc.filename or folder))
        raise RepositoryStateError(
            f"cannot clear the result cache: {where}: {exc.strerror}"
        ) from None
    _say(f"cleared the result cache: removed {human_size(used)} from {safe_name(str(folder))}")


def _refuse_what_is_not_only_the_cache(found: _Found) -> None:
    """A folder that is or holds one of ``found.kept`` is not removed (a symlink is: clearing
    it removes only the link)."""
    if found.folder.is_symlink():
        return
    folder = found.folder.resolve()
    for name, path in found.kept:
        if path.resolve().is_relative_to(folder):
            raise RepositoryStateError(
                f"the result cache folder {safe_name(str(found.folder))} holds {name}"
                f" ({safe_name(str(path))}): not cleared; set cache-dir to a folder of its own"
            )


def _show_envs() -> None:
    usage = envs_usage()
    if usage.folder is None:
        _say("tool environments: no folder for them (no home folder; set CRACKJACK_HOME)")
        return
    count = "none yet" if usage.environments == 0 else _environments(usage.environments)
    size = f", {human_size(usage.size)}" if usage.environments else ""
    _say(f"tool environments: {safe_name(str(usage.folder))} ({count}{size})")


def _clear_envs() -> None:
    done = remove_envs()
    if done.folder is None or (done.removed == 0 and not done.busy):
        _say("nothing to clear: no tool environments")
        return
    where = safe_name(str(done.folder))
    _say(f"removed {_environments(done.removed)} ({human_size(done.freed)}) from {where}")
    if done.busy:
        building = ", ".join(done.busy)
        _say(f"left {_environments(len(done.busy))} another run is building: {building}")


def _environments(count: int) -> str:
    return f"{count} environment" if count == 1 else f"{count} environments"


def _say(line: str) -> None:
    Printer().print(line)
