"""Where a project's hooks come from: its settings and the built-ins, or its
``.pre-commit-config.yaml`` (``crackjack.core.config.precommit``, imported only when that file
is read: most runs never pay for reading it)."""

from __future__ import annotations

import os
from pathlib import Path

from crackjack.core.config.load import Catalogue, Project, build_catalogue
from crackjack.core.errors import ConfigError
from crackjack.core.git.commands import staged_version
from crackjack.core.valueclass import replace

CONFIG_NAME = ".pre-commit-config.yaml"
PYPROJECT = "pyproject.toml"


def project_catalogue(
    project: Project,
    builtins: Catalogue,
    config: Path | None,
    *,
    fail_fast_flag: bool,
    staged_in: Path | None = None,
) -> tuple[Project, Catalogue]:
    """Every hook and workflow of ``project``: from ``config`` when given (a
    ``.pre-commit-config.yaml``), else from the project's own, when its settings define no
    hooks and it does not run crackjack itself, else the built-ins; merged with the settings.
    ``config`` naming the project's pyproject.toml: its settings and the built-ins, whatever
    ``.pre-commit-config.yaml`` the project has.
    The file's ``fail_fast: true`` holds unless the command line said ``--no-fail-fast``
    (``fail_fast_flag``: it gave either). ``staged_in``: the top of the work tree whose index
    holds the file to read, as the settings are (git-hook mode checks what is committed)."""
    chosen = config if config is not None else project.root / CONFIG_NAME
    if config is not None and config.name == PYPROJECT:
        _check_is_the_projects(config, project.root / PYPROJECT)
        return project, build_catalogue(project.settings, builtins)
    if config is None and (project.settings.hooks or not chosen.is_file()):
        return project, build_catalogue(project.settings, builtins)
    staged = staged_version(chosen, staged_in) if staged_in is not None else None
    from crackjack.core.config.precommit import read_precommit

    read = read_precommit(
        chosen, builtins, None if staged is None else staged.decode(errors="replace")
    )
    if config is None and read.wraps_crackjack:
        return project, build_catalogue(project.settings, builtins)
    if read.fail_fast and not fail_fast_flag:
        project = replace(project, settings=replace(project.settings, fail_fast=True))
    return project, build_catalogue(project.settings, read.catalogue)


def _check_is_the_projects(config: Path, pyproject: Path) -> None:
    if os.path.abspath(config) != os.path.abspath(pyproject):
        raise ConfigError(
            f"--config {config}: not the project's pyproject.toml ({pyproject}); crackjack"
            " reads the nearest one from the current folder"
        )
