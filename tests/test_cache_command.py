"""``crackjack cache`` and ``crackjack cache clear`` in real repositories, on cache folders made
by hand with files of known sizes."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from crackjack.cli import cachecommand
from tests.gitrepo import commit_all, make_repo, run_git, write
from tests.project import CliResult, make_project, run_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A committed project in a git repository."""
    root = make_project(make_repo(tmp_path / "repo"), {"a.py": "x = 1\n"})
    commit_all(root)
    return root


def git_cache(repo: Path) -> Path:
    return repo / ".git" / "crackjack" / "cache"


def fill(folder: Path) -> Path:
    """2048 bytes in three files, two folders deep."""
    write(folder / "ab" / "entry-1", b"x" * 1024)
    write(folder / "ab" / "entry-2", b"y" * 512)
    write(folder / "cd" / "ef" / "entry-3", b"z" * 512)
    return folder


class Cache:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
        self.monkeypatch = monkeypatch
        self.capsys = capsys

    def __call__(self, cwd: Path, *args: str) -> CliResult:
        return run_cli(["cache", *args], cwd, self.monkeypatch, self.capsys)


ENVS_HOME = "crackjack-home"
"""``$CRACKJACK_HOME`` of every test here, under its ``tmp_path``."""


@pytest.fixture
def cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cache:
    monkeypatch.setenv("CRACKJACK_HOME", str(tmp_path / ENVS_HOME))
    return Cache(monkeypatch, capsys)


def said(folder: Path, size: str, limit: int = 200, envs: str = "none yet") -> list[str]:
    return [
        f"result cache: {folder}",
        f"size: {size} (at most {limit} MB: cache-max-mb)",
        f"tool environments: {os.environ['CRACKJACK_HOME']}/envs ({envs})",
    ]


def built_env(name: str) -> Path:
    """A built environment as ``core/toolenv`` leaves one: a folder, and its key linked to it
    (1024 bytes in all)."""
    envs = Path(os.environ["CRACKJACK_HOME"]) / "envs"
    write(envs / f"{name}.build" / "bin" / "tool", b"t" * 1024)
    (envs / name).symlink_to(f"{name}.build")
    return envs


def test_the_tool_environments_are_shown_and_cleared_with_envs(project: Path, cache: Cache) -> None:
    envs = built_env("0123abcd")
    assert cache(project).out.splitlines() == said(
        git_cache(project), "no cache yet", envs="1 environment, 1.0 KB"
    )
    kept = cache(project, "clear")
    assert kept.out.splitlines()[-1].startswith("nothing to clear: no result cache yet")
    assert (envs / "0123abcd").exists()
    cleared = cache(project, "clear", "--envs")
    assert cleared.code == 0
    assert cleared.out.splitlines()[-1] == f"removed 1 environment (1.0 KB) from {envs}"
    assert list(envs.iterdir()) in ([], [envs / ".locks"])
    again = cache(project, "clear", "--envs")
    assert again.out.splitlines()[-1] == "nothing to clear: no tool environments"


def test_envs_are_cleared_outside_a_repository_too(tmp_path: Path, cache: Cache) -> None:
    envs = built_env("0123abcd")
    outside = tmp_path / "plain"
    outside.mkdir()
    cleared = cache(outside, "clear", "--envs")
    assert (cleared.code, cleared.err) == (0, "")
    assert cleared.out.splitlines() == [f"removed 1 environment (1.0 KB) from {envs}"]


def test_the_cache_in_the_git_directory_and_its_size(project: Path, cache: Cache) -> None:
    fill(git_cache(project))
    shown = cache(project)
    assert (shown.code, shown.err) == (0, "")
    assert shown.out.splitlines() == said(git_cache(project), "2.0 KB")


def test_no_cache_yet_then_an_empty_one(project: Path, cache: Cache) -> None:
    assert cache(project).out.splitlines() == said(git_cache(project), "no cache yet")
    git_cache(project).mkdir(parents=True)
    assert cache(project).out.splitlines() == said(git_cache(project), "empty")


def test_clear_empties_it_and_says_what_it_removed(project: Path, cache: Cache) -> None:
    fill(git_cache(project))
    cleared = cache(project, "clear")
    assert (cleared.code, cleared.err) == (0, "")
    assert cleared.out.splitlines() == [
        f"cleared the result cache: removed 2.0 KB from {git_cache(project)}"
    ]
    assert not git_cache(project).exists()
    assert (project / ".git" / "crackjack").is_dir(), "crackjack's other files stay"
    assert (project / "a.py").read_text() == "x = 1\n"
    assert cache(project).out.splitlines() == said(git_cache(project), "no cache yet")
    again = cache(project, "clear")
    assert again.code == 0
    assert again.out.splitlines() == [
        f"nothing to clear: no result cache yet in {git_cache(project)}"
    ]


def test_every_worktree_of_a_clone_shares_the_cache(
    project: Path, tmp_path: Path, cache: Cache
) -> None:
    linked = tmp_path / "linked"
    run_git(project, "worktree", "add", "-q", str(linked), "-b", "other")
    fill(git_cache(project))
    assert cache(linked).out.splitlines() == said(git_cache(project), "2.0 KB")
    assert cache(linked, "clear").code == 0
    assert not git_cache(project).exists()


def test_from_a_subfolder_it_is_the_same_cache(project: Path, cache: Cache) -> None:
    fill(git_cache(project))
    sub = write(project / "src" / "b.py").parent
    assert cache(sub).out.splitlines() == said(git_cache(project), "2.0 KB")


def test_a_relative_cache_dir_variable_is_relative_to_the_project_root(
    project: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRACKJACK_CACHE_DIR", ".cj-cache")
    fill(project / ".cj-cache")
    sub = write(project / "src" / "b.py").parent
    assert cache(sub).out.splitlines() == said(project / ".cj-cache", "2.0 KB")
    assert cache(sub, "clear").code == 0
    assert not (project / ".cj-cache").exists()
    assert (project / "src" / "b.py").exists()


def test_an_absolute_cache_dir_variable_is_taken_as_it_is(
    project: Path, tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = fill(tmp_path / "ci-cache" / "crackjack")
    monkeypatch.setenv("CRACKJACK_CACHE_DIR", str(elsewhere))
    assert cache(project).out.splitlines() == said(elsewhere, "2.0 KB")
    assert cache(project, "clear").code == 0
    assert not elsewhere.exists()
    assert (tmp_path / "ci-cache").is_dir()


def test_cache_dir_and_cache_max_mb_in_pyproject_the_variable_wins(
    tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = 'cache-dir = "build/cj"\ncache-max-mb = 50\n'
    root = make_project(make_repo(tmp_path / "repo"), {"a.py": "x = 1\n"}, config=config)
    fill(root / "build" / "cj")
    assert cache(root).out.splitlines() == said(root / "build" / "cj", "2.0 KB", limit=50)
    monkeypatch.setenv("CRACKJACK_CACHE_DIR", "other")
    monkeypatch.setenv("CRACKJACK_CACHE_MAX_MB", "7")
    assert cache(root).out.splitlines() == said(root / "other", "no cache yet", limit=7)


def test_outside_a_repository_with_no_cache_dir_there_is_no_cache(
    plain: Path, cache: Cache
) -> None:
    for args in ((), ("clear",)):
        refused = cache(plain, *args)
        assert refused.code == 2
        assert refused.out == ""
        assert refused.err.splitlines() == [
            f"crackjack: no result cache: {plain} is not in a git work tree and no cache"
            " folder is set (CRACKJACK_CACHE_DIR or [tool.crackjack] cache-dir)"
        ]


def test_inside_the_git_directory_there_is_no_work_tree_and_no_cache(
    project: Path, cache: Cache
) -> None:
    refused = cache(project / ".git")
    assert refused.code == 2
    assert "is not in a git work tree and no cache folder is set" in refused.err


def test_outside_a_repository_a_cache_dir_names_the_cache(
    plain: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRACKJACK_CACHE_DIR", "cj")
    fill(plain / "cj")
    assert cache(plain).out.splitlines() == said(plain / "cj", "2.0 KB")
    assert cache(plain, "clear").code == 0
    assert not (plain / "cj").exists()


@pytest.mark.parametrize(
    ("config", "env", "error"),
    [
        ('cache-max-mb = "big"\n', {}, "tool.crackjack.cache-max-mb: expected a whole number"),
        ("cache-dir = 3\n", {}, "tool.crackjack.cache-dir: expected a string"),
        ("", {"CRACKJACK_CACHE_MAX_MB": "0"}, "CRACKJACK_CACHE_MAX_MB: "),
        ("cache-size = 3\n", {}, "tool.crackjack.cache-size: unknown key"),
    ],
)
def test_bad_settings_are_the_usual_configuration_error(
    config: str,
    env: dict[str, str],
    error: str,
    tmp_path: Path,
    cache: Cache,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = make_project(make_repo(tmp_path / "repo"), config=config)
    fill(git_cache(root))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for args in ((), ("clear",)):
        refused = cache(root, *args)
        assert refused.code == 2
        assert len(refused.err.splitlines()) == 1
        assert error in refused.err
    assert git_cache(root).exists()


@pytest.mark.parametrize("cache_dir", [".", "..", "~"])
def test_a_cache_dir_holding_the_project_or_home_is_never_cleared(
    cache_dir: str, tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    root = make_project(make_repo(tmp_path / "repo"), {"a.py": "x = 1\n"})
    monkeypatch.setenv("CRACKJACK_CACHE_DIR", cache_dir)
    refused = cache(root, "clear")
    assert refused.code == 2
    assert refused.out == ""
    [line] = refused.err.splitlines()
    assert "not cleared; set cache-dir to a folder of its own" in line
    assert (root / "a.py").read_text() == "x = 1\n"
    assert (root / ".git").is_dir()


def test_a_cache_dir_symlinked_to_the_project_loses_only_the_link(
    project: Path, tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = tmp_path / "link"
    link.symlink_to(project)
    monkeypatch.setenv("CRACKJACK_CACHE_DIR", str(link))
    assert cache(project, "clear").code == 0
    assert not link.is_symlink()
    assert (project / "a.py").read_text() == "x = 1\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root removes files from read-only folders")
def test_a_cache_that_cannot_be_removed_is_one_line_and_exit_2(project: Path, cache: Cache) -> None:
    locked = fill(git_cache(project)) / "ab"
    locked.chmod(0o500)
    try:
        refused = cache(project, "clear")
    finally:
        locked.chmod(0o700)
    assert refused.code == 2
    [line] = refused.err.splitlines()
    assert line.startswith("crackjack: cannot clear the result cache: ")
    assert line.endswith(": Permission denied")


def test_a_folder_the_system_will_not_remove_is_one_line_and_exit_2(
    project: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mount point in the cache folder (EBUSY), which a test cannot make: ``clear`` fails as
    ``shutil.rmtree`` would."""
    folder = fill(git_cache(project))

    def busy(path: Path) -> None:
        raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(path / "ab"))

    monkeypatch.setattr(cachecommand, "clear", busy)
    refused = cache(project, "clear")
    assert refused.code == 2
    assert refused.err.splitlines() == [
        f"crackjack: cannot clear the result cache: {folder / 'ab'}: {os.strerror(errno.EBUSY)}"
    ]


def test_an_unknown_action_is_a_usage_error(project: Path, cache: Cache) -> None:
    fill(git_cache(project))
    refused = cache(project, "purge")
    assert refused.code == 2
    assert "purge" in refused.err
    assert git_cache(project).exists()


def test_help_lists_the_cache_command(project: Path, cache: Cache) -> None:
    listed = run_cli(["--help"], project, cache.monkeypatch, cache.capsys)
    assert any(line.split()[:1] == ["cache"] for line in listed.out.splitlines())
    helped = cache(project, "--help")
    assert helped.code == 0
    assert "crackjack cache [OPTIONS] [clear]" in helped.out
