"""``crackjack migrate`` (issue 15 point 3): the YAML's hooks appended to pyproject.toml, which
then runs the same hooks on the same files to the same verdicts; nothing of the file is lost."""

from __future__ import annotations

import json
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from crackjack.core.config.regexglob import globs_for
from tests.gitrepo import make_repo, run_git, write
from tests.project import run_cli

RECORD = """\
import json, os, sys
with open(os.path.join(os.environ["RECORD_DIR"], sys.argv[1]), "a") as out:
    out.write(json.dumps(sys.argv[2:]) + "\\n")
"""


def config_text(record: Path) -> str:
    entry = f"{sys.executable} {record}"
    return textwrap.dedent(
        f"""\
        exclude: ^vendor/
        fail_fast: false
        repos:
          - repo: local
            hooks:
              - id: py
                name: py
                entry: {entry} py
                language: system
                types: [python]
                exclude: ^docs/
              - id: odd
                name: odd
                entry: {entry} odd
                language: system
                files: (^|/)test_[a-z]+\\.py$
              - id: push
                name: push
                entry: {entry} push
                language: system
                stages: [pre-push]
                pass_filenames: false
              - id: no-todo
                name: no-todo
                entry: TODO
                language: pygrep
                args: [--ignore-case]
          - repo: https://github.com/pre-commit/pre-commit-hooks
            rev: v6.0.0
            hooks:
              - id: check-toml
          - repo: https://github.com/example/unknown
            rev: v1
            hooks:
              - id: elsewhere
        """
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    files = {
        "a.py": "x = 1\n",
        "tests/test_a.py": "y = 2\n",
        "tests/test_2.py": "z = 3\n",
        "docs/conf.py": "c = 1  # todo\n",
        "vendor/v.py": "v = 1\n",
        "bad.toml": "a = \n",
        "notes.txt": "nothing\n",
    }
    for name, content in files.items():
        write(root / name, content)
    (tmp_path / "record.py").write_text(RECORD, encoding="utf-8")
    write(root / ".pre-commit-config.yaml", config_text(tmp_path / "record.py"))
    write(root / "pyproject.toml", '[project]\nname = "demo"  # keep me\n')
    run_git(root, "add", "-A")
    return root


def outcome(
    root: Path,
    tmp_path: Path,
    name: str,
    args: list[str],
    cli: tuple[pytest.MonkeyPatch, pytest.CaptureFixture[str]],
) -> tuple[int, dict[str, tuple[str, int]], dict[str, list[str]]]:
    """Exit code, each hook's status and file count, and the files each recording hook got."""
    monkeypatch, capsys = cli
    records = tmp_path / f"records-{name}"
    records.mkdir()
    monkeypatch.setenv("RECORD_DIR", str(records))
    report = tmp_path / f"{name}.json"
    result = run_cli([*args, "--report", str(report)], root, monkeypatch, capsys)
    data = json.loads(report.read_text(encoding="utf-8"))
    hooks = {
        hook["name"]: (hook["status"], hook["files"])
        for phase in data["phases"]
        for hook in phase["hooks"]
    }
    got = {
        path.name: sorted(n for line in path.read_text().splitlines() for n in json.loads(line))
        for path in records.iterdir()
    }
    return result.code, hooks, got


def test_the_migrated_settings_run_what_the_yaml_runs(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli = (monkeypatch, capsys)
    before = {
        workflow: outcome(project, tmp_path, f"yaml-{workflow}", ["--workflow", workflow], cli)
        for workflow in ("fast", "pre-push")
    }
    original = (project / "pyproject.toml").read_bytes()
    result = run_cli(["migrate"], project, monkeypatch, capsys)
    assert result.code == 0, result.err
    assert "wrote 5 of the 6 hooks of .pre-commit-config.yaml" in result.out
    assert "hook elsewhere: not carried over: needs the repository" in result.out
    written = (project / "pyproject.toml").read_bytes()
    assert written.startswith(original)
    table = tomllib.loads(written.decode())["tool"]["crackjack"]
    assert table["exclude"] == ["vendor/"]  # an exact glob
    assert table["hooks"]["py"]["exclude"] == ["docs/"]
    assert table["hooks"]["odd"]["files"] == ["regex:(^|/)test_[a-z]+\\.py$"]  # no glob form
    assert table["hooks"]["no-todo"]["runner"] == "pygrep"
    assert table["hooks"]["mypy"] == {"enabled": False}
    assert table["workflows"]["pre-push"] == {"phases": ["fast", "pre-push"]}
    after = {
        workflow: outcome(project, tmp_path, f"toml-{workflow}", ["--workflow", workflow], cli)
        for workflow in ("fast", "pre-push")
    }
    for workflow in ("fast", "pre-push"):
        code, hooks, got = before[workflow]
        code_after, hooks_after, got_after = after[workflow]
        assert code_after == code == 1
        assert got_after == got
        assert hooks.pop("elsewhere")[0] == "missing"  # the one hook not carried over
        assert hooks_after == hooks
    assert before["fast"][1]["no-todo"] == ("failed", 8)
    assert before["fast"][1]["check-toml"] == ("failed", 2)
    assert before["fast"][2]["odd"] == ["tests/test_a.py"]


def test_migrate_refuses_a_project_with_hooks_and_changes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text("[tool.crackjack.hooks.mypy]\nenabled = false\n", encoding="utf-8")
    before = pyproject.read_bytes()
    result = run_cli(["migrate"], project, monkeypatch, capsys)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "[tool.crackjack] defines hooks already" in result.err
    assert pyproject.read_bytes() == before


def test_migrate_into_an_existing_table_says_what_to_add_by_hand(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = project / "pyproject.toml"
    original = (
        b'[tool.crackjack]\njobs = 2\n\n[tool.crackjack.workflows.pre-push]\nphases = ["fast"]\n'
    )
    pyproject.write_bytes(original)
    result = run_cli(["migrate"], project, monkeypatch, capsys)
    assert result.code == 0, result.err
    assert "exclude: add `exclude = ['vendor/']` to [tool.crackjack] yourself" in result.out
    assert "workflow pre-push: the project has one already" in result.out
    written = pyproject.read_bytes()
    assert written.startswith(original)
    table = tomllib.loads(written.decode())["tool"]["crackjack"]
    assert table["jobs"] == 2
    assert "py" in table["hooks"]


def test_migrate_without_a_pyproject_or_a_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "repo")
    nothing = run_cli(["migrate"], root, monkeypatch, capsys)
    assert nothing.code == 2
    assert "nothing to migrate" in nothing.err
    write(
        root / "ci.yaml",
        "files: ^src/\nrepos: [{repo: local, hooks: [{id: t, entry: 'true', language: system}]}]\n",
    )
    result = run_cli(["migrate", "--config", "ci.yaml"], root, monkeypatch, capsys)
    assert result.code == 0, result.err
    assert "files: '^src/' (the file's top-level files) not carried over" in result.out
    table = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["crackjack"]
    assert table["hooks"]["t"]["command"] == ["true"]


def test_migrate_leaves_a_file_that_is_not_toml_alone(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_bytes(b"[project\n")
    result = run_cli(["migrate"], project, monkeypatch, capsys)
    assert result.code == 2
    assert "not valid TOML, so nothing is added to it" in result.err
    assert pyproject.read_bytes() == b"[project\n"


@pytest.mark.parametrize(
    ("regex", "globs"),
    [
        (r"^setup\.py$", ("/setup.py",)),
        (r"^docs/conf\.py$", ("/docs/conf.py",)),
        ("^docs/", ("docs/",)),
        (r"\.py$", ("*.py",)),
        (r"_pb2\.py$", ("*_pb2.py",)),
        ("^(profiling/|tests/data/)", ("profiling/", "tests/data/")),
        (r"\.(md|rst)$", ("*.md", "*.rst")),
        ("^a/|^b/", ("a/", "b/")),
        ("docs/", None),  # anywhere in the path
        ("^docs", None),  # also docsy.py
        (r"\.py", None),
        ("^docs/$", None),
        (r"(^|/)tests/.+\.py$", None),
        ("(?x)^(a|b)$", None),
        ("[ab]/", None),
        ("", None),
        ("^/", None),
        ("x/y$", None),
        (r"\d", None),
    ],
)
def test_exact_globs_of_regexes(regex: str, globs: tuple[str, ...] | None) -> None:
    assert globs_for(regex) == globs


APPEND = """\
import sys
with open(sys.argv[2], "a") as out:
    out.write(sys.argv[1] + "\\n")
"""


def test_the_migrated_fixers_run_in_the_yamls_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hook named as a built-in (``ruff-format``) after a hook of the project's own
    (``isort``, say) still runs after it once migrated: fixers' order decides what they leave."""
    root = make_repo(tmp_path / "repo")
    (tmp_path / "append.py").write_text(APPEND, encoding="utf-8")
    entry = f"{sys.executable} {tmp_path / 'append.py'}"
    hooks = "".join(
        f"      - {{id: {hook_id}, name: {hook_id}, entry: {entry} {hook_id},"
        " language: system, files: ^log\\.txt$}\n"
        for hook_id in ("sorter", "ruff-format", "trailing-whitespace")
    )
    write(root / ".pre-commit-config.yaml", f"repos:\n  - repo: local\n    hooks:\n{hooks}")
    write(root / "pyproject.toml", '[project]\nname = "demo"\n')
    write(root / "log.txt", "")
    run_git(root, "add", "-A")
    logs = []
    for args in (["--fast"], ["migrate"], ["--fast"]):
        run_cli(args, root, monkeypatch, capsys)
        logs.append((root / "log.txt").read_text(encoding="utf-8"))
        write(root / "log.txt", "")
    assert logs[0] == logs[2] == "sorter\nruff-format\ntrailing-whitespace\n"
