"""How a hook's process is started: in which folder, with which environment (the run's own
without git's repository-local variables, DESIGN.md 6.8), how long it may take, where its
output goes."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from crackjack.core.process.capture import KEPT_HEAD, KEPT_TAIL
from crackjack.core.process.run import ProcessRequest

if TYPE_CHECKING:
    from crackjack.core.run.plan import HookPlan
    from crackjack.core.runners.gate import GatedStart
    from crackjack.core.runners.hook import RunContext

_GIT_ENV_KEPT = frozenset(
    {
        "GIT_EXEC_PATH",
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_SSL_CAINFO",
        "GIT_SSL_NO_VERIFY",
        "GIT_CONFIG_COUNT",
        "GIT_HTTP_PROXY_AUTHMETHOD",
        "GIT_ALLOW_PROTOCOL",
        "GIT_ASKPASS",
    }
)


def hook_environment(hook_env: Mapping[str, str], venv: Path | None = None) -> dict[str, str]:
    """The process environment without the repository-local ``GIT_*`` variables git sets for
    us, plus ``hook_env``; with ``venv`` (a pinned environment), activated as pre-commit
    activates a hook's: its ``bin`` first on ``PATH``, ``VIRTUAL_ENV`` naming it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GIT_") or key in _GIT_ENV_KEPT or key.startswith("GIT_CONFIG_")
    }
    if venv is not None:
        env["VIRTUAL_ENV"] = str(venv)
        env["PATH"] = os.pathsep.join((str(venv / "bin"), env.get("PATH", os.defpath)))
        env.pop("PYTHONHOME", None)
    env.update(hook_env)
    return env


def process_request(
    plan: HookPlan,
    batch: tuple[str, ...],
    index: int,
    context: RunContext,
    cwd: Path,
    deadline: float | None,
    gated: GatedStart | None = None,
) -> ProcessRequest:
    """How batch ``index`` of ``plan`` is run: in ``cwd``, without git's own variables, its
    output bounded, the time left until ``deadline``; through ``gated`` if given."""
    env = hook_environment(plan.hook.env, None if plan.env is None else plan.env.folder)
    if gated is not None:
        env.update(gated.env)
    return ProcessRequest(
        argv=(*plan.argv, *batch) if gated is None else gated.argv,
        cwd=cwd,
        env=env,
        pass_fds=() if gated is None else (gated.fd,),
        timeout=None if deadline is None else max(deadline - time.monotonic(), 0.001),
        kill_grace=context.policy.kill_grace,
        head_bytes=KEPT_HEAD,
        tail_bytes=KEPT_TAIL,
        spill_path=context.log_dir / f"{plan.hook.id}.{index}.log",
    )
