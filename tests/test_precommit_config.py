"""A ``.pre-commit-config.yaml`` read as crackjack's hooks (issue 15 point 2): real projects'
configurations (``tests/data/precommit/``) map without error, to the right hooks, files and
regular expressions, selected as pre-commit itself selects them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from pre_commit.commands.run import filter_by_include_exclude  # type: ignore[import-untyped]

from crackjack.core.config.precommit import read_precommit
from crackjack.core.config.precommit_repos import normal_url, older, version_of
from crackjack.core.errors import ConfigError
from crackjack.core.files.patterns import FileFilter, TagCache
from crackjack.core.runners.command import Command
from crackjack.core.runners.hook import Hook
from crackjack.core.runners.inprocess import InProcess
from crackjack.core.runners.unavailable import Unavailable
from crackjack.hooks.catalogue import BUILTINS

DATA = Path(__file__).parent / "data" / "precommit"
REAL = sorted(path.stem for path in DATA.glob("*.yaml"))


def read(path: Path) -> dict[str, Hook]:
    return dict(read_precommit(path, BUILTINS).catalogue.hooks)


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".pre-commit-config.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def reason(hook: Hook) -> str:
    assert isinstance(hook.runner, Unavailable), hook
    return hook.runner.reason


def command(hook: Hook) -> tuple[str, ...]:
    assert isinstance(hook.runner, Command), hook
    return hook.runner.command


@pytest.mark.parametrize("name", REAL)
def test_each_real_configuration_maps_every_hook_in_order(name: str) -> None:
    import yaml

    path = DATA / f"{name}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    declared = [hook["id"] for repo in raw["repos"] for hook in repo["hooks"]]
    hooks = read(path)
    assert list(hooks) == declared
    assert all(hook.phase == "fast" for hook in hooks.values())
    for hook in hooks.values():
        FileFilter(hook.files, hook.exclude, hook.types, hook.types_or).validate()


def test_pip() -> None:
    config = read_precommit(DATA / "pip.yaml", BUILTINS)
    assert config.catalogue.exclude == ("regex:src/pip/_vendor/",)
    hooks = config.catalogue.hooks
    assert command(hooks["check-builtin-literals"]) == ("check-builtin-literals",)
    assert hooks["check-builtin-literals"].requires == ("pre-commit-hooks==6.0.0",)
    # no --enforce-all: pre-commit-hooks' own check, not crackjack's check-large-files
    assert hooks["check-added-large-files"].requires == ("pre-commit-hooks==6.0.0",)
    assert hooks["check-toml"].runner is BUILTINS.hooks["check-toml"].runner
    assert hooks["check-toml"].requires == ()
    assert hooks["trailing-whitespace"].exclude == ("regex:.patch",)
    assert command(hooks["trailing-whitespace"]) == ("trailing-whitespace-fixer",)
    assert command(hooks["black"]) == ("black",)
    assert hooks["black"].requires == ("black==26.5.1",)
    assert hooks["black"].types_or == ("python", "pyi")
    assert command(hooks["ruff-check"]) == ("ruff", "check", "--force-exclude")
    assert hooks["ruff-check"].args == ("--fix",)
    mypy = hooks["mypy"]
    assert mypy.requires[:2] == ("mypy==2.3.0", "keyring==24.2.0")
    assert len(mypy.requires) == 9
    assert mypy.args == ("--pretty", "--show-error-codes", "--no-warn-unused-ignores")
    assert mypy.exclude == ("regex:tests/data",)
    assert isinstance(hooks["python-no-eval"].runner, InProcess)
    assert hooks["python-no-eval"].args == (r"\beval\(",)
    assert hooks["rst-backticks"].files == (r"regex:.*\.rst$",)
    assert hooks["rst-backticks"].types == ("file",)
    assert hooks["codespell"].exclude == ("regex:AUTHORS.txt|tests/data",)
    assert hooks["codespell"].args == ("--ignore-words", "tools/codespell-ignore.txt")
    assert "zizmor-pre-commit cloned" in reason(hooks["zizmor"])
    news = hooks["news-fragment-filenames"]
    assert isinstance(news.runner, InProcess)
    assert news.files == ("regex:^news/",)
    assert news.args[0].startswith("NEWS fragment files must be named")


def test_flask_frozen_revisions_are_the_tags_their_comment_names() -> None:
    hooks = read(DATA / "flask.yaml")
    assert hooks["ruff-check"].requires == ("ruff==0.15.9",)
    assert hooks["codespell"].requires == ("codespell==2.4.2",)
    assert hooks["codespell"].args == ("--write-changes",)
    assert "uv-pre-commit cloned" in reason(hooks["uv-lock"])
    assert hooks["debug-statements"].requires == ("pre-commit-hooks==6.0.0",)


def test_rich() -> None:
    config = read_precommit(DATA / "rich.yaml", BUILTINS)
    assert config.catalogue.exclude == ("regex:benchmarks/",)
    hooks = config.catalogue.hooks
    assert hooks["check-toml"].runner is BUILTINS.hooks["check-toml"].runner
    assert hooks["check-shebang-scripts-are-executable"].requires == ("pre-commit-hooks==4.4.0",)
    assert hooks["rst-directive-colons"].args == (r"^\s*\.\. [a-z]+(| | :):$",)
    assert hooks["isort"].name == "isort (python)"
    assert hooks["isort"].python == "3.11"
    assert hooks["isort"].args == ("--profile", "black")
    assert hooks["isort"].types_or == ("cython", "pyi", "python")
    assert hooks["black"].exclude == ("regex:^benchmarks/",)
    assert hooks["black"].requires == ("black==23.11.0",)
    assert "pycln cloned" in reason(hooks["pycln"])


def test_black_local_python_hooks_pin_their_additional_dependencies() -> None:
    config = read_precommit(DATA / "black.yaml", BUILTINS)
    assert config.catalogue.exclude == ("regex:^(profiling/|tests/data/)",)
    hooks = config.catalogue.hooks
    check = hooks["check-pre-commit-rev-in-example"]
    assert command(check) == ("python", "-m", "scripts.check_pre_commit_rev_in_example")
    assert check.requires == ("beautifulsoup4>=4.14.2", "commonmark>=0.9.1", "pyyaml>=6.0.1")
    assert check.files == (
        r"regex:(CHANGES|source_version_control|using_black_with_jupyter_notebooks)\.md$",
    )
    assert hooks["isort"].requires == ("isort==8.0.1",)
    assert hooks["isort"].args == ("--filter-files",)
    assert hooks["flake8"].requires == (
        "flake8==7.3.0",
        "flake8-bugbear",
        "flake8-comprehensions",
        "flake8-simplify",
    )
    assert hooks["mypy"].args == ()  # the file's empty args win over the manifest's
    assert "mirrors-prettier cloned" in reason(hooks["prettier"])


def test_attrs() -> None:
    hooks = read(DATA / "attrs.yaml")
    assert hooks["interrogate"].requires == ("interrogate==1.7.0",)
    assert hooks["interrogate"].args == ("tests",)
    assert hooks["validate-pyproject"].requires == (
        "validate-pyproject[all]==0.25",
        "validate-pyproject-schema-store[all]",
    )
    assert hooks["validate-pyproject"].files == ("regex:^pyproject.toml$",)
    assert hooks["codespell"].args == ("--exclude-file=tests/test_mypy.yml", "--skip=*.svg")
    assert hooks["end-of-file-fixer"].exclude == ("regex:docs/_static",)


PATHS = (
    "src/pip/_vendor/six.py",
    "src/pip/_internal/main.py",
    "news/1234.bugfix.rst",
    "news/.gitignore",
    "news/bad-name.txt",
    "NEWS.rst",
    "AUTHORS.txt",
    "tests/data/packages/x.py",
    "tests/test_a.py",
    "docs/conf.py",
    "docs/_static/logo.svg",
    "docs/html/index.rst",
    "profiling/mix.py",
    "benchmarks/bench.py",
    "a/benchmarks/b.py",
    "CHANGES.md",
    "docs/the_basics.md",
    "src/blib2to3/pgen.py",
    "fix.patch",
    "x.patchy",
    ".github/workflows/ci.yml",
    "README.md",
    "WHEEL",
    "src/black/WHEEL.txt",
)


@pytest.mark.parametrize("name", REAL)
def test_regular_expressions_select_what_pre_commit_selects(name: str) -> None:
    """Each hook's files from the paths above, by crackjack's patterns and by pre-commit's own
    ``filter_by_include_exclude`` on the file's regular expressions (types aside)."""
    import yaml

    path = DATA / f"{name}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    config = read_precommit(path, BUILTINS)
    top = FileFilter(config.catalogue.files, config.catalogue.exclude, types=())
    candidates = top.select(PATHS, Path(), TagCache())
    theirs_top = list(
        filter_by_include_exclude(PATHS, raw.get("files", ""), raw.get("exclude", "^$"))
    )
    assert candidates == theirs_top
    raws = [hook for repo in raw["repos"] for hook in repo["hooks"]]
    for item, hook in zip(raws, config.catalogue.hooks.values(), strict=True):
        ours = FileFilter(hook.files, hook.exclude, types=()).select(candidates, Path(), TagCache())
        files, exclude = item.get("files", ""), item.get("exclude", "^$")
        if hook.id in ("check-illegal-windows-names", "validate-pyproject"):
            continue  # their files come from the manifest
        assert ours == list(filter_by_include_exclude(theirs_top, files, exclude)), hook.id


def test_stages_make_phases_and_workflows(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        """
        default_stages: [pre-commit, pre-push]
        repos:
          - repo: local
            hooks:
              - {id: both, name: both, entry: "true", language: system}
              - {id: push, name: push, entry: "true", language: system, stages: [push]}
              - {id: by-hand, name: by-hand, entry: "true", language: system, stages: [manual]}
              - {id: commit, name: commit, entry: "true", language: system, stages: [commit]}
        """,
    )
    catalogue = read_precommit(path, BUILTINS).catalogue
    phases = {hook.id: hook.phase for hook in catalogue.hooks.values()}
    assert phases == {"both": "fast", "push": "pre-push", "by-hand": "manual", "commit": "fast"}
    workflows = {name: w.phases for name, w in catalogue.workflows.items()}
    assert workflows == {
        "fast": ("fast",),
        "standard": ("fast",),
        "pre-push": ("fast", "pre-push"),
        "manual": ("manual",),
    }


def test_hooks_at_every_stage_run_in_every_workflow(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        """
        repos:
          - repo: local
            hooks:
              - {id: always, entry: "true", language: system}
              - {id: push, entry: "true", language: system, stages: [pre-push]}
        """,
    )
    workflows = read_precommit(path, BUILTINS).catalogue.workflows
    assert workflows["pre-push"].phases == ("fast", "pre-push")
    assert set(workflows) == {"fast", "standard", "pre-push"}


def test_local_languages(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        """
        repos:
          - repo: local
            hooks:
              - {id: sys, entry: "tool --flag 'two words'", language: system,
                 pass_filenames: false, always_run: true, files: '\\.py$'}
              - {id: py, entry: pyflakes, language: python,
                 additional_dependencies: [pyflakes==3.2.0], language_version: python3.12}
              - {id: sh, entry: check.sh --strict, language: script}
              - {id: sh2, entry: tools/check.sh, language: script}
              - {id: grep, entry: 'TODO', language: pygrep, args: [-i], exclude_types: [markdown]}
              - {id: js, entry: eslint, language: node}
              - {id: dup, entry: "true", language: system}
              - {id: dup, entry: "false", language: system}
          - repo: meta
            hooks:
              - id: check-useless-excludes
        """,
    )
    hooks = read(path)
    assert command(hooks["sys"]) == ("tool", "--flag", "two words")
    assert isinstance(hooks["sys"].runner, Command)
    assert not hooks["sys"].runner.pass_filenames
    assert hooks["sys"].files == (r"regex:\.py$",)
    assert hooks["sys"].always_run
    assert hooks["sys"].fixer
    assert hooks["py"].requires == ("pyflakes==3.2.0",)
    assert hooks["py"].python == "3.12"
    assert command(hooks["sh"]) == ("./check.sh", "--strict")
    assert command(hooks["sh2"]) == ("tools/check.sh",)
    assert hooks["grep"].args == ("-i", "TODO")
    assert hooks["grep"].exclude_types == ("markdown",)
    assert not hooks["grep"].fixer
    assert "a node hook" in reason(hooks["js"])
    assert command(hooks["dup-2"]) == ("false",)
    assert "meta hook" in reason(hooks["check-useless-excludes"])


def test_known_repository_hooks_by_version(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        """
        repos:
          - repo: https://github.com/astral-sh/ruff-pre-commit.git
            rev: v0.5.0
            hooks:
              - id: ruff
              - id: ruff-check
              - id: no-such-hook
          - repo: https://github.com/psf/black
            rev: main
            hooks:
              - id: black
          - repo: https://github.com/psf/black-pre-commit-mirror
            rev: 24.1.0
            hooks:
              - id: black-jupyter
                additional_dependencies: [tokenize-rt]
          - repo: https://github.com/pre-commit/pre-commit-hooks
            rev: v5.0.0
            hooks:
              - id: check-added-large-files
                args: [--maxkb=100, --enforce-all]
              - id: check-toml
                args: [--unexpected]
              - id: check-added-large-files
                args: [--enforce-all, --not-a-builtin-arg]
              - id: check-illegal-windows-names
              - id: trailing-whitespace
                args: [--markdown-linebreak-ext=md]
          - repo: https://github.com/pre-commit/pygrep-hooks
            rev: v1.9.0
            hooks:
              - id: rst-directive-colons
        """,
    )
    hooks = read(path)
    assert hooks["ruff"].requires == ("ruff==0.5.0",)
    assert hooks["ruff"].types_or == ("python", "pyi")
    assert "since 0.11.10, not at 0.5.0" in reason(hooks["ruff-check"])
    assert "no hook 'no-such-hook'" in reason(hooks["no-such-hook"])
    assert "rev 'main'" in reason(hooks["black"])
    assert hooks["black-jupyter"].requires == ("black[jupyter]==24.1.0", "tokenize-rt")
    large = hooks["check-added-large-files"]
    assert large.runner is BUILTINS.hooks["check-large-files"].runner
    assert large.args == ("--maxkb=100", "--enforce-all")
    assert hooks["check-toml"].requires == ("pre-commit-hooks==5.0.0",)
    assert hooks["check-added-large-files-2"].requires == ("pre-commit-hooks==5.0.0",)
    windows = hooks["check-illegal-windows-names"]
    assert isinstance(windows.runner, InProcess)
    assert windows.args == ("Illegal Windows filenames detected",)
    assert windows.files[0].startswith("regex:(?i)((^|/)(CON|PRN")
    assert hooks["trailing-whitespace"].requires == ("pre-commit-hooks==5.0.0",)
    assert hooks["rst-directive-colons"].args == (r"^\s*\.\. [a-z]+:$",)


def test_a_hook_that_runs_crackjack_makes_the_file_a_wrapper(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        """
        repos:
          - repo: local
            hooks:
              - {id: mine, entry: .venv/bin/crackjack --fast, language: system}
              - {id: other, entry: python -m crackjack, language: system}
          - repo: https://example.org/someone/crackjack
            rev: v1
            hooks:
              - id: crackjack-fast
        """,
    )
    config = read_precommit(path, BUILTINS)
    assert config.wraps_crackjack
    assert {reason(hook) for hook in config.catalogue.hooks.values()} == {
        "it runs crackjack itself"
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("repos: [\n", "invalid YAML"),
        ("- a\n", "not a pre-commit configuration"),
        ("repos: [1]\n", "repos[0]: expected a table with repo and hooks"),
        ("repos: [{repo: local}]\n", "repos[0].hooks: expected a list"),
        ("repos: [{repo: local, hooks: [x]}]\n", "hooks[0]: expected a table"),
        ("repos: [{repo: local, hooks: [{id: a}]}]\n", "(a): entry is required"),
        (
            "repos: [{repo: local, hooks: [{id: a, entry: x, language: system, args: 3}]}]\n",
            "(a).args: expected a list of strings",
        ),
        (
            "repos: [{repo: local, hooks: [{id: a, entry: x, language: system, name: 3}]}]\n",
            "(a).name: expected a string",
        ),
        (
            "repos: [{repo: local, hooks: [{id: a, entry: x, language: system,"
            " pass_filenames: 1}]}]\n",
            "(a).pass_filenames: expected true or false",
        ),
        (
            "repos: [{repo: local, hooks: [{id: a, entry: x, language: system,"
            " stages: [later]}]}]\n",
            "(a).stages: unknown stage 'later'",
        ),
        (
            "repos: [{repo: local, hooks: [{id: a, entry: '', language: system}]}]\n",
            "(a).entry: must not be empty",
        ),
        (
            'repos: [{repo: local, hooks: [{id: a, entry: "\'x", language: system}]}]\n',
            "(a).entry: No closing quotation",
        ),
        ("default_stages: pre-commit\nrepos: []\n", "default_stages: expected a list"),
        ("exclude: 3\nrepos: []\n", "exclude: expected a regular expression"),
        ("fail_fast: 1\nrepos: []\n", "fail_fast: expected true or false"),
    ],
)
def test_mistakes_are_one_line_naming_where(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_precommit(path, BUILTINS)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_an_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="cannot read"):
        read_precommit(path, BUILTINS)


def test_repository_urls_and_revisions() -> None:
    assert normal_url("git@github.com:PyCQA/isort.git") == "github.com/pycqa/isort"
    assert normal_url("https://github.com/psf/black/") == "github.com/psf/black"
    assert normal_url("ssh://git@gitlab.com/pycqa/flake8") == "gitlab.com/pycqa/flake8"
    assert version_of("v0.15.6") == "0.15.6"
    assert version_of("24.1.0") == "24.1.0"
    assert version_of("v1.0.0rc1") == "1.0.0rc1"
    assert version_of("c60c980e561ed3e73101667fe8365c609d19a438") is None
    assert older("0.11.9", "0.11.10")
    assert not older("0.11.10", "0.11.10")
    assert older("1.0.0rc1", "1.0.1")


def test_a_hook_that_cannot_run_takes_no_runner_settings() -> None:
    runner = Unavailable("needs a clone")
    hook = Hook(id="x", phase="fast", runner=runner, fixer=True)
    assert runner.configured({}) is runner
    with pytest.raises(ConfigError, match="command: this hook cannot run here"):
        runner.configured({"command": ("x",)})
    variant, scratch = runner.check_only(hook)
    assert not variant.fixer
    assert not scratch
    assert runner.program(hook) is None


def test_an_entry_that_cannot_be_split_is_no_crackjack_wrapper(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        """
        repos:
          - repo: local
            hooks:
              - {id: a, entry: "'unclosed", language: pygrep}
        """,
    )
    config = read_precommit(path, BUILTINS)
    assert not config.wraps_crackjack
    assert config.catalogue.hooks["a"].args == ("'unclosed",)


def test_migrating_names_a_hook_by_the_built_in_it_runs_as(tmp_path: Path) -> None:
    from crackjack.core.config.migration import migrate

    path = write_config(
        tmp_path,
        """
        repos:
          - repo: https://github.com/pre-commit/pre-commit-hooks
            rev: v6.0.0
            hooks:
              - {id: check-added-large-files, args: [--enforce-all], name: "big files"}
          - repo: local
            hooks:
              - {id: quote, entry: "it's", language: pygrep}
        """,
    )
    migration = migrate(read_precommit(path, BUILTINS), BUILTINS, None)
    assert migration.notes == [
        "hook check-added-large-files is crackjack's built-in check-large-files: named so"
    ]
    assert "[tool.crackjack.hooks.check-large-files]\nname = 'big files'" in migration.text
    assert 'args = ["it\'s"]' in migration.text
