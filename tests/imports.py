"""What a real crackjack process imports, by name: read from ``python -X importtime`` on its
stderr (the installed hook's ``-P -m crackjack``), so no hook in crackjack is needed."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.project import PYTHON, crackjack_env


def imported(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """The run of ``crackjack ARGS`` in ``cwd``, and the full name of every module it imported."""
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-P", "-m", "crackjack", *args],
        cwd=cwd,
        env=crackjack_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }
    assert "crackjack" in modules, done.stderr[-2000:]
    return done, modules
