from __future__ import annotations

from pathlib import Path

import pytest

from crackjack.core.config.load import Catalogue, Workflow
from crackjack.core.errors import ConfigError
from crackjack.core.run.plan import Plan, Selection, check_selection
from crackjack.core.runners.hook import Hook
from tests.plans import command_hook, plan_for, planned_hooks

WORKFLOWS = {"fast": Workflow("fast", ("fast",)), "all": Workflow("all", ("fast", "late"))}


def catalogue(*hooks: Hook) -> Catalogue:
    return Catalogue(hooks={h.id: h for h in hooks}, workflows=WORKFLOWS)


hook = command_hook


def plan_of(
    tmp_path: Path, hooks: list[Hook], files: list[str], selection: Selection | None = None
) -> Plan:
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    return plan_for(catalogue(*hooks), selection or Selection("fast"), root=tmp_path, files=files)


def test_fixers_wait_for_earlier_hooks_sharing_their_files(tmp_path: Path) -> None:
    plan = plan_of(
        tmp_path,
        [
            hook("check-py", files=("*.py",)),
            hook("check-md", files=("*.md",)),
            hook("fix-py", files=("*.py",), fixer=True),
            hook("fix-md", files=("*.md",), fixer=True),
            hook("late-check", files=("*.py",)),
        ],
        ["a.py", "b.md"],
    )
    waits = {h.hook.id: h.waits_for for h in planned_hooks(plan)}
    assert waits == {
        "check-py": (),
        "check-md": (),
        "fix-py": ("check-py",),
        "fix-md": ("check-md",),
        "late-check": ("fix-py",),
    }


def test_a_serial_hook_runs_alone(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, [hook("a"), hook("b", serial=True), hook("c")], ["a.py"])
    assert [h.waits_for for h in planned_hooks(plan)] == [(), ("a",), ("b",)]


def test_files_are_filtered_and_global_exclude_applies(tmp_path: Path) -> None:
    hooks = [hook("py", files=("*.py",)), hook("any")]
    files = ["a.py", "vendor/b.py", "c.txt"]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    with_exclude = Catalogue(
        hooks={h.id: h for h in hooks}, workflows=WORKFLOWS, exclude=("vendor/",)
    )
    plan = plan_for(with_exclude, Selection("fast"), root=tmp_path, files=files)
    assert [h.files for h in planned_hooks(plan)] == [("a.py",), ("a.py", "c.txt")]


def test_hooks_without_files_are_skipped(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, [hook("md", files=("*.md",))], ["a.py"])
    assert planned_hooks(plan)[0].skip_reason == "no files to check"


def test_skip_and_only(tmp_path: Path) -> None:
    hooks = [hook("a"), hook("b"), hook("c", phase="late")]
    plan = plan_of(
        tmp_path, hooks, ["a.py"], Selection("all", skip={"b": "skipped by CRACKJACK_SKIP"})
    )
    assert [(h.hook.id, h.skip_reason) for h in planned_hooks(plan)] == [
        ("a", None),
        ("b", "skipped by CRACKJACK_SKIP"),
        ("c", None),
    ]
    only = plan_of(tmp_path, hooks, ["a.py"], Selection("all", only=("c",)))
    assert [p.name for p in only.phases] == ["fast", "late"]
    assert [h.hook.id for h in planned_hooks(only)] == ["c"]


def test_disabled_hooks_are_left_out(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, [hook("a", enabled=False), hook("b")], ["a.py"])
    assert [h.hook.id for h in planned_hooks(plan)] == ["b"]


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        (Selection("nope"), "unknown workflow 'nope' (known: fast, all)"),
        (Selection("fast", only=("zz",)), "unknown hook 'zz'"),
        (Selection("fast", skip={"zz": "skipped"}), "unknown hook 'zz'"),
        (
            Selection("fast", only=("c",)),
            "hook 'c' is in phase 'late', which workflow 'fast' does not run",
        ),
    ],
)
def test_bad_selections(selection: Selection, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_selection(catalogue(hook("a"), hook("c", phase="late")), selection)
    assert message in str(caught.value)


def test_argv_separator_and_leading_dash(tmp_path: Path) -> None:
    plan = plan_of(
        tmp_path,
        [hook("dd", dashdash=True), hook("plain"), hook("none", pass_filenames=False)],
        ["-a.py", "b.py"],
    )
    dd, plain, none = planned_hooks(plan)
    assert dd.argv[-1] == "--"
    assert dd.batches == (("-a.py", "b.py"),)
    assert plain.batches == (("./-a.py", "b.py"),)
    assert none.batches == ((),)
    assert none.files == ("-a.py", "b.py")


def test_many_files_are_split_into_batches(tmp_path: Path) -> None:
    names = [f"{'d' * 100}/{i:05}{'x' * 150}.py" for i in range(3000)]
    (tmp_path / ("d" * 100)).mkdir()
    for name in names:
        (tmp_path / name).touch()
    plan = plan_for(catalogue(hook("a")), Selection("fast"), root=tmp_path, files=names)
    batches = planned_hooks(plan)[0].batches
    assert len(batches) > 1
    assert [name for batch in batches for name in batch] == names


def test_missing_programs_are_known_before_running(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, [hook("gone", command=("no-such-tool-here", "x"))], ["a.py"])
    assert planned_hooks(plan)[0].missing
    assert planned_hooks(plan)[0].executable is None


def test_shell_hooks_get_files_as_positional_parameters(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, [hook("sh", command=("echo hi",), shell=True, args=("-x",))], ["a.py"])
    assert planned_hooks(plan)[0].argv == ("/bin/sh", "-c", 'echo hi "$@"', "sh", "-x")
    assert not planned_hooks(plan)[0].missing
    loop = 'for f in "$@"; do echo "$f"; done'
    plan = plan_of(tmp_path, [hook("loop", command=(loop,), shell=True)], ["a.py"])
    assert planned_hooks(plan)[0].argv == ("/bin/sh", "-c", loop, "loop")
