"""Run a plan: phases in order, each hook on a worker thread, the longest first.

The engine's loop runs on the caller's thread (the main thread): it starts hooks on worker
threads, at most ``policy.jobs`` at once, and waits on one queue for what they report (a result,
a test's progress). Every event is published from that loop, so subscribers never run on a
worker thread. The engine never prints.

Scheduling (DESIGN.md 11):

- Of the hooks that may start, the one expected to take longest starts first (the durations of
  earlier runs, ``core.run.durations``); a hook still waits for the earlier hooks of its phase it
  must not run beside (``HookPlan.waits_for``). While a hook started early is held for the
  fixers (``runners.gate``), the fixers go first: they are on its path. While a hook's program
  is being started, no other hook starts: their threads would take the interpreter's lock from
  the one whose program is on its way (the first started is the longest).
- A read-only hook of a later phase (not a fixer, not serial, waiting for no hook of its own
  phase, and no writer given no file names still to end before it) may start early, beside
  the earlier phases, while at most ``jobs - 1`` hooks run: the last slot is kept for the
  phase being run, and with one job nothing starts early. Its events
  wait for its phase: ``HookStarted`` (with ``started_early``) is published right after its
  ``PhaseStarted``, its result when it has one, so the phases' events keep their order.
- When its phase starts, an early hook's result is thrown away and the hook runs again if a
  hook of an earlier phase that ended after it started modified any file (not only its own:
  a tool reads its configuration and what its files import); ``rerun_reason`` says why. One
  still running when such a hook ends is stopped then (its result could only be thrown away)
  and runs again in its phase, not early again.
- Unless its program is a Python script: then it is held (``runners.gate``) from each fixer's
  files until that fixer ends, and a fix it was held for does not make it stale. It is held
  from the start for the fixers that changed files in their last run (``durations``); on the
  days they change nothing it waits for none of them. Stopped by another fixer's change, it
  starts again at once, held for every fixer still to end.
- The first hook started early may find its program already started, from the last run's
  launch of it (``core.run.headstart``): it is adopted if the launch and the fixers to hold it
  for are this run's and no hook has changed a file yet, else killed then. At its end the run
  keeps the launch of its first early hook, held for the fixers the next run will hold it for.
- If the run is stopped (fail-fast, a signal) before an early hook's phase starts, that hook is
  stopped and reported as a run without early starts would report it: not run, with the
  reason. An early start never changes a verdict.

Stopping is cooperative: ``RunControl.interrupt`` cancels every running process (their runners
kill the process groups) and wakes the loop; no further hook starts.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from crackjack.core.process.run import Cancellation
from crackjack.core.run.bus import EventBus
from crackjack.core.run.durations import expected_seconds, read_history, write_history
from crackjack.core.run.events import (
    EnvInstallCompleted,
    EnvInstallFailed,
    EnvInstallStarted,
    Event,
    HookCompleted,
    HookFailed,
    HookStarted,
    PhaseCompleted,
    PhaseFailed,
    PhaseStarted,
    TestProgress,
    WorkflowCompleted,
    WorkflowFailed,
    WorkflowInterrupted,
    WorkflowStarted,
)
from crackjack.core.run.headstart import Fixers, HeadStart, Launch, write_launch
from crackjack.core.run.installs import Installed, Installs
from crackjack.core.run.logs import new_run_folder
from crackjack.core.run.plan import HookPlan, PhasePlan, Plan, replanned
from crackjack.core.run.policy import Policy
from crackjack.core.run.results import HookResult, PhaseResult, RunResult, TestCounts, Totals
from crackjack.core.runners.gate import Gate, holds
from crackjack.core.runners.hook import PlanContext, Progress, RunContext
from crackjack.core.runners.outcome import missing, skipped, without_changes_of_others
from crackjack.core.valueclass import field, record, replace, value


def _nothing() -> None:
    """No loop to wake yet."""


@record
class RunControl:
    """How the outside stops a run; the first signal wins, a second one skips the grace period.

    ``interrupt`` is safe in a signal handler: it cancels, and wakes the engine's loop through a
    queue whose ``put`` is reentrant."""

    cancellation: Cancellation
    signal: int | None = None
    wake: Callable[[], None] = field(default=_nothing, repr=False)

    def interrupt(self, signum: int) -> None:
        force = self.signal is not None
        self.signal = self.signal or signum
        self.cancellation.cancel(force=force)
        self.wake()


@value
class Ticker:
    """Called by the engine's loop every ``interval`` seconds, on its thread (the live view)."""

    call: Callable[[], None]
    interval: float


@record
class _Task:
    """One hook of the plan while it runs: ``state`` is waiting, running, held (ran early, its
    phase not started yet) or done (its result published)."""

    plan: HookPlan
    index: int
    stage: int
    expected: float
    state: str = "waiting"
    early: bool = False
    announced: bool = False
    discard: bool = False
    stale: bool = False
    writes_seen: int = 0
    rerun_reason: str = ""
    regate: bool = False
    """Stopped early by a fix: it starts early again, held for the fixers still to end."""
    regated: bool = False
    head: HeadStart | None = None
    """The program started ahead it adopted; killed when it ends if its runner did not use it."""
    spawning: bool = False
    """Its program is on its way: nothing else starts until it has started (or the hook ended)."""
    cancellation: Cancellation | None = None
    gate: Gate | None = None
    progress: _Progress | None = None
    result: HookResult | None = None


@value
class _Done:
    task: _Task
    result: HookResult | None
    error: BaseException | None = None


@value
class _Spawned:
    task: _Task


@value
class _Progress:
    task: _Task
    counts: TestCounts
    current: str


_WAKE = object()
"""Put on the loop's queue by ``RunControl.interrupt``."""


class _Run:
    def __init__(
        self,
        plan: Plan,
        policy: Policy,
        bus: EventBus,
        control: RunControl,
        log_dir: Path,
        ticker: Ticker | None,
    ) -> None:
        self.plan = plan
        self.policy = policy
        self.bus = bus
        self.control = control
        self.ticker = ticker
        self.next_tick = time.monotonic() + (ticker.interval if ticker else 0.0)
        self.run_id = os.urandom(6).hex()
        self.stop_reason: str | None = None
        self.error: BaseException | None = None
        self.messages: queue.SimpleQueue[object] = queue.SimpleQueue()
        self.written: list[tuple[int, str, frozenset[str]]] = []
        """What each hook that modified files changed, in the order they ended: its stage, id
        and the files."""
        self.history = read_history(policy.durations)
        self.head = policy.head_start
        self.first_early: _Task | None = None
        self.context = RunContext(
            root=plan.root,
            cancellation=control.cancellation,
            log_dir=log_dir,
            policy=policy,
            tests=plan.tests,
        )
        self.phases: list[tuple[int, PhasePlan, list[_Task]]] = []
        index = 0
        for stage, phases in enumerate(plan.stages):
            for phase in phases:
                tasks = []
                for hook in phase.hooks:
                    expected = expected_seconds(hook, self.history.seconds)
                    tasks.append(_Task(hook, index, stage, expected))
                    index += 1
                self.phases.append((stage, phase, tasks))
        self.tasks = [task for _, _, tasks in self.phases for task in tasks]
        self.open_stage = -1
        self.installs = Installs(task.plan for task in self.tasks)

    def publish(self, make: Callable[..., Event], **fields: object) -> None:
        self.bus.publish(make(run_id=self.run_id, timestamp=time.time(), **fields))

    # --- the workflow, stage by stage ---------------------------------------------------------

    def workflow(self) -> RunResult:
        names = tuple(p.name for p in self.plan.phases)
        self.publish(WorkflowStarted, workflow=self.plan.workflow, phases=names)
        start = time.monotonic()
        self.control.wake = lambda: self.messages.put(_WAKE)
        done: dict[str, PhaseResult] = {}
        try:
            self.start_installs()
            for stage in range(len(self.plan.stages)):
                self.run_stage(stage, done)
        except BaseException:
            self.stop_all()
            raise
        finally:
            self.control.wake = _nothing
        result = RunResult(
            workflow=self.plan.workflow,
            phases=tuple(done[phase.name] for phase in self.plan.phases),
            duration=time.monotonic() - start,
            interrupted_by=self.control.signal,
        )
        self.history = write_history(self.policy.durations, self.history, result.hooks)
        if self.policy.launches is not None:
            launch, head = self.next_launch(), self.policy.head_start
            if head is None or launch != head.launch:  # a steady project's runs write nothing
                write_launch(self.policy.launches, launch)
        if self.policy.results is not None:
            self.policy.results.finish()
        finished = {
            "workflow": self.plan.workflow,
            "phases": names,
            "duration": result.duration,
            "totals": result.totals,
        }
        if result.interrupted_by is not None:
            self.publish(WorkflowInterrupted, signal=result.interrupted_by, **finished)
        else:
            self.publish(WorkflowFailed if result.failed else WorkflowCompleted, **finished)
        return result

    def run_stage(self, stage: int, done: dict[str, PhaseResult]) -> None:
        self.open_stage = stage
        phases = [(phase, tasks) for s, phase, tasks in self.phases if s == stage]
        starts: dict[str, float] = {}
        for phase, tasks in phases:
            self.publish(PhaseStarted, phase=phase.name, hooks=_ids(phase))
            starts[phase.name] = time.monotonic()
            for task in tasks:
                if task.state != "waiting":
                    self.announce_early(task)
        while True:
            if self.error is not None:
                raise self.error
            self.start_ready()
            self.drop_head_start()
            for phase, tasks in phases:
                if phase.name not in done and all(t.state == "done" for t in tasks):
                    done[phase.name] = self.end_phase(phase, tasks, starts[phase.name])
            if all(phase.name in done for phase, _ in phases):
                return
            if not self.running() and not self.installs.running():
                raise RuntimeError("the engine has nothing to run and nothing to wait for")
            self.handle(self.next_message())

    def end_phase(self, phase: PhasePlan, tasks: list[_Task], start: float) -> PhaseResult:
        result = PhaseResult(
            phase=phase.name,
            hooks=tuple(task.result for task in tasks if task.result is not None),
            duration=time.monotonic() - start,
        )
        self.publish(
            PhaseFailed if result.failed else PhaseCompleted,
            phase=phase.name,
            hooks=_ids(phase),
            duration=result.duration,
            totals=Totals.of(result.hooks),
        )
        return result

    # --- which hook starts next ---------------------------------------------------------------

    def running(self) -> list[_Task]:
        return [task for task in self.tasks if task.state == "running"]

    def start_ready(self) -> None:
        while True:
            task = self.next_ready()
            if task is None:
                return
            self.start(task)

    def next_ready(self) -> _Task | None:
        """The next hook to start, if one may; hooks that run nothing end here on the way."""
        while True:
            running = self.running()
            ready = [task for task in self.tasks if self.is_ready(task, running)]
            if not any(t.stage <= self.open_stage and self.ends_at_once(t) for t in ready):
                break
        waiting = any(t.stage <= self.open_stage and t.state == "waiting" for t in self.tasks)
        reserved = 1 if waiting else 0
        early = len(running) < self.policy.jobs - reserved and self.may_start_early()
        candidates = [
            task
            for task in ready
            if task.stage <= self.open_stage or (early and self.early_kind(task))
        ]
        if len(running) >= self.policy.jobs or not candidates:
            return None
        if any(task.spawning for task in running):
            return None
        held = any(task.gate is not None for task in running)
        return max(
            candidates, key=lambda task: (held and task.plan.writes, task.expected, -task.index)
        )

    def is_ready(self, task: _Task, running: list[_Task]) -> bool:
        if task.state != "waiting" or task.plan.env_pending:
            return False
        if task.plan.hook.serial and any(other.stage != task.stage for other in running):
            return False
        phase_tasks = self.phase_tasks(task)
        return all(
            other.state == "done"
            for other in phase_tasks
            if other.plan.hook.id in task.plan.waits_for
        )

    def phase_tasks(self, task: _Task) -> list[_Task]:
        return next(tasks for _, _, tasks in self.phases if task in tasks)

    def may_start_early(self) -> bool:
        """Whether the stage being run is still going, and lets a hook start beside it."""
        if self.stop_reason is not None or self.control.signal is not None:
            return False
        going = [t for t in self.tasks if t.stage == self.open_stage and t.state != "done"]
        return bool(going) and not any(task.plan.hook.serial for task in going)

    def early_kind(self, task: _Task) -> bool:
        """Whether ``task`` may start before its phase: it writes nothing, waits for nothing,
        and no writer of an earlier phase still to end gets no file names (what such a writer
        changes cannot be seen, so nothing could tell that a rerun is due)."""
        plan = task.plan
        return not (
            (task.rerun_reason and not task.regate)
            or plan.writes
            or plan.hook.serial
            or plan.waits_for
            or plan.skip_reason is not None
            or plan.missing
            or any(
                other.stage < task.stage and other.state != "done" and _unseen_writes(other.plan)
                for other in self.tasks
            )
        )

    # --- starting and ending hooks ------------------------------------------------------------

    def ends_at_once(self, task: _Task) -> bool:
        """End ``task`` here if it runs nothing (skipped, missing, not run); whether it did."""
        plan, now = task.plan, time.time()
        reason = self.not_run_reason(plan)
        if reason is not None:
            result = skipped(plan, reason, started_at=now)
        elif plan.missing:
            result = missing(plan, fails_run=self.policy.missing_fails, started_at=now)
        else:
            return False
        self.announce(task)
        self.finish(task, result)
        return True

    def not_run_reason(self, plan: HookPlan) -> str | None:
        if self.control.signal is not None:
            return "not run: interrupted"
        return self.stop_reason or plan.skip_reason

    def start(self, task: _Task) -> None:
        early = task.stage > self.open_stage
        task.state, task.head = "running", None
        task.spawning = bool(task.plan.argv)
        task.writes_seen = len(self.written)
        cancellation = self.control.cancellation
        head = None
        if early:
            task.early = True
            task.cancellation = cancellation = Cancellation()
            task.gate = self.gate_for(task, every=task.regate)
            head = self.head_start_for(task)
            task.regate, task.regated = False, task.regate
            if self.first_early is None and not self.written:
                self.first_early = task
        else:
            task.gate = None  # a run in its phase, after the fixers: nothing to hold it for
            self.announce(task)
        context = replace(
            self.context,
            cancellation=cancellation,
            progress=self.progress_of(task),
            started=lambda: self.messages.put(_Spawned(task)),
            gate=task.gate,
            head_start=head,
        )
        worker = threading.Thread(
            target=self.work, args=(task, context), name=f"hook {task.plan.hook.id}", daemon=True
        )
        worker.start()

    def gate_for(self, task: _Task, every: bool) -> Gate | None:
        """What ``task``, starting early, is held for (``fixers_for``); None if nothing."""
        fixers = self.fixers_for(task, None if every else self.history.fixed)
        return Gate(self.plan.root, fixers, self.context.log_dir) if fixers else None

    def fixers_for(
        self, task: _Task, fixed: frozenset[str] | None, *, ahead: bool = False
    ) -> Fixers:
        """The fixers of earlier phases still to end (``ahead``: all of them, as the next run
        starts), with their files, that ``task`` is held for when it starts early (its program
        a Python script): every one (``fixed`` None), else those that changed files in their
        last run (``fixed``)."""
        if not holds(task.plan.executable):
            return ()
        return tuple(
            (other.plan.hook.id, other.plan.files)
            for other in self.tasks
            if other.stage < task.stage
            and (ahead or other.state != "done")
            and other.plan.writes
            and (fixed is None or other.plan.hook.id in fixed)
        )

    def drop_head_start(self) -> None:
        """Kill the program started ahead once its hook can no longer adopt it: a hook has
        changed a file, or its hook is not one still to start early."""
        head = self.head
        if head is None:
            return
        hook = head.launch.hook
        if self.written or not any(
            t.plan.hook.id == hook and t.stage > self.open_stage and t.state == "waiting"
            for t in self.tasks
        ):
            head.abandon()
            self.head = None

    def head_start_for(self, task: _Task) -> HeadStart | None:
        """The head start ``task`` adopts: this run's, if it is ``task``'s launch, held for the
        same fixers, and no hook has changed a file yet (else it is killed, and ``task`` gets
        its gate and program as any early hook does)."""
        head = self.head
        if head is None or task.plan.hook.id != head.launch.hook:
            return None
        self.head = None
        launch = task.plan.hook.runner.launch(task.plan, self.context)
        fixers = () if task.gate is None else task.gate.fixers
        if self.written or launch is None or not head.matches(replace(launch, fixers=fixers)):
            head.abandon()
            return None
        if task.gate is not None:
            task.gate.close()
        task.gate, task.head = head.gate, head.take()
        return head

    def next_launch(self) -> Launch | None:
        """How the next run's head start starts: the launch of this run's first early hook,
        held for the fixers the next run will hold it for (the history just written)."""
        task = self.first_early
        if task is None or task.result is None or task.result.cached_files:
            return None  # none, or the result cache served it: the next run may serve it too
        if self.policy.durations is None:
            return None  # no history kept: the next run could not hold it for the same fixers
        launch = task.plan.hook.runner.launch(task.plan, self.context)
        fixers = self.fixers_for(task, self.history.fixed, ahead=True)
        return None if launch is None else replace(launch, fixers=fixers)

    def release_gates(self, ended: _Task) -> None:
        for task in self.tasks:
            if task.gate is not None:
                task.gate.release(ended.plan.hook.id)

    def work(self, task: _Task, context: RunContext) -> None:
        """On a worker thread: run the hook (through the result cache, if the run has one),
        hand its result (or what it raised) to the loop."""
        try:
            cache = self.policy.results
            if cache is None:
                result = task.plan.hook.runner.run(task.plan, context)
            else:
                result = cache.run(task.plan, context)
        except BaseException as exc:
            self.messages.put(_Done(task, None, exc))
        else:
            self.messages.put(_Done(task, result))

    def progress_of(self, task: _Task) -> Progress:
        def progress(counts: TestCounts, current: str) -> None:
            self.messages.put(_Progress(task, counts, current))

        return progress

    def announce(self, task: _Task) -> None:
        if not task.announced:
            task.announced = True
            hook = task.plan.hook
            self.publish(
                HookStarted,
                phase=hook.phase,
                hook=hook.id,
                name=hook.title,
                files=len(task.plan.files),
                started_early=task.early,
            )

    def announce_early(self, task: _Task) -> None:
        """``task`` started before its phase, which starts now: say so, and end it if it has
        ended."""
        self.announce(task)
        if self.stop_reason is not None or self.control.signal is not None:
            task.discard = True
            if task.cancellation is not None:
                task.cancellation.cancel()
        if task.progress is not None:
            self.publish_progress(task.progress)
        if task.state == "held" and task.result is not None:
            self.finish(task, task.result)

    # --- the pinned environments hooks wait for (core.run.installs) ---------------------------

    def start_installs(self) -> None:
        for fields in self.installs.start(self.control.cancellation, self.messages.put):
            self.publish(EnvInstallStarted, **fields)

    def installed(self, done: Installed) -> None:
        """An environment is built (or could not be): plan its hooks again, with its program or
        as missing with the reason."""
        fields = self.installs.ended(done)
        error = done.outcome.error
        self.publish(EnvInstallFailed if error else EnvInstallCompleted, **fields)
        context = PlanContext(root=self.plan.root, policy=self.policy, tests=self.plan.tests)
        for task in self.tasks:
            plan = task.plan
            if plan.env_pending and plan.env is not None and plan.env.key == done.key:
                task.plan = (
                    replace(plan, env_pending=False, missing_reason=error)
                    if error
                    else replanned(plan, context)
                )

    # --- what the loop hears ------------------------------------------------------------------

    def next_message(self) -> object:
        while True:
            timeout = None
            if self.ticker is not None:
                timeout = max(0.0, self.next_tick - time.monotonic())
            try:
                message = self.messages.get(timeout=timeout)
            except queue.Empty:
                message = None
            if self.ticker is not None and time.monotonic() >= self.next_tick:
                self.tick(self.ticker)
            if message is not None:
                return message

    def tick(self, ticker: Ticker) -> None:
        """Call ``ticker``; one that fails is called no more, and said as a subscriber's
        failure is (the run goes on)."""
        try:
            ticker.call()
        except Exception as exc:
            self.ticker = None
            self.bus.errors.append(
                f"{getattr(ticker.call, '__qualname__', 'ticker')} failed: {exc!r}"
            )
            return
        self.next_tick = time.monotonic() + ticker.interval

    def handle(self, message: object) -> None:
        if isinstance(message, _Progress):
            if message.task.announced:
                self.publish_progress(message)
            else:
                message.task.progress = message
        elif isinstance(message, _Spawned):
            message.task.spawning = False
        elif isinstance(message, _Done):
            self.ended(message)
        elif isinstance(message, Installed):
            self.installed(message)
        elif self.control.signal is not None:
            for task in self.running():
                if task.cancellation is not None:
                    task.cancellation.cancel(force=self.control.cancellation.forced)

    def publish_progress(self, progress: _Progress) -> None:
        hook = progress.task.plan.hook
        self.publish(
            TestProgress,
            phase=hook.phase,
            hook=hook.id,
            counts=progress.counts,
            current=progress.current,
        )

    def ended(self, done: _Done) -> None:
        task = done.task
        _let_go(task)
        if done.error is not None or done.result is None:
            task.state = "done"
            self.error = self.error or done.error or RuntimeError("a hook gave no result")
            self.stop_all()
            return
        if task.stale:  # stopped by stop_stale: it runs again in its phase
            task.stale, task.state = False, "waiting"
            return
        if task.stage > self.open_stage:
            task.state, task.result = "held", done.result
        else:
            self.finish(task, done.result)

    def finish(self, task: _Task, result: HookResult) -> None:
        """Publish ``task``'s result, unless it ran early and a fixer changed what it read:
        then it waits to run again."""
        if task.early and task.discard:
            reason = self.not_run_reason(task.plan) or "not run"
            result = skipped(task.plan, reason, started_at=time.time())
        elif task.early and (not task.rerun_reason or task.regated):
            if result.cached_files and task.gate is not None:
                task.gate.void()
            stale = self.changed_under(task)
            if stale:
                task.rerun_reason, task.regated = stale, False
                if self.control.signal is None:
                    task.state, task.result = "waiting", None
                    return
                result = skipped(task.plan, "not run: interrupted", started_at=time.time())
            else:  # held from the fixers' files (``gate``): their changes are not its own
                result = without_changes_of_others(result, self.changed_since(task))
        ahead = task.head is not None and task.head.running.used
        result = replace(
            result, started_early=task.early, started_ahead=ahead, rerun_reason=task.rerun_reason
        )
        task.state, task.result = "done", result
        self.release_gates(task)
        if result.modified:
            self.written.append((task.stage, task.plan.hook.id, frozenset(result.modified)))
            self.stop_stale(task.stage)
        if result.fails_run and self.policy.fail_fast and self.stop_reason is None:
            self.stop_reason = f"not run: {task.plan.hook.id} failed and fail-fast is on"
        self.publish(HookFailed if result.fails_run else HookCompleted, result=result)

    def stop_stale(self, stage: int) -> None:
        """Stop each hook of a later phase than ``stage`` running early that a hook of
        ``stage`` has just made stale (by ``changed_under``'s rule): its result would be thrown
        away, and stopping it leaves the fixers the CPU it took."""
        for task in self.tasks:
            if task.state != "running" or not task.early or task.stage <= stage or task.stale:
                continue
            reason = self.changed_under(task)
            if reason and task.cancellation is not None:
                task.stale, task.rerun_reason = True, reason
                task.regate = not task.regated and holds(task.plan.executable)
                task.regated = False
                task.cancellation.cancel()

    def changed_under(self, task: _Task) -> str:
        """Why ``task``'s early result is stale: the files hooks of earlier phases that ended
        after it started modified (fixers or not); empty if none. Any file counts, not only
        those it was given: a tool also reads its configuration and what its files import."""
        gate = task.gate
        changed = self.changed_since(
            task, lambda hook_id, files: gate is None or not gate.covers(hook_id, files)
        )
        if not changed:
            return ""
        hit = sorted(changed)
        more = f" and {len(hit) - 3} more" if len(hit) > 3 else ""
        return f"rerun after fixes: {', '.join(hit[:3])}{more} changed"

    def changed_since(
        self, task: _Task, counts: Callable[[str, frozenset[str]], bool] = lambda *_: True
    ) -> frozenset[str]:
        """The files hooks of earlier phases than ``task``'s modified since it started (those
        ``counts`` keeps, by hook id and files)."""
        return frozenset[str]().union(
            *(
                files
                for stage, hook_id, files in self.written[task.writes_seen :]
                if stage < task.stage and counts(hook_id, files)
            )
        )

    def stop_all(self) -> None:
        """Cancel every running hook, at once, and wait for them all to end."""
        self.control.cancellation.cancel(force=True)
        for task in self.tasks:
            if task.cancellation is not None:
                task.cancellation.cancel(force=True)
        while self.running() or self.installs.running():
            message = self.messages.get()
            if isinstance(message, Installed):
                self.installs.ended(message)
            elif isinstance(message, _Done):
                message.task.state = "done"
                _let_go(message.task)


def _let_go(task: _Task) -> None:
    """What ``task`` held while it ran, let go as it ends: its program started ahead (if its
    runner did not use it), its cancellation, its gate."""
    task.spawning = False
    if task.head is not None:
        task.head.running.kill()  # nothing if its runner ran it
    if task.cancellation is not None:
        task.cancellation.close()
        task.cancellation = None
    if task.gate is not None:
        task.gate.close()


def _unseen_writes(plan: HookPlan) -> bool:
    """A writer given no file names: what it changes is not known from its files."""
    return plan.writes and all(not batch for batch in plan.batches)


def _ids(phase: PhasePlan) -> tuple[str, ...]:
    return tuple(h.hook.id for h in phase.hooks)


def run_workflow(
    plan: Plan, policy: Policy, bus: EventBus, control: RunControl, ticker: Ticker | None = None
) -> RunResult:
    """Run ``plan`` under ``policy`` to its end (or until ``control`` is interrupted) and
    return what happened; ``ticker`` is called on the way."""
    log_dir = new_run_folder(policy.log_home)
    try:
        result = _Run(plan, policy, bus, control, log_dir, ticker).workflow()
    finally:
        _remove_if_empty(log_dir)
    return result


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty: it holds this run's logs
        folder.rmdir()
