"""A ``.pre-commit-config.yaml`` run by crackjack as pre-commit runs it (issue 15 points 2 and 4):
each hook gets the files pre-commit gives it (checked against pre-commit itself), ``SKIP``
works, what cannot run shows as missing with the reason, and ``regex:`` patterns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crackjack.core.config.precommit_checks import fail, pygrep
from crackjack.core.errors import ConfigError
from crackjack.core.files.patterns import FileFilter, TagCache
from crackjack.core.run.session import read_project_anywhere
from crackjack.hooks.catalogue import BUILTINS
from tests.gitrepo import make_repo, run_git, write
from tests.project import make_project, run_cli

RECORD = """\
import json, os, sys
with open(os.path.join(os.environ["RECORD_DIR"], sys.argv[1]), "a") as out:
    out.write(json.dumps(sys.argv[2:]) + "\\n")
"""
FILES = {
    "a.py": "print('a')\n",
    "src/b.py": "x = 1\n",
    "src/vendor/c.py": "print('vendored')\n",
    "docs/x.md": "# x\n",
    "docs/y.rst": "y\n=\n",
    "docs/z.py": "z = 1\n",
    "tests/test_a.py": "def test(): pass\n",
    "setup.cfg": "[metadata]\n",
    "data.json": "{}\n",
    "name with space.py": "w = 2\n",
    "-dash.py": "d = 3\n",
}
RECORDED = ("py-files", "md-or-rst", "cfg-json", "not-python", "shell", "always")


def config_text(record: Path) -> str:
    entry = f"{sys.executable} {record}"
    return textwrap.dedent(
        f"""\
        exclude: ^src/vendor/
        repos:
          - repo: local
            hooks:
              - id: py-files
                name: py-files
                entry: {entry} py-files
                language: system
                types: [python]
                exclude: |
                  (?x)^(
                      tests/.*|
                      docs/.*
                  )$
              - id: md-or-rst
                name: md-or-rst
                entry: {entry} md-or-rst
                language: system
                types_or: [markdown, rst]
              - id: cfg-json
                name: cfg-json
                entry: {entry} cfg-json
                language: system
                files: \\.(cfg|json)$
              - id: not-python
                name: not-python
                entry: {entry} not-python
                language: system
                exclude_types: [python]
                exclude: ^docs/
              - id: shell
                name: shell
                entry: {entry} shell
                language: system
                types: [shell]
              - id: always
                name: always
                entry: {entry} always
                language: system
                files: ^nothing-matches$
                always_run: true
              - id: no-print
                name: no-print
                entry: '\\bprint\\('
                language: pygrep
                types: [python]
        """
    )


def recorded(folder: Path) -> dict[str, list[str]]:
    """The files each hook was given, over all its batches (``./-dash.py`` as ``-dash.py``:
    crackjack gives a name that starts with a dash so, that no tool reads it as an option)."""
    got: dict[str, list[str]] = {}
    for hook_id in RECORDED:
        path = folder / hook_id
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        names = (name.removeprefix("./") for line in lines for name in json.loads(line))
        got[hook_id] = sorted(names)
    return got


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    for name, content in FILES.items():
        write(root / name, content)
    (tmp_path / "record.py").write_text(RECORD, encoding="utf-8")
    write(root / ".pre-commit-config.yaml", config_text(tmp_path / "record.py"))
    run_git(root, "add", "-A")
    return root


def test_every_hook_gets_the_files_pre_commit_gives_it(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    theirs, ours = tmp_path / "theirs", tmp_path / "ours"
    theirs.mkdir()
    ours.mkdir()
    env = {**os.environ, "RECORD_DIR": str(theirs), "PRE_COMMIT_HOME": str(tmp_path / "pc")}
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # no-print fails
    assert "no-print" in done.stdout
    monkeypatch.setenv("RECORD_DIR", str(ours))
    result = run_cli(
        ["--fast", "--report", str(tmp_path / "report.json")], project, monkeypatch, capsys
    )
    assert result.code == 1, result.out
    assert recorded(ours) == recorded(theirs)
    assert recorded(ours)["py-files"] == ["-dash.py", "a.py", "name with space.py", "src/b.py"]
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    statuses = {hook["hook"]: hook["status"] for hook in report["phases"][0]["hooks"]}
    assert statuses["no-print"] == "failed"
    assert {hook: status for hook, status in statuses.items() if status != "passed"} == {
        "shell": "skipped",  # no file of its type: skipped by pre-commit too
        "no-print": "failed",
    }
    assert (ours / "always").read_text(encoding="utf-8") == "[]\n"  # ran, with no files


def test_only_the_files_hooks_and_no_built_in_one(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, catalogue = read_project_anywhere(project, {}, BUILTINS)
    assert list(catalogue.hooks) == [*RECORDED, "no-print"]
    assert catalogue.exclude == ("regex:^src/vendor/",)
    result = run_cli(["hooks"], project, monkeypatch, capsys)
    assert result.code == 0
    assert "ruff-check" not in result.out
    assert "no-print" in result.out


def test_skip_names_yaml_hooks(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ours = tmp_path / "ours"
    ours.mkdir()
    monkeypatch.setenv("RECORD_DIR", str(ours))
    monkeypatch.setenv("SKIP", "no-print,py-files")
    result = run_cli(["--fast"], project, monkeypatch, capsys)
    assert result.code == 0, result.out
    assert "skipped by SKIP" in result.out
    got = recorded(ours)
    assert got["py-files"] == []
    assert got["cfg-json"] == ["data.json", "setup.cfg"]


def test_settings_with_hooks_win_and_config_names_the_file(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write(project / "pyproject.toml", "[tool.crackjack.hooks.mypy]\nenabled = false\n")
    _, catalogue = read_project_anywhere(project, {}, BUILTINS)
    assert "ruff-check" in catalogue.hooks
    assert "no-print" not in catalogue.hooks
    other = tmp_path / "other.yaml"
    other.write_text(
        "repos: [{repo: local, hooks: [{id: mypy, entry: 'true', language: system}]}]\n",
        encoding="utf-8",
    )
    _, catalogue = read_project_anywhere(project, {}, BUILTINS, other)
    assert list(catalogue.hooks) == ["mypy"]
    assert not catalogue.hooks["mypy"].enabled  # the settings still apply to its hooks
    write(project / "pyproject.toml", "[tool.crackjack]\n")
    _, catalogue = read_project_anywhere(project, {}, BUILTINS, project / "pyproject.toml")
    assert "ruff-check" in catalogue.hooks
    other_toml = run_cli(
        ["--config", str(tmp_path / "pyproject.toml")], project, monkeypatch, capsys
    )
    assert other_toml.code == 2
    assert "not the project's pyproject.toml" in other_toml.err
    missing = run_cli(["--config", str(tmp_path / "none.yaml")], project, monkeypatch, capsys)
    assert missing.code == 2
    assert "none.yaml: cannot read" in missing.err


def test_settings_without_hooks_add_their_excludes(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", '[tool.crackjack]\nexclude = ["docs/"]\n')
    _, catalogue = read_project_anywhere(project, {}, BUILTINS)
    assert catalogue.exclude == ("regex:^src/vendor/", "docs/")


def test_a_file_that_runs_crackjack_is_not_read_as_its_hooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "repo")
    write(
        root / ".pre-commit-config.yaml",
        "repos: [{repo: local, hooks: [{id: cj, entry: crackjack --fast, language: system}]}]\n",
    )
    _, catalogue = read_project_anywhere(root, {}, BUILTINS)
    assert "ruff-check" in catalogue.hooks
    result = run_cli(["--config", ".pre-commit-config.yaml", "--fast"], root, monkeypatch, capsys)
    assert result.code == 1
    assert "it runs crackjack itself" in result.out


def test_what_cannot_run_is_missing_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "repo")
    write(root / "a.js", "x\n")
    write(
        root / ".pre-commit-config.yaml",
        textwrap.dedent(
            """\
            repos:
              - repo: https://github.com/someone/linter
                rev: v1.0
                hooks: [{id: lint}]
              - repo: local
                hooks: [{id: eslint, name: eslint, entry: eslint, language: node}]
            """
        ),
    )
    result = run_cli(["--fast"], root, monkeypatch, capsys)
    assert result.code == 1
    assert (
        "needs the repository https://github.com/someone/linter cloned; run it with pre-commit,"
        " or add it to [tool.crackjack]"
    ) in result.out.replace("\n", " ")
    assert "a node hook" in result.out
    write(root / "pyproject.toml", '[tool.crackjack]\nmissing-tools = "warn"\n')
    assert run_cli(["--fast"], root, monkeypatch, capsys).code == 0
    dry = run_cli(["--fast", "--dry-run"], root, monkeypatch, capsys)
    assert "cannot run" in dry.out


def test_fail_fast_of_the_file_unless_the_command_line_says_otherwise(project: Path) -> None:
    path = project / ".pre-commit-config.yaml"
    path.write_text("fail_fast: true\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    found, _ = read_project_anywhere(project, {}, BUILTINS)
    assert found.settings.fail_fast
    found, _ = read_project_anywhere(project, {"fail_fast": False}, BUILTINS)
    assert not found.settings.fail_fast


def test_stages_are_workflows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "repo")
    write(root / "a.txt")
    write(
        root / ".pre-commit-config.yaml",
        textwrap.dedent(
            """\
            repos:
              - repo: local
                hooks:
                  - {id: quick, name: quick, entry: "true", language: system, stages: [pre-commit]}
                  - {id: slow, name: slow, entry: "false", language: system, stages: [pre-push]}
            """
        ),
    )
    assert run_cli(["--fast"], root, monkeypatch, capsys).code == 0
    assert run_cli([], root, monkeypatch, capsys).code == 0  # standard: what pre-commit runs
    pushed = run_cli(["--workflow", "pre-push"], root, monkeypatch, capsys)
    assert pushed.code == 1
    assert "slow" in pushed.out
    assert "quick" not in pushed.out


PYGREP_CASES = [
    ([r"print\("], "print(1)\nx = 1\n  print(2)\r\n"),
    (["-i", "todo"], "a TODO here\nnone\n"),
    (["--negate", "copyright"], "nothing\n"),
    (["--negate", "copyright"], "copyright 2024\n"),
    (["--multiline", r"a\nb"], "x\na\nb\nc\n"),
    (["--multiline", "--negate", r"a\nb"], "x\n"),
    (["--multiline", "--ignore-case", "X$"], "ab\nx\n"),
    ([r"\s$"], "trailing \nno\nlast"),
    (["zzz"], "nothing to find\n"),
]


@pytest.mark.parametrize(("args", "content"), PYGREP_CASES)
def test_pygrep_says_what_pre_commit_says(tmp_path: Path, args: list[str], content: str) -> None:
    write(tmp_path / "f.txt", content.encode())
    write(tmp_path / "g.txt", b"other\n")
    files = ("f.txt", "g.txt")
    theirs = subprocess.run(
        [sys.executable, "-m", "pre_commit.languages.pygrep", *args, *files],
        cwd=tmp_path,
        capture_output=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    ours = pygrep(files, root=tmp_path, args=args, fix=False)
    assert ours.failed == (theirs.returncode == 1)
    assert ours.output.encode().splitlines() == theirs.stdout.splitlines()


def test_pygrep_arguments_and_unreadable_files(tmp_path: Path) -> None:
    for bad, message in [
        (["--nope", "x"], "unknown argument '--nope'"),
        ([], "give one regular expression"),
        (["a", "b"], "give one regular expression \\(got 2\\)"),
        (["("], "invalid regular expression"),
    ]:
        with pytest.raises(ConfigError, match=message):
            pygrep((), root=tmp_path, args=bad, fix=False)
    outcome = pygrep(("gone.txt",), root=tmp_path, args=["x"], fix=False)
    assert outcome.failed
    assert "gone.txt: cannot read" in outcome.output


def test_fail_lists_its_files() -> None:
    outcome = fail(("a", "b"), root=Path(), args=["no such files"], fix=False)
    assert outcome.failed
    assert outcome.output == "no such files\n\na\nb"
    assert not fail((), root=Path(), args=["m"], fix=False).failed
    with pytest.raises(ConfigError):
        fail((), root=Path(), args=[], fix=False)


def test_regex_patterns_in_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    select = FileFilter(
        include=("regex:(?x) ^src/ .* \\.py$", "*.md"), exclude=("regex:_test",), types=()
    )
    paths = ["src/a.py", "src/a_test.py", "b.py", "README.md", "docs/x.md"]
    assert select.select(paths, tmp_path, TagCache()) == ["src/a.py", "README.md", "docs/x.md"]
    with pytest.raises(ConfigError, match="invalid regular expression '\\('"):
        FileFilter(include=("regex:(",)).validate()
    root = make_project(
        tmp_path / "p",
        {"keep.txt": "x\n", "drop.txt": "x  \n"},
        config='exclude = ["regex:^drop"]\n',
    )
    assert run_cli(["--fast", "--hook", "trailing-whitespace"], root, monkeypatch, capsys).code == 0
    write(root / "pyproject.toml", '[tool.crackjack]\nexclude = ["regex:["]\n')
    bad = run_cli(["--fast"], root, monkeypatch, capsys)
    assert bad.code == 2
    assert "tool.crackjack.exclude: invalid regular expression" in bad.err


def test_at_commit_time_the_staged_file_gives_the_hooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "repo")
    write(root / "a.txt")
    config = root / ".pre-commit-config.yaml"
    write(
        config, "repos: [{repo: local, hooks: [{id: staged, entry: 'true', language: system}]}]\n"
    )
    run_git(root, "add", "-A")
    write(
        config, "repos: [{repo: local, hooks: [{id: edited, entry: 'false', language: system}]}]\n"
    )
    result = run_cli(["--staged", "--fast"], root, monkeypatch, capsys)
    assert result.code == 0, result.out
    assert "staged" in result.out
    assert "edited" not in result.out
    assert "edited" in config.read_text(encoding="utf-8")  # the unstaged edit is given back
