"""The engine's install step: the pinned environments the plan's hooks need that are not built
yet, each built once per run on a worker thread before the hooks that need it run.

The engine starts them all when the workflow starts (they are mostly downloads, so they take no
hook's slot); what ends is handed to the engine's loop, which publishes it and plans the
waiting hooks again: with the built environment's program, or missing with the reason."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from crackjack.core.process.run import Cancellation
from crackjack.core.run.plan import HookPlan
from crackjack.core.toolenv.env import ToolEnv
from crackjack.core.valueclass import field, record, value

if TYPE_CHECKING:
    from crackjack.core.toolenv.build import Built
    from crackjack.core.toolenv.installers import Installer


@record
class _Install:
    env: ToolEnv
    hooks: list[str] = field(default_factory=list)
    running: bool = False
    start: float = 0.0


@value(eq=True)
class Installed:
    """An install that ended (a message to the engine's loop)."""

    key: str
    outcome: Built


Fields = dict[str, object]


class Installs:
    """Every environment the plans wait for, by key."""

    def __init__(self, plans: Iterable[HookPlan]) -> None:
        self._installs: dict[str, _Install] = {}
        for plan in plans:
            if plan.env_pending and plan.env is not None:
                install = self._installs.setdefault(plan.env.key, _Install(plan.env))
                install.hooks.append(plan.hook.id)
        self._installer: Installer | None = None

    def start(
        self, cancellation: Cancellation, report: Callable[[Installed], None]
    ) -> list[Fields]:
        """Start every install on a thread of its own (``report`` is called with what ended);
        the fields of each ``EnvInstallStarted``."""
        if not self._installs:
            return []
        from crackjack.core.toolenv.build import build
        from crackjack.core.toolenv.installers import installer

        self._installer = chosen = installer()
        started = []
        for key, install in self._installs.items():
            install.running, install.start = True, time.monotonic()

            def work(env: ToolEnv = install.env, key: str = key) -> None:
                report(Installed(key, build(env, chosen, cancellation)))

            threading.Thread(target=work, name=f"install {key}", daemon=True).start()
            started.append(self._fields(install))
        return started

    def running(self) -> bool:
        return any(install.running for install in self._installs.values())

    def ended(self, done: Installed) -> Fields:
        """The fields of its ``EnvInstallCompleted`` or ``EnvInstallFailed``."""
        install = self._installs[done.key]
        install.running = False
        return {
            **self._fields(install),
            "duration": time.monotonic() - install.start,
            "built": done.outcome.built,
            "message": done.outcome.error or "",
        }

    def _fields(self, install: _Install) -> Fields:
        env = install.env
        return {
            "env": env.key,
            "requires": env.spec.requires,
            "python": env.spec.python,
            "hooks": tuple(install.hooks),
            "path": "" if env.folder is None else str(env.folder),
            "installer": "" if self._installer is None else self._installer.name,
        }
