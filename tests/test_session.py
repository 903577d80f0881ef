"""The run as a core session: each step once, told to the caller through ``SessionOutput``."""

from __future__ import annotations

from pathlib import Path

from crackjack.core.files.selection import StagedFiles
from crackjack.core.git.recoverydata import HiddenChanges
from crackjack.core.run.engine import RunControl
from crackjack.core.run.plan import Plan
from crackjack.core.run.policy import Policy
from crackjack.core.run.results import RunResult
from crackjack.core.run.session import SessionRequest, plan_session, run_session, run_with_bus
from crackjack.hooks.catalogue import BUILTINS
from tests.gitrepo import commit_all, run_git, write
from tests.project import PYTHON, hook_table, make_project

CONFIG = "".join(hook_table(hook_id, enabled=False) for hook_id in BUILTINS.hooks) + hook_table(
    "noop", command=[PYTHON, "-c", "pass"], phase="fast"
)


class Recorder:
    """A ``SessionOutput`` that notes what it is told, and in which order."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.said: list[str] = []

    def note(self, text: str) -> None:
        self.said.append(f"note {text}")

    def changes_hidden(self, hidden: HiddenChanges) -> None:
        assert hidden.recovery_dir is not None
        assert hidden.recovery_dir.is_dir()
        self.said.append(f"hidden {', '.join(hidden.files)}")

    def run(self, plan: Plan, policy: Policy, control: RunControl) -> RunResult:
        self.said.append(f"run sees {(self.root / 'a.py').read_text()!r}")
        return run_with_bus(plan, policy, [], control)


def partially_staged(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "repo", {"a.py": "x = 1\n"}, config=CONFIG, git=True)
    commit_all(root)
    write(root / "a.py", "x = 2\n")
    run_git(root, "add", "a.py")
    write(root / "a.py", "x = 3\n")
    return root


def test_a_session_hides_says_so_before_the_run_and_gives_back(tmp_path: Path) -> None:
    root = partially_staged(tmp_path)
    output = Recorder(root)
    request = SessionRequest(
        workflows=("pre-push", "fast"), files=StagedFiles(), hide_unstaged=True, cwd=root
    )

    ran = run_session(request, BUILTINS, output)

    assert output.said == ["hidden a.py", "run sees 'x = 2\\n'"]
    assert ran.result.workflow == "fast"
    assert [hook.name for hook in ran.result.hooks] == ["noop"]
    assert ran.hidden is not None
    assert ran.hidden.restored
    assert ran.hidden.files == ("a.py",)
    assert (root / "a.py").read_text() == "x = 3\n"


def test_a_dry_run_session_plans_without_hiding(tmp_path: Path) -> None:
    root = partially_staged(tmp_path)
    request = SessionRequest(workflows=("fast",), files=StagedFiles(), hide_unstaged=True, cwd=root)

    planned = plan_session(request, BUILTINS)

    assert [hook.hook.id for phase in planned.plan.phases for hook in phase.hooks] == ["noop"]
    assert (root / "a.py").read_text() == "x = 3\n"
    left = {path.name for path in (root / ".git" / "crackjack").glob("*")}
    assert left <= {"settings"}, "nothing but the settings cache: no lock, no recovery data"
