"""The well-known pre-commit repositories run from PyPI at the version their ``rev`` names
(issue 15 point 4): each at a pinned version that is not crackjack's own, in a pinned
environment, catching a known violation. One project and one run for all of them, so the
environments build side by side; they are kept in pytest's cache (with uv's downloads) and
reused by later runs."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import pytest

from tests.gitrepo import make_repo, run_git, write
from tests.project import run_cli

pytestmark = pytest.mark.slow

CONFIG = """\
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.15.16
    hooks:
      - {id: ruff-check, files: ^ruff/}
      - {id: ruff-format, files: ^ruff/}
  - repo: https://github.com/pre-commit/mirrors-mypy
    rev: v1.13.0
    hooks:
      - {id: mypy, files: ^mypy/, additional_dependencies: [attrs==24.2.0]}
  - repo: https://github.com/psf/black
    rev: 24.8.0
    hooks:
      - {id: black, files: ^black/a}
  - repo: https://github.com/psf/black-pre-commit-mirror
    rev: 24.8.0
    hooks:
      - {id: black, files: ^black/b}
  - repo: https://github.com/PyCQA/isort
    rev: 5.13.2
    hooks:
      - {id: isort, files: ^isort/}
  - repo: https://github.com/PyCQA/flake8
    rev: 7.1.1
    hooks:
      - {id: flake8, files: ^flake8/}
  - repo: https://github.com/codespell-project/codespell
    rev: v2.3.0
    hooks:
      - {id: codespell, files: ^codespell/}
  - repo: https://github.com/asottile/pyupgrade
    rev: v3.17.0
    hooks:
      - {id: pyupgrade, files: ^pyupgrade/}
  - repo: https://github.com/PyCQA/bandit
    rev: 1.7.10
    hooks:
      - {id: bandit, files: ^bandit/}
  - repo: https://github.com/econchick/interrogate
    rev: 1.7.0
    hooks:
      - {id: interrogate, files: ^interrogate/}
  - repo: https://github.com/abravalheri/validate-pyproject
    rev: v0.25
    hooks:
      - {id: validate-pyproject}
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v4.6.0
    hooks:
      - {id: trailing-whitespace, files: ^hooks/}
      - {id: end-of-file-fixer, files: ^hooks/}
      - {id: check-yaml, files: ^hooks/}
      - {id: debug-statements, files: ^hooks/}
      - {id: check-toml, files: ^hooks/}
  - repo: https://github.com/pre-commit/pygrep-hooks
    rev: v1.10.0
    hooks:
      - {id: python-no-eval, files: ^hooks/}
"""
VIOLATIONS = {
    "ruff/a.py": "import os\nx=1\n",
    "mypy/a.py": textwrap.dedent(
        """\
        import attrs


        @attrs.define
        class A:
            x: int


        A(x="not a number")
        """
    ),
    "black/a.py": "x=1\n",
    "black/b.py": "y=2\n",
    "isort/a.py": "import sys\nimport os\n",
    "flake8/a.py": "import os\n",
    "codespell/a.txt": "teh end\n",
    "pyupgrade/a.py": "s = set([1, 2])\n",
    "bandit/a.py": "import subprocess\nsubprocess.call('ls', shell=True)\n",
    "interrogate/a.py": "def f():\n    pass\n",
    "pyproject.toml": '[project]\nname = "demo"\nversion = 1\n',
    "hooks/space.txt": "trailing   \n",
    "hooks/eof.txt": "no newline",
    "hooks/bad.yaml": "a: [\n",
    "hooks/debug.py": "import pdb\n",
    "hooks/bad.toml": "a = \n",
    "hooks/evil.py": "eval('1')\n",
}
FIXED = {
    "ruff/a.py": "import os\n\nx = 1\n",
    "black/a.py": "x = 1\n",
    "black/b.py": "y = 2\n",
    "isort/a.py": "import os\nimport sys\n",
    "pyupgrade/a.py": "s = {1, 2}\n",
    "hooks/space.txt": "trailing\n",
    "hooks/eof.txt": "no newline\n",
}


@pytest.fixture
def shared_home(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Environments (and uv's downloads) kept in pytest's cache, with uv on ``PATH``."""
    cache = request.config.cache
    assert cache is not None
    home = cache.mkdir("precommit-tools")
    monkeypatch.setenv("CRACKJACK_HOME", str(home))
    monkeypatch.setenv("UV_CACHE_DIR", str(home / "uv-cache"))
    path = os.environ.get("PATH", os.defpath)
    monkeypatch.setenv("PATH", f"{os.path.dirname(sys.executable)}:{path}")
    return home


def test_each_known_repository_catches_its_violation(
    tmp_path: Path,
    shared_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_repo(tmp_path / "repo")
    for name, content in VIOLATIONS.items():
        write(root / name, content)
    write(root / ".pre-commit-config.yaml", CONFIG)
    run_git(root, "add", "-A")
    report = tmp_path / "report.json"
    argv = ["--fast", "-j", "2", "--report", str(report)]
    result = run_cli(argv, root, monkeypatch, capsys, hooks_show_tracebacks=True)
    assert result.code == 1
    hooks = {hook["hook"]: hook for hook in json.loads(report.read_text())["phases"][0]["hooks"]}
    assert len(hooks) == 18
    caught = {hook_id: hook["status"] for hook_id, hook in hooks.items()}
    assert set(caught.values()) <= {"failed", "fixed"}, caught
    for name, content in FIXED.items():
        assert (root / name).read_text(encoding="utf-8") == content, name
    assert 'Argument "x" to "A" has incompatible type "str"' in hooks["mypy"]["output"]
    assert "F401" in hooks["flake8"]["output"]
    assert "teh ==> the" in hooks["codespell"]["output"]
    assert "B602" in hooks["bandit"]["output"]
    assert "F401" in hooks["ruff-check"]["output"]
    assert "hooks/debug.py:1:0: pdb imported" in hooks["debug-statements"]["output"]
    assert "actual: 0.0%" in hooks["interrogate"]["output"]
    assert "`project.version` must be string" in hooks["validate-pyproject"]["output"]
    assert hooks["validate-pyproject"]["files"] == 1
    listed = run_cli(["hooks"], root, monkeypatch, capsys).out
    pins = ("ruff==0.15.16", "mypy==1.13.0", "bandit==1.7.10", "pre-commit-hooks==4.6.0")
    for pin in (*pins, "interrogate==1.7.0", "validate-pyproject[all]==0.25"):
        assert pin in listed


def test_a_version_that_does_not_exist_is_missing_naming_it(
    tmp_path: Path,
    shared_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_repo(tmp_path / "repo")
    write(root / "a.py", "x = 1\n")
    write(
        root / ".pre-commit-config.yaml",
        "repos:\n  - repo: https://github.com/PyCQA/flake8\n    rev: 0.0.0\n"
        "    hooks: [{id: flake8}]\n",
    )
    result = run_cli(["--fast"], root, monkeypatch, capsys)
    assert result.code == 1
    assert "missing" in result.out
    assert "flake8==0.0.0" in result.out
