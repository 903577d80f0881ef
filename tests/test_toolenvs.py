"""Pinned tool environments (issue 15 point 1): a hook's ``requires`` built once, with uv or
venv + pip, from real wheels of PyPI, under a lock, linked into place only when complete."""

from __future__ import annotations

import fcntl
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from rich.console import Console

from crackjack.cli.console import Printer
from crackjack.cli.live import render
from crackjack.cli.plain import PlainLog
from crackjack.cli.planview import _pinned
from crackjack.cli.state import RunState
from crackjack.core.config.load import Catalogue, Workflow
from crackjack.core.process.programs import on_path
from crackjack.core.process.run import Cancellation
from crackjack.core.run.bus import EventBus
from crackjack.core.run.engine import RunControl, run_workflow
from crackjack.core.run.events import (
    EnvInstallCompleted,
    EnvInstallFailed,
    EnvInstallStarted,
    Event,
    PhaseStarted,
    WorkflowStarted,
)
from crackjack.core.run.plan import HookPlan, Plan, Selection, replanned
from crackjack.core.run.policy import Policy
from crackjack.core.run.results import HookResult
from crackjack.core.runners.command import Command
from crackjack.core.runners.hook import Hook, PlanContext, RunContext
from crackjack.core.runners.request import hook_environment
from crackjack.core.toolenv import build as toolenv_build
from crackjack.core.toolenv.build import build
from crackjack.core.toolenv.env import ToolEnv
from crackjack.core.toolenv.installers import Installer, installer, reason
from crackjack.core.toolenv.location import envs_home
from crackjack.core.toolenv.lock import env_lock
from crackjack.core.toolenv.maintenance import envs_usage, remove_envs
from crackjack.core.toolenv.marker import MARKER, write_marker
from crackjack.core.toolenv.spec import EnvSpec, normalised, python_label
from tests.plans import plan_for, policy_of
from tests.project import (
    CliResult,
    hook_table,
    make_project,
    run_cli,
    start_process,
)
from tests.test_ci import check_against_the_documented_schema
from tests.toolvenvs import cached_wheels

# Not crackjack's own ruff (0.17.x), and the one tests/realprojects.py downloads too.
RUFF = "ruff==0.15.16"
VERSION = RUFF.split("==")[1]
BIN = os.path.dirname(sys.executable)
SYSTEM_PATH = "/usr/bin:/bin"
WORKFLOWS = {"all": Workflow("all", ("fast", "late"))}


@pytest.fixture
def wheels(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cached_wheels(request.config, tmp_path_factory, RUFF)


def offline_from(monkeypatch: pytest.MonkeyPatch, wheels: Path, *, uv: bool) -> None:
    """Installers that take wheels from ``wheels`` only (no index, no user config), with uv on
    ``PATH`` or not (crackjack's folder holds uv, and a ruff that is not the pinned one)."""
    monkeypatch.setenv("PATH", f"{BIN}:{SYSTEM_PATH}" if uv else SYSTEM_PATH)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    monkeypatch.setenv("UV_OFFLINE", "1")
    monkeypatch.setenv("UV_FIND_LINKS", str(wheels))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def pinned_project(root: Path, *requires: str, command: tuple[str, ...] = ("ruff",)) -> Path:
    config = hook_table(
        "pinned",
        command=[*command, "--version"],
        phase="fast",
        pass_filenames=False,
        requires=list(requires or (RUFF,)),
    )
    return make_project(root, config=config)


def events_of(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def named(events: list[dict[str, object]], prefix: str) -> list[dict[str, object]]:
    return [event for event in events if str(event["event"]).startswith(prefix)]


def run_pinned(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[CliResult, list[dict[str, object]]]:
    events = root / "events.jsonl"
    args = ["--fast", "--hook", "pinned", "-v", "--events", str(events)]
    return run_cli(args, root, monkeypatch, capsys), events_of(events)


def ruff_env() -> ToolEnv:
    return ToolEnv.of((RUFF,), None)


# --- the key, the installers' words -----------------------------------------------------------


def test_the_key_is_the_same_for_the_same_set_however_it_is_written() -> None:
    one = EnvSpec.of(("Ruff == 0.15.16", "black>=24 ; python_version >= '3.9'"), None)
    two = EnvSpec.of(
        ("black >=24; python_version  >=  '3.9'", "ruff==0.15.16", "RUFF==0.15.16"), None
    )
    assert one.key == two.key
    assert len(two.requires) == 2
    assert normalised("Typing_Extensions [Extra] == 4.1") == "typing-extensions[extra]==4.1"
    assert normalised("==weird") == "==weird"
    assert EnvSpec.of((RUFF,), None).key != EnvSpec.of(("ruff==0.15.17",), None).key
    assert EnvSpec.of((RUFF,), "3.12").key != EnvSpec.of((RUFF,), None).key
    assert EnvSpec.of((RUFF,), python_label(None)).key == EnvSpec.of((RUFF,), None).key
    assert python_label("bin/python") == os.path.abspath("bin/python")
    assert EnvSpec.of((RUFF,), "3.12").shown == f"{RUFF} (python 3.12)"


def test_the_installers_reason_is_its_last_word() -> None:
    pip = (
        "ERROR: Could not find a version that satisfies the requirement ruff==0.0.1 (from"
        " versions: none)\nERROR: No matching distribution found for ruff==0.0.1\n"
    )
    assert reason(pip) == "No matching distribution found for ruff==0.0.1"
    uv = "error: Failed to fetch\n  Caused by: tcp connect error\n\n"
    uv += "  \x1b[31mcause:\x1b[0m Connection refused\n"
    assert reason(uv) == "Connection refused"
    assert reason("") == "no reason given"
    assert reason("x" * 400).endswith("...")


def test_uv_is_used_when_it_is_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f":{folder}")
    assert installer() == Installer("pip")
    uv = folder / "uv"
    uv.write_text("#!/bin/sh\n")
    uv.chmod(0o755)
    assert installer() == Installer("uv", str(uv))
    spec = EnvSpec.of((RUFF,), "3.99")
    assert (
        Installer("pip").steps(spec, tmp_path / "env")
        == "python 3.99 not found on PATH (python3.99)"
    )
    steps = Installer("uv", str(uv)).steps(spec, tmp_path / "env")
    assert not isinstance(steps, str)
    assert steps[0][-3:] == ("--python", "3.99", str(tmp_path / "env"))


# --- building ---------------------------------------------------------------------------------


def test_uv_builds_once_and_links_a_whole_environment(
    wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offline_from(monkeypatch, wheels, uv=True)
    env = ruff_env()
    assert not env.built()
    assert build(env, installer()).built
    assert env.built()
    assert env.folder is not None
    assert env.folder.is_symlink()
    found = env.find("ruff")
    assert found is not None
    assert found.origin == "pinned env"
    done = subprocess.run([found.path, "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["ruff", VERSION]
    marker = json.loads((env.folder / MARKER).read_text())
    assert marker["requires"] == [RUFF]
    assert marker["installer"] == "uv"
    assert build(env, installer()) == build(env, installer())  # built already: nothing to do
    assert not build(env, installer()).built
    assert env.find("black") is None


@pytest.mark.slow
def test_venv_and_pip_build_it_without_uv(
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    offline_from(monkeypatch, wheels, uv=False)
    if on_path("uv") is not None:
        pytest.skip("uv is on the system PATH")
    root = pinned_project(tmp_path / "p")
    said, events = run_pinned(root, monkeypatch, capsys)
    assert said.code == 0, said.out
    assert f"ruff {VERSION}" in said.out
    (done,) = named(events, "EnvInstallCompleted")
    assert done["installer"] == "pip"
    assert done["built"] is True
    assert json.loads((Path(str(done["path"])) / MARKER).read_text())["installer"] == "pip"


def test_a_failed_build_leaves_nothing_and_says_why(
    wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offline_from(monkeypatch, wheels, uv=True)
    env = ToolEnv.of(("ruff==0.0.999",), None)
    outcome = build(env, installer())
    assert outcome.error is not None
    assert outcome.error.startswith("cannot install ruff==0.0.999 (uv): ")
    assert "\n" not in outcome.error
    assert env.home is not None
    assert list(env.home.glob(f"{env.key}*")) == []
    assert build(ToolEnv(env.spec, None), installer()).error == (
        "no folder for tool environments: set CRACKJACK_HOME or HOME"
    )


def test_the_folder_is_crackjack_home_else_the_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert envs_home() == Path(os.environ["XDG_CACHE_HOME"]) / "crackjack" / "envs"
    monkeypatch.setenv("CRACKJACK_HOME", str(tmp_path / "cj"))
    assert envs_home() == tmp_path / "cj" / "envs"
    monkeypatch.setenv("CRACKJACK_HOME", "relative")
    monkeypatch.setenv("XDG_CACHE_HOME", "")
    assert envs_home() == Path.home() / ".cache" / "crackjack" / "envs"


def test_leftovers_of_earlier_builds_are_removed_by_the_next(
    wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offline_from(monkeypatch, wheels, uv=True)
    env = ruff_env()
    assert env.home is not None
    assert env.folder is not None
    killed = env.home / f"{env.key}.deadbeef"
    (killed / "bin").mkdir(parents=True)
    write_marker(killed, env.spec, "uv")  # whole but never linked: a build killed at the end
    assert not env.built()
    env.folder.mkdir()  # not a link: not something crackjack made
    assert build(env, installer()).built
    assert not killed.exists()
    assert [p.name for p in env.home.glob(f"{env.key}.*")] == [os.readlink(env.folder)]


# --- a run ------------------------------------------------------------------------------------


def test_a_run_installs_once_and_the_next_run_reuses_it(
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    offline_from(monkeypatch, wheels, uv=True)
    root = pinned_project(tmp_path / "p")
    said, events = run_pinned(root, monkeypatch, capsys)
    assert said.code == 0, said.out
    assert f"installing {RUFF} for pinned (uv) ..." in said.out
    assert f"ruff {VERSION}" in said.out  # not crackjack's ruff, though it is first on PATH
    (started,) = named(events, "EnvInstallStarted")
    (done,) = named(events, "EnvInstallCompleted")
    assert started["requires"] == [RUFF]
    assert started["hooks"] == ["pinned"]
    assert done["built"] is True
    assert float(str(done["duration"])) > 0
    kinds = [event["event"] for event in events]
    assert kinds.index("EnvInstallCompleted") < kinds.index("HookStarted")
    check_against_the_documented_schema(events)
    again, events = run_pinned(root, monkeypatch, capsys)
    assert again.code == 0
    assert f"ruff {VERSION}" in again.out
    assert "installing" not in again.out
    assert named(events, "EnvInstall") == []


def test_the_hook_runs_in_its_environment(
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    offline_from(monkeypatch, wheels, uv=True)
    code = "import os, sys; print('prefix', sys.prefix); print('venv', os.environ['VIRTUAL_ENV'])"
    config = hook_table(
        "where", command=["python", "-c", code], phase="fast", pass_filenames=False, requires=[RUFF]
    )
    root = make_project(tmp_path / "p", config=config)
    said = run_cli(["--fast", "--hook", "where", "-v"], root, monkeypatch, capsys)
    env = ruff_env()
    assert said.code == 0, said.out
    assert f"venv {env.folder}" in said.out
    assert f"prefix {env.folder}" in said.out


def test_a_program_its_environment_lacks_is_missing(
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    offline_from(monkeypatch, wheels, uv=True)
    root = pinned_project(tmp_path / "p", command=("crackjack",))  # on PATH, not in the env
    said, events = run_pinned(root, monkeypatch, capsys)
    assert said.code == 1
    (failed,) = named(events, "HookFailed")
    assert failed["status"] == "missing"
    message = failed["result"]["message"]  # type: ignore[index]
    assert (
        message
        == f"crackjack is not in the environment of {RUFF}: add what provides it to requires"
    )


@pytest.mark.parametrize(
    "uv", [True, pytest.param(False, marks=pytest.mark.slow)], ids=["uv", "pip"]
)
def test_an_offline_install_fails_cleanly_naming_the_requirement(
    uv: bool,
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    offline_from(monkeypatch, wheels, uv=uv)
    index = f"http://127.0.0.1:{closed_port()}/simple"
    for name in ("UV_OFFLINE", "UV_FIND_LINKS", "PIP_FIND_LINKS", "PIP_NO_INDEX"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("UV_INDEX_URL", index)
    monkeypatch.setenv("UV_NO_CACHE", "1")
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    monkeypatch.setenv("PIP_INDEX_URL", index)
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    monkeypatch.setenv("PIP_RETRIES", "0")
    root = pinned_project(tmp_path / "p")
    said, events = run_pinned(root, monkeypatch, capsys)
    assert said.code == 1
    (failed,) = named(events, "EnvInstallFailed")
    message = str(failed["message"])
    assert message.startswith(f"cannot install {RUFF} ({'uv' if uv else 'pip'}): ")
    assert "\n" not in message
    assert f"{message} (for pinned)" in said.out.splitlines()
    (hook,) = named(events, "HookFailed")
    assert hook["status"] == "missing"
    assert hook["result"]["message"] == message  # type: ignore[index]
    assert not ruff_env().built()


# --- a killed build, two runs at once ---------------------------------------------------------


@pytest.fixture
def silent_index() -> Iterator[str]:
    """An index that takes connections and never answers: an install waits on it."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"http://127.0.0.1:{server.getsockname()[1]}/simple"


def wait_for(condition: Callable[[], object], what: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def building(home: Path, key: str) -> list[Path]:
    """The folders of builds of ``key`` that have got as far as making the venv."""
    return [path for path in home.glob(f"{key}.*") if (path / "bin" / "python").exists()]


def has_event(path: Path, name: str) -> bool:
    return path.exists() and f'"event": "{name}"' in path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_killed_build_leaves_nothing_that_is_used(
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    silent_index: str,
) -> None:
    offline_from(monkeypatch, wheels, uv=True)
    root = pinned_project(tmp_path / "p")
    env = ruff_env()
    home, folder = env.home, env.folder
    assert home is not None
    assert folder is not None
    events = tmp_path / "killed.jsonl"
    for name in ("UV_OFFLINE", "UV_FIND_LINKS"):
        monkeypatch.delenv(name)
    hanging = {"UV_INDEX_URL": silent_index, "UV_NO_CACHE": "1"}
    process = start_process(["--fast", "--hook", "pinned", "--events", str(events)], root, hanging)
    try:
        wait_for(lambda: has_event(events, "EnvInstallStarted"), "the install to start")
        wait_for(lambda: building(home, env.key), "the environment's folder")
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.communicate(timeout=30)
    assert not has_event(events, "EnvInstallFailed")
    offline_from(monkeypatch, wheels, uv=True)
    assert building(home, env.key)
    assert not env.built()
    assert not folder.exists()
    said, _ = run_pinned(root, monkeypatch, capsys)
    assert said.code == 0
    assert f"ruff {VERSION}" in said.out
    assert [p.name for p in home.glob(f"{env.key}.*")] == [os.readlink(folder)]


@pytest.mark.slow
def test_two_runs_at_once_build_it_once(
    wheels: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    offline_from(monkeypatch, wheels, uv=True)
    env = ruff_env()
    assert env.home is not None
    roots = [pinned_project(tmp_path / name) for name in ("one", "two")]
    files = [tmp_path / f"{name}.jsonl" for name in ("one", "two")]
    with env_lock(env.home, env.key, wait=False) as held:  # both runs find it unbuilt, and wait
        assert held
        processes = [
            start_process(["--fast", "--hook", "pinned", "--events", str(path)], root)
            for root, path in zip(roots, files, strict=True)
        ]
        for path in files:
            wait_for(partial(has_event, path, "EnvInstallStarted"), "both runs to wait")
    for process in processes:
        process.communicate(timeout=120)
        assert process.returncode == 0
    done = [event for path in files for event in named(events_of(path), "EnvInstallCompleted")]
    assert sorted(bool(event["built"]) for event in done) == [False, True]
    assert len(list(env.home.glob(f"{env.key}.*"))) == 1


# --- crackjack hooks, the folder's size, clearing it ------------------------------------------


def test_hooks_shows_the_requirements_and_where_their_environment_is(
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    offline_from(monkeypatch, wheels, uv=True)
    monkeypatch.setenv("COLUMNS", "250")
    root = pinned_project(tmp_path / "p")
    env = ruff_env()
    before = run_cli(["hooks"], root, monkeypatch, capsys)
    assert before.code == 0
    assert f"requires {RUFF}" in before.out
    assert f"env {env.folder} (not built yet)" in before.out
    plan = run_cli(["--fast", "--hook", "pinned", "--dry-run"], root, monkeypatch, capsys)
    assert f"ruff with {RUFF}, once installed" in plan.out
    assert build(env, installer()).built
    after = run_cli(["hooks"], root, monkeypatch, capsys)
    assert f"env {env.folder} (built)" in after.out
    assert f"{VERSION}, pinned env" in after.out


def test_the_size_of_the_folder_and_clearing_it(
    wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert envs_usage().environments == 0
    assert remove_envs().removed == 0
    offline_from(monkeypatch, wheels, uv=True)
    env = ruff_env()
    assert env.home is not None
    assert build(env, installer()).built
    busy = ToolEnv.of(("black==24.1.0",), None)
    (env.home / f"{busy.key}.cafe0000").mkdir()  # a build under way
    usage = envs_usage()
    assert usage.folder == env.home
    assert usage.environments == 1
    assert usage.size > 1_000_000
    with env_lock(env.home, busy.key, wait=False):
        removed = remove_envs()
    assert removed.removed == 1
    assert removed.freed >= usage.size - 4096 * 4
    assert removed.busy == (busy.key,)
    assert not env.built()
    assert list(env.home.glob(f"{env.key}*")) == []
    assert (env.home / f"{busy.key}.cafe0000").is_dir()
    assert remove_envs().busy == ()
    assert envs_usage() == type(usage)(env.home, 0, envs_usage().size)


# --- what the views show ----------------------------------------------------------------------


def at(kind: type[Event], **fields: object) -> Event:
    return kind(run_id="r", timestamp=1.0, **fields)


INSTALL = {
    "env": "k1",
    "requires": (RUFF,),
    "python": "3.11",
    "hooks": ("ruff-check", "ruff-format"),
    "path": "/envs/k1",
    "installer": "uv",
}


def test_the_views_show_an_install_while_it_runs_and_how_it_ended() -> None:
    now = [10.0]
    state = RunState(clock=lambda: now[0])
    out = io.StringIO()
    log = PlainLog(Printer(out))
    started = at(EnvInstallStarted, **INSTALL)
    for event in (at(WorkflowStarted, workflow="fast", phases=("fast",)), started):
        state(event)
        log(event)
    drawing = io.StringIO()
    Console(file=drawing, width=120, color_system=None).print(render(state, 11.5))
    assert f"installing {RUFF} for ruff-check, ruff-format" in drawing.getvalue()
    assert "1.50s" in drawing.getvalue()
    done = at(EnvInstallCompleted, **INSTALL, duration=2.0, built=True)
    failed = at(
        EnvInstallFailed,
        **{**INSTALL, "env": "k2"},
        duration=1.0,
        built=False,
        message="cannot install x",
    )
    for event in (at(EnvInstallStarted, **{**INSTALL, "env": "k2"}), done, failed):
        state(event)
        log(event)
    log(at(EnvInstallCompleted, **INSTALL, duration=2.0, built=False))
    log(at(PhaseStarted, phase="fast", hooks=()))
    drawing = io.StringIO()
    Console(file=drawing, width=120, color_system=None).print(render(state, 12.0))
    assert f"installed {RUFF} for ruff-check, ruff-format" in drawing.getvalue()
    assert "cannot install x" in drawing.getvalue()
    assert out.getvalue().splitlines() == [
        f"installing {RUFF} for ruff-check, ruff-format (uv) ...",
        f"installing {RUFF} for ruff-check, ruff-format (uv) ...",
        f"installed {RUFF} in 2.00s",
        "cannot install x (for ruff-check, ruff-format)",
        f"installed by another run: {RUFF} in 2.00s",
        "== fast (0 hooks)",
    ]


def test_a_pinned_environment_is_activated_for_its_hook(tmp_path: Path) -> None:
    env = hook_environment({"A": "1"}, tmp_path)
    assert env["VIRTUAL_ENV"] == str(tmp_path)
    assert env["PATH"].split(os.pathsep)[0] == str(tmp_path / "bin")
    assert "VIRTUAL_ENV" not in hook_environment({}) or os.environ.get("VIRTUAL_ENV")


# --- the engine's install step when the run stops; the edges of a build -------------------------


class Raising(Command):
    """A runner whose ``run`` raises: the engine stops everything, installs included."""

    def run(self, plan: HookPlan, context: RunContext) -> HookResult:
        raise RuntimeError("boom")


def engine_plan(root: Path, *hooks: Hook) -> tuple[Plan, Policy]:
    (root / "a.py").write_text("x = 1\n")
    catalogue = Catalogue(hooks={h.id: h for h in hooks}, workflows=WORKFLOWS)
    return plan_for(catalogue, Selection("all"), root=root, files=("a.py",)), policy_of()


def pinned_hook() -> Hook:
    return Hook(id="pinned", phase="fast", runner=Command(command=("ruff",)), requires=(RUFF,))


def hanging_installs(monkeypatch: pytest.MonkeyPatch, index: str) -> None:
    monkeypatch.setenv("PATH", f"{BIN}:{SYSTEM_PATH}")
    monkeypatch.setenv("UV_INDEX_URL", index)
    monkeypatch.setenv("UV_NO_CACHE", "1")


def test_a_hook_that_raises_stops_the_installs_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, silent_index: str
) -> None:
    hanging_installs(monkeypatch, silent_index)
    raising = Hook(id="raising", phase="fast", runner=Raising(command=(sys.executable,)))
    plan, policy = engine_plan(tmp_path, pinned_hook(), raising)
    events: list[Event] = []
    with Cancellation() as cancellation:
        control = RunControl(cancellation)
        with pytest.raises(RuntimeError, match="boom"):
            run_workflow(plan, policy, EventBus([events.append]), control)
        assert cancellation.cancelled
    kinds = [type(event).__name__ for event in events]
    assert kinds == ["WorkflowStarted", "EnvInstallStarted", "PhaseStarted", "HookStarted"]


def test_an_interrupted_install_leaves_its_hooks_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, silent_index: str
) -> None:
    hanging_installs(monkeypatch, silent_index)
    plan, policy = engine_plan(tmp_path, pinned_hook())
    events: list[Event] = []
    with Cancellation() as cancellation:
        control = RunControl(cancellation)

        def interrupt_once_started(event: Event) -> None:
            if isinstance(event, EnvInstallStarted):
                threading.Timer(0.3, control.interrupt, (signal.SIGINT,)).start()

        bus = EventBus([events.append, interrupt_once_started])
        result = run_workflow(plan, policy, bus, control)
    assert result.interrupted_by == signal.SIGINT
    (failed,) = [e for e in events if isinstance(e, EnvInstallFailed)]
    assert failed.message.endswith(": interrupted")
    (hook,) = result.hooks
    assert hook.message == "not run: interrupted"


def test_a_plan_made_again_when_its_environment_vanished_is_missing(tmp_path: Path) -> None:
    plan, policy = engine_plan(tmp_path, pinned_hook())
    (pending,) = (hook for phase in plan.phases for hook in phase.hooks)
    assert pending.env_pending
    assert not pending.missing
    again = replanned(pending, PlanContext(root=tmp_path, policy=policy))
    assert again.missing
    assert again.missing_reason == f"its environment ({RUFF}) vanished once built"


def test_the_edges_of_a_build(
    wheels: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offline_from(monkeypatch, wheels, uv=True)
    env = ruff_env()
    assert env.home is not None
    uv = installer()
    with Cancellation() as cancelled:
        cancelled.cancel()
        assert build(env, uv, cancelled).error == f"cannot install {RUFF} (uv): interrupted"
        with env_lock(env.home, env.key, wait=False):
            said = build(env, uv, cancelled).error
        assert said == "not installed: interrupted"
    gone = Installer("uv", str(tmp_path / "no-uv"))
    assert "No such file or directory" in str(build(env, gone).error)
    monkeypatch.setattr(toolenv_build, "INSTALL_TIMEOUT", 0.0)
    assert str(build(env, uv).error).endswith("took longer than 0 s")
    monkeypatch.undo()
    offline_from(monkeypatch, wheels, uv=False)
    elsewhere = ToolEnv(EnvSpec.of((RUFF,), "3.99"), env.home)
    assert str(build(elsewhere, installer()).error).endswith(
        "python 3.99 not found on PATH (python3.99)"
    )
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert "Not a directory" in str(build(ToolEnv(env.spec, blocked), uv).error)
    spec = EnvSpec.of((RUFF,), sys.executable)
    steps = Installer("pip").steps(spec, tmp_path / "env")
    assert not isinstance(steps, str)
    assert steps[0][0] == sys.executable


def test_a_lock_is_waited_for_until_it_is_released(tmp_path: Path) -> None:
    with env_lock(tmp_path, "k", wait=False) as held:
        assert held
        with env_lock(tmp_path, "k", wait=False) as again:
            assert not again
        other = os.open(tmp_path / ".locks" / "k.lock", os.O_RDWR)
    fcntl.flock(other, fcntl.LOCK_EX)
    threading.Timer(0.2, os.close, (other,)).start()
    with env_lock(tmp_path, "k", wait=True) as waited:
        assert waited


def test_a_broken_link_or_marker_is_no_environment(
    wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offline_from(monkeypatch, wheels, uv=True)
    env = ruff_env()
    assert env.home is not None
    assert env.folder is not None
    half = env.home / f"{env.key}.0000aaaa"
    half.mkdir(parents=True)
    (half / MARKER).write_text('{"format": 0, "key": "x"}')
    env.folder.symlink_to(half.name)
    (env.home / f"{env.key}.note").write_text("not a folder")
    assert not env.built()
    assert ToolEnv(env.spec, None).find("ruff") is None
    assert build(env, installer()).built
    assert not half.exists()
    assert (env.home / f"{env.key}.note").exists()


def test_hooks_says_when_there_is_no_folder_for_environments() -> None:
    text = _pinned(ToolEnv(EnvSpec.of((RUFF,), None), None))
    assert "no folder for environments: set CRACKJACK_HOME" in text.plain


def test_a_shell_hook_and_a_python_alone_get_an_environment_too(
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    offline_from(monkeypatch, wheels, uv=True)
    version = python_label(None)
    config = hook_table(
        "shell", command=["ruff --version"], shell=True, phase="fast", requires=[RUFF]
    )
    code = "import sys; print('in', sys.prefix)"
    config += hook_table(
        "bare", command=["python", "-c", code], phase="fast", pass_filenames=False, python=version
    )
    root = make_project(tmp_path / "p", config=config)
    said = run_cli(["--fast", "--hook", "shell", "--hook", "bare", "-v"], root, monkeypatch, capsys)
    assert said.code == 0, said.out
    assert f"ruff {VERSION}" in said.out
    assert f"installing python {version} for bare (uv) ..." in said.out
    bare = ToolEnv.of((), version)
    assert bare.built()
    assert f"in {bare.folder}" in said.out
    assert EnvSpec.of((), "3.12").shown == "python 3.12"


@pytest.mark.parametrize("hook_id", ["check-yaml", "pytest"])
def test_requires_is_refused_where_no_program_is_installed(
    hook_id: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    root = make_project(tmp_path / "p", config=hook_table(hook_id, requires=[RUFF]))
    said = run_cli(["hooks"], root, monkeypatch, capsys)
    assert said.code == 2
    assert f"tool.crackjack.hooks.{hook_id}.requires: " in said.out + said.err
    root = make_project(tmp_path / "q", config=hook_table(hook_id, python="3.12"))
    said = run_cli(["hooks"], root, monkeypatch, capsys)
    assert f"tool.crackjack.hooks.{hook_id}.python: " in said.out + said.err


def test_hooks_sharing_a_set_share_one_install(
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    offline_from(monkeypatch, wheels, uv=True)
    version = python_label(None)
    keys: dict[str, object] = {"command": ["ruff", "--version"], "phase": "fast"}
    keys["pass_filenames"] = False
    config = hook_table("a", **keys, requires=[RUFF])
    config += hook_table("b", **keys, requires=[RUFF.upper().replace("==", " == ")])
    config += hook_table("c", **{**keys, "command": ["python", "-V"]}, python=version)
    root = make_project(tmp_path / "p", config=config)
    events = tmp_path / "events.jsonl"
    args = ["--fast", "--hook", "a", "--hook", "b", "--hook", "c", "--events", str(events)]
    assert run_cli(args, root, monkeypatch, capsys).code == 0
    started = named(events_of(events), "EnvInstallStarted")
    assert sorted(tuple(e["hooks"]) for e in started) == [("a", "b"), ("c",)]  # type: ignore[arg-type]
    finished = {
        str(e["hooks"]): e["event"] for e in named(events_of(events), "EnvInstallCompleted")
    }
    assert len(finished) == 2
    hooks = named(events_of(events), "Hook")
    results = {e["hook"]: e["status"] for e in hooks if "status" in e}
    assert results["a"] == results["b"] == results["c"] == "passed"


def test_an_environment_whose_python_is_gone_is_built_again(
    wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offline_from(monkeypatch, wheels, uv=True)
    env = ruff_env()
    assert build(env, installer()).built
    assert env.folder is not None
    python = env.folder / "bin" / "python"
    python.unlink()
    python.symlink_to("/nonexistent/python3")
    assert not env.built()
    assert build(env, installer()).built
    assert env.built()


def test_a_script_of_the_project_with_requires_runs_with_them_on_path(
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    offline_from(monkeypatch, wheels, uv=True)
    config = hook_table(
        "script", command=["hooks/ver.sh"], phase="fast", pass_filenames=False, requires=[RUFF]
    )
    root = make_project(
        tmp_path / "p", {"hooks/ver.sh": "#!/bin/sh\nexec ruff --version\n"}, config=config
    )
    (root / "hooks" / "ver.sh").chmod(0o755)
    said = run_cli(["--fast", "--hook", "script", "-v"], root, monkeypatch, capsys)
    assert said.code == 0, said.out
    assert f"installing {RUFF} for script (uv) ..." in said.out
    assert f"ruff {VERSION}" in said.out
