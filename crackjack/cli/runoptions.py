"""The run command's parsed arguments and its body, apart from Typer.

Typer (``cli/app.py``) parses a command line into :class:`RunOptions`; the argv cache
(``cli/argvcache.py``) reads the same options back without Typer. Either way the run is
:func:`run_workflow`: one body. This module imports nothing heavy at its top, so the cache can
use it on a path that never loads Typer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from crackjack.core.valueclass import value

if TYPE_CHECKING:
    from crackjack.cli.runner import RunRequest
    from crackjack.core.files.selection import FileSelection
    from crackjack.core.run.headstart import HeadStart


@value(eq=True)
class RunOptions:
    """The values of ``crackjack run``'s parameters, as Typer gave them (repeatable options and
    PATHS as tuples), and the arguments after ``--`` (``test_args``). No defaults: Typer's
    signature is the one place that has them."""

    paths: tuple[str, ...]
    staged: bool
    changed: bool
    changed_from: str | None
    all_files: bool
    fast: bool
    skip_hooks: bool
    workflow: str | None
    hook: tuple[str, ...]
    skip: tuple[str, ...]
    jobs: int | None
    fail_fast: bool | None
    verbose: bool
    quiet: bool
    ci: bool | None
    events: str | None
    report: str | None
    junit: str | None
    timeline: bool
    shard: str | None
    dry_run: bool
    no_cache: bool
    config: str | None
    test_args: tuple[str, ...]


def run_workflow(
    options: RunOptions,
    accepted: Callable[[RunOptions], None] | None = None,
    *,
    launches: Path | None = None,
    head_start: HeadStart | None = None,
) -> int:
    """The run command: check the options' combination, then run. ``accepted`` is told the
    options once they are known to be valid and before the run (the argv cache stores them
    then: a refused command line is never stored). ``launches`` and ``head_start``: see
    ``SessionRequest``."""
    from crackjack.cli.runner import run

    request = run_request(options, launches, head_start)
    if accepted is not None:
        accepted(options)
    return run(request)


def run_recalled(options: RunOptions, launches: Path | None) -> int:
    """The run of ``options`` recalled from the argv cache, its longest hook's program started
    ahead when the last such run here kept its launch (``core.run.headstart``); never in
    git-hook mode. The program is killed if the run does not adopt it, whatever ends the run."""
    head = None
    if launches is not None and not options.staged and not options.dry_run:
        from crackjack.core.run.headstart import HeadStart

        try:
            head = HeadStart.start(launches, launches.parent)
        except Exception:  # a head start only makes a run end sooner: whatever fails, none
            head = None
    try:
        return run_workflow(options, launches=launches, head_start=head)
    finally:
        if head is not None:
            head.abandon()


def run_request(
    options: RunOptions, launches: Path | None = None, head_start: HeadStart | None = None
) -> RunRequest:
    """The run the options ask for, in the current directory; ConfigError for a combination
    that makes no sense."""
    from crackjack.cli.records import Outputs
    from crackjack.cli.runner import RunRequest
    from crackjack.core.errors import ConfigError
    from crackjack.core.run.session import SessionRequest
    from crackjack.core.testphase.options import parse_shard

    o = options
    if o.fast + o.skip_hooks + (o.workflow is not None) > 1:
        raise ConfigError("choose one of --fast, --skip-hooks and --workflow")
    if o.quiet and o.verbose:
        raise ConfigError("choose one of --quiet and --verbose")
    chosen = o.workflow or ("fast" if o.fast else "skip-hooks" if o.skip_hooks else "standard")
    given = (("jobs", o.jobs), ("fail_fast", o.fail_fast), ("no_cache", o.no_cache or None))
    settings = {key: value for key, value in given if value is not None}
    session = SessionRequest(
        workflows=(chosen,),
        hooks=o.hook,
        skip=o.skip,
        settings=settings,
        files=_selection(o),
        hide_unstaged=o.staged,
        test_args=o.test_args,
        shard=None if o.shard is None else parse_shard(o.shard),
        cwd=Path.cwd(),
        config=None if o.config is None else Path(o.config).absolute(),
        launches=None if o.dry_run else launches,
        head_start=head_start,
    )
    outputs = Outputs(events=o.events, report=o.report, junit=o.junit, timeline=o.timeline)
    return RunRequest(
        session=session,
        ci=o.ci,
        outputs=outputs,
        dry_run=o.dry_run,
        quiet=o.quiet,
        verbose=o.verbose,
    )


def _selection(o: RunOptions) -> FileSelection:
    from crackjack.core.errors import ConfigError
    from crackjack.core.files.selection import AllFiles, ChangedFiles, GivenFiles, StagedFiles

    changed = o.changed or o.changed_from is not None
    if bool(o.paths) + o.staged + changed + o.all_files > 1:
        raise ConfigError("choose one of --staged, --changed, --all-files and PATHS")
    if o.paths:
        return GivenFiles(o.paths)
    if o.staged:
        return StagedFiles()
    if changed:
        return ChangedFiles(o.changed_from)
    return AllFiles()
