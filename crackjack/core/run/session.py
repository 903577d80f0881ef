"""One run from start to end, each step once: the repository checks, the settings, the lock, the
unfinished-run check, hiding and restoring unstaged changes, planning and running.

The session never prints: what must be said at a given moment (unstaged changes were hidden,
before any hook runs) is a call on the ``SessionOutput`` the caller hands in, which also runs the
plan with the caller's outputs. ``plan_session`` (``--dry-run``) takes the same path up to the
plan and returns it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

from crackjack.core.cache.location import cache_folder
from crackjack.core.config.load import (
    Catalogue,
    Project,
    load_project,
    skip_reasons,
)
from crackjack.core.config.source import project_catalogue
from crackjack.core.errors import RepositoryStateError
from crackjack.core.files.outputs import own_outputs, remember_outputs
from crackjack.core.files.selection import (
    AllFiles,
    ChangedFiles,
    FileSelection,
    StagedFiles,
    select_files,
)
from crackjack.core.files.touchable import FileModes
from crackjack.core.git.lock import LockUnavailable, lock_dir_for, run_lock
from crackjack.core.git.recoverydata import HiddenChanges
from crackjack.core.git.refusals import check_repository
from crackjack.core.git.unfinished import check_no_unfinished_run, guarded_run
from crackjack.core.git.worktree import WorkTree, work_tree_or_none
from crackjack.core.process.run import Cancellation
from crackjack.core.run.bus import EventBus, Subscriber
from crackjack.core.run.engine import RunControl, Ticker, run_workflow
from crackjack.core.run.headstart import HeadStart
from crackjack.core.run.plan import Plan, Selection, build_plan, check_selection, select_hooks
from crackjack.core.run.policy import Policy, default_jobs
from crackjack.core.run.results import RunResult
from crackjack.core.run.signals import stop_signals_to
from crackjack.core.testphase.options import Shard, TestOptions
from crackjack.core.valueclass import field, replace, value

if TYPE_CHECKING:
    from crackjack.core.cache.step import ResultCache


@value(kw_only=True, eq=True)
class SessionRequest:
    """What to run.

    ``workflows``: the first of these the project has (the last one's error when it has none).
    ``settings``: the command line's values for the settings. ``hide_unstaged``: git-hook mode,
    the unstaged changes hidden while the hooks run. ``check_only``: no hook writes files, and
    hooks give machine-readable findings (CI). ``junit_dir``: where pytest writes its JUnit
    files (None: nowhere). ``outputs``: the files the run writes (report, JUnit, events), which
    no hook gets, in this run or later ones. ``cwd``: where the run was started.
    ``launches``: where the run keeps its first early hook's launch for the next run's head
    start, and ``head_start`` this run's (``core.run.headstart``; never in git-hook mode).
    """

    workflows: tuple[str, ...]
    hooks: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    files: FileSelection = field(default_factory=AllFiles)
    hide_unstaged: bool = False
    test_args: tuple[str, ...] = ()
    shard: Shard | None = None
    check_only: bool = False
    junit_dir: Path | None = None
    outputs: tuple[Path, ...] = ()
    cwd: Path
    config: Path | None = None
    launches: Path | None = None
    head_start: HeadStart | None = None


class SessionOutput(Protocol):
    """The caller's side of a run."""

    def note(self, text: str) -> None:
        """Something the user should know about how this run goes (one line), said before any
        hook runs."""

    def changes_hidden(self, hidden: HiddenChanges) -> None:
        """Unstaged changes were hidden and saved; called before any hook runs."""

    def run(self, plan: Plan, policy: Policy, control: RunControl) -> RunResult:
        """Run ``plan`` by ``policy`` with the caller's outputs (``run_with_bus``)."""


@value
class Planned:
    """What a run would do (``--dry-run``): the plan, and the policy it would run by."""

    plan: Plan
    policy: Policy


@value
class Ran:
    """A finished run: its result and, in git-hook mode, what was hidden and how it came back
    (None when nothing was to be hidden)."""

    result: RunResult
    hidden: HiddenChanges | None


def read_project(
    cwd: Path,
    settings: Mapping[str, Any],
    builtins: Catalogue,
    tree: WorkTree | None,
    *,
    staged: bool = False,
    config: Path | None = None,
) -> tuple[Project, Catalogue]:
    """The project around ``cwd`` (in the work tree ``tree``) and every hook and workflow it
    knows; ``staged``: with the settings the index holds (git-hook mode checks what it does).
    ``config``: a ``.pre-commit-config.yaml`` to take the hooks from (``project_catalogue``)."""
    project = load_project(
        cwd,
        settings,
        top=None if tree is None else tree.top,
        staged=staged,
        crackjack_dir=None if tree is None else tree.crackjack_dir,
    )
    return project_catalogue(
        project,
        builtins,
        config,
        fail_fast_flag="fail_fast" in settings,
        staged_in=tree.top if staged and tree is not None else None,
    )


def work_tree_anywhere(cwd: Path) -> WorkTree | None:
    """The work tree around ``cwd`` for commands that check nothing in the repository
    (``crackjack hooks``, ``crackjack cache``): a bare repository or ``.git`` counts as none."""
    try:
        return work_tree_or_none(cwd)
    except RepositoryStateError:
        return None


def read_project_anywhere(
    cwd: Path, settings: Mapping[str, Any], builtins: Catalogue, config: Path | None = None
) -> tuple[Project, Catalogue]:
    """``read_project`` in the work tree ``work_tree_anywhere`` finds."""
    return read_project(cwd, settings, builtins, work_tree_anywhere(cwd), config=config)


def plan_session(request: SessionRequest, builtins: Catalogue) -> Planned:
    """The plan a run of ``request`` would follow (``--dry-run``); nothing runs or is locked."""
    start = _start(request, builtins, hiding=False)
    if start.tree is not None:
        check_no_unfinished_run(start.tree)
    return start.planned()


def run_session(request: SessionRequest, builtins: Catalogue, output: SessionOutput) -> Ran:
    """Run ``request``: refuse the repository states we never run in, read the settings, take
    the work tree's lock, refuse an unfinished earlier run, hide the unstaged changes (git-hook
    mode), plan, run through ``output``, and give the changes back, whatever happened.

    SIGINT, SIGTERM and SIGHUP stop the run (the result says which), never the restore.
    """
    start = _start(request, builtins, hiding=request.hide_unstaged)
    tree = start.tree
    with Cancellation() as cancellation:
        control = RunControl(cancellation)
        with stop_signals_to(control.interrupt), _locked(start, output), guarded_run(tree):
            if start.project.staged_pyproject is not None:
                name = os.path.relpath(start.project.staged_pyproject, request.cwd)
                output.note(f"settings: the staged {name} (its unstaged edits are not used)")
            if tree is not None and not request.hide_unstaged:
                # Under the lock: a run still going holds it, so what is found here was stopped.
                # (Hiding unstaged changes makes the same check itself.)
                check_no_unfinished_run(tree)
            remember_outputs(tree, request.outputs)
            with _hidden(tree if request.hide_unstaged else None, output) as hidden:
                planned = start.planned()
                result = output.run(planned.plan, planned.policy, control)
                _say_cache_warning(planned.policy, output)
                if hidden is not None and tree is not None:
                    hidden.by_hooks = _changed_by_hooks(result, start.project.root, tree.top)
    return Ran(result, hidden)


def run_with_bus(
    plan: Plan,
    policy: Policy,
    subscribers: list[Subscriber],
    control: RunControl,
    ticker: Ticker | None = None,
) -> RunResult:
    """Run ``plan`` by ``policy``, every event to ``subscribers`` (and ``ticker`` called on the
    way), on this thread; the subscribers' failures are in the result."""
    bus = EventBus(subscribers)
    result = run_workflow(plan, policy, bus, control, ticker)
    return replace(result, subscriber_errors=tuple(bus.errors))


@value
class _Started:
    """What a session finds before it locks anything: the work tree, the settings, what was
    asked for (checked); and from them, the one place it makes its plan and policy."""

    request: SessionRequest
    tree: WorkTree | None
    project: Project
    catalogue: Catalogue
    selection: Selection

    def planned(self) -> Planned:
        request, root, settings = self.request, self.project.root, self.project.settings
        modes = FileModes(root.absolute())
        outputs = own_outputs(root, self.tree, request.outputs)
        files = select_files(root, request.files, self.tree, outputs=outputs, modes=modes)
        policy = Policy(
            jobs=settings.jobs or default_jobs(),
            fail_fast=settings.fail_fast,
            missing_fails=settings.missing_tools == "fail",
            kill_grace=settings.kill_grace,
            check_only=request.check_only,
            junit_dir=request.junit_dir,
            log_home=None if self.tree is None else self.tree.crackjack_dir / "logs",
            durations=None if self.tree is None else self.tree.crackjack_dir / "durations.json",
            results=self.result_cache(modes, files),
            launches=None if request.hide_unstaged else request.launches,
            head_start=None if request.hide_unstaged else request.head_start,
        )
        tests = TestOptions(
            python=self.project.python,
            args=request.test_args,
            shard=request.shard,
            allow_no_tests=settings.tests.allow_no_tests,
            slowest=settings.tests.slowest,
        )
        plan = build_plan(
            self.catalogue,
            self.selection,
            root=root,
            files=files,
            policy=policy,
            tests=tests,
            modes=modes,
        )
        return Planned(plan, policy)

    def caches_any(self) -> bool:
        """Whether a hook the run selects may be cached at all (a trivial run's may not)."""
        selected = select_hooks(self.catalogue, self.selection).values()
        return any(hook.cache != "off" for hooks in selected for hook in hooks)

    def result_cache(self, looks: FileModes, files: Sequence[str]) -> ResultCache | None:
        """The run's result cache (seeing the run's ``files`` through the selection's
        ``looks``); None with ``no-cache`` or nowhere to keep it. Only
        ``core.cache.location`` is imported when there is none."""
        settings, tree = self.project.settings, self.tree
        common = None if tree is None else tree.common_dir
        folder = cache_folder(settings.cache_dir, self.project.root, common)
        if settings.no_cache or folder is None or not self.caches_any():
            return None
        from crackjack.core.cache.step import open_cache

        return open_cache(
            folder,
            max_mb=settings.cache_max_mb,
            root=self.project.root,
            index=None if tree is None else tree.index_file,
            top=None if tree is None else tree.top,
            whole=isinstance(self.request.files, AllFiles),
            looks=looks,
            files=files,
        )


def _say_cache_warning(policy: Policy, output: SessionOutput) -> None:
    """The one line a run says about a cache it could not read or write, if any."""
    warning = None if policy.results is None else policy.results.warning
    if warning:
        output.note(f"{warning} (the run went on without it)")


def _start(request: SessionRequest, builtins: Catalogue, *, hiding: bool) -> _Started:
    """The work tree (found once, its refusals made), the settings (read once), and what was
    asked for, checked before anything is locked or hidden.

    ``hiding``: unstaged changes will be hidden, and hiding refuses unmerged paths itself.
    """
    needs_repo = request.hide_unstaged or isinstance(request.files, StagedFiles | ChangedFiles)
    tree = check_repository(request.cwd, need_repo=needs_repo, allow_unmerged=hiding)
    project, catalogue = read_project(
        request.cwd,
        request.settings,
        builtins,
        tree,
        staged=request.hide_unstaged,
        config=request.config,
    )
    workflow = next((w for w in request.workflows if w in catalogue.workflows), None)
    selection = Selection(
        workflow or request.workflows[-1], request.hooks, _skips(request, project, catalogue)
    )
    check_selection(catalogue, selection)
    return _Started(request, tree, project, catalogue, selection)


def _skips(request: SessionRequest, project: Project, catalogue: Catalogue) -> dict[str, str]:
    """Each hook skipped on purpose, with the place that asked for it (the flag wins)."""
    reasons = skip_reasons(project.settings, catalogue.hooks)
    reasons.update(dict.fromkeys(request.skip, "skipped by --skip"))
    return reasons


def _changed_by_hooks(result: RunResult, root: Path, top: Path) -> frozenset[str]:
    """The files the hooks reported changing, relative to the top of the work tree ``top``
    (as hidden files are) rather than to the project ``root``."""
    prefix = PurePosixPath(os.path.relpath(root.resolve(), top.resolve()))
    return frozenset(str(prefix / path) for hook in result.hooks for path in hook.modified)


@contextmanager
def _locked(start: _Started, output: SessionOutput) -> Iterator[None]:
    """The run lock. A run that writes nothing (check-only, nothing hidden) goes on without it
    where it cannot be created (a read-only checkout), and says so."""
    request = start.request
    with ExitStack() as stack:
        try:
            stack.enter_context(run_lock(lock_dir_for(start.project.root, start.tree)))
        except LockUnavailable as exc:
            if not request.check_only or request.hide_unstaged:
                raise
            output.note(f"{exc.problem}: running without it (this check-only run writes nothing)")
        yield


@contextmanager
def _hidden(tree: WorkTree | None, output: SessionOutput) -> Iterator[HiddenChanges | None]:
    """Unstaged changes hidden while the hooks run (git-hook mode), or nothing."""
    if tree is None:
        yield None
        return
    from crackjack.core.git.hiding import unstaged_changes_hidden  # git-hook mode only

    with unstaged_changes_hidden(tree) as hidden:
        if hidden.recovery_dir is not None:
            output.changes_hidden(hidden)
        yield hidden
