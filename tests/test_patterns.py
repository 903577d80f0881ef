from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from crackjack.core.errors import ConfigError
from crackjack.core.files.patterns import FileFilter, TagCache, validate_tags
from crackjack.core.git import commands as git
from tests.gitrepo import commit_all, make_repo, write

GLOB_TABLE = [
    ("*.py", "a.py", True),
    ("*.py", "src/a/b.py", True),
    ("*.py", "a.pyc", False),
    ("*.py", "a.py/readme.md", False),
    ("setup.py", "setup.py", True),
    ("setup.py", "sub/setup.py", True),
    ("/setup.py", "setup.py", True),
    ("/setup.py", "sub/setup.py", False),
    ("src/*.py", "src/a.py", True),
    ("src/*.py", "src/a/b.py", False),
    ("src/*.py", "lib/src/a.py", False),
    ("/src/*.py", "src/a.py", True),
    ("docs/", "docs/index.md", True),
    ("docs/", "docs/api/deep/page.md", True),
    ("docs/", "docs", False),
    ("docs/", "sub/docs/index.md", False),
    ("docs/", "docsite/index.md", False),
    ("src/**/test_*.py", "src/test_a.py", True),
    ("src/**/test_*.py", "src/x/y/test_a.py", True),
    ("src/**/test_*.py", "other/src/test_a.py", False),
    ("**/conftest.py", "conftest.py", True),
    ("**/conftest.py", "a/b/conftest.py", True),
    ("a/**", "a/b", True),
    ("a/**", "a/b/c", True),
    ("a/**", "ab/c", False),
    ("a/**/", "a/b", True),
    ("**", "any/thing/at/all", True),
    ("a**b", "axxb", True),
    ("a**b", "a/b", False),
    ("?.py", "a.py", True),
    ("?.py", "ab.py", False),
    ("a?b", "a/b", False),
    ("[abc].py", "b.py", True),
    ("[abc].py", "d.py", False),
    ("[a-c].py", "b.py", True),
    ("[!a-c].py", "d.py", True),
    ("[!a-c].py", "b.py", False),
    ("[^a].py", "b.py", True),
    ("[]].py", "].py", True),
    ("[-a].py", "-.py", True),
    ("[a-].py", "-.py", True),
    ("[!-].py", "-.py", False),
    ("[.]py", ".py", True),
    (".*", ".hidden", True),
    ("\\*.py", "*.py", True),
    ("\\*.py", "a.py", False),
    ("a+b(c).py", "a+b(c).py", True),
    ("*.PY", "a.py", False),
    ("*", "new\nline", True),
    ("*.md", "we ird/ü.md", True),
    ("src/a.py", "src/a.py", True),
    ("src/a.py", "src/a.pyx", False),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), GLOB_TABLE)
def test_glob_semantics(pattern: str, path: str, expected: bool) -> None:
    only_glob = FileFilter(include=(pattern,), types=())
    assert only_glob.select([path], Path("/nonexistent"), TagCache()) == (
        [path] if expected else []
    )


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "empty path segment"),
        ("/", "empty path segment"),
        ("a//b", "empty path segment"),
        ("[abc", "without a closing"),
        ("src/[a/b].py", "without a closing"),
        ("[!]", "without a closing"),
        ("trailing\\", "ends with a backslash"),
        ("[z-a].py", "invalid file pattern '\\[z-a\\].py'"),
    ],
)
def test_invalid_globs(pattern: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        FileFilter(include=(pattern,), types=()).validate()


def test_invalid_glob_among_several_is_named() -> None:
    with pytest.raises(ConfigError, match=r"invalid file pattern '\[z-a\]': bad character range"):
        FileFilter(include=("*.py", "src/", "[z-a]"), types=()).validate()


def test_validate_tags_returns_unknown_ones() -> None:
    assert validate_tags(["python", "nope", "text", "nope", "pyth0n"]) == ["nope", "pyth0n"]
    assert validate_tags([]) == []


def test_filter_validate() -> None:
    FileFilter(include=("*.py",), types_or=("python", "pyi")).validate()
    with pytest.raises(ConfigError, match="unknown file type"):
        FileFilter(exclude_types=("pythn",)).validate()
    with pytest.raises(ConfigError, match="closing"):
        FileFilter(exclude=("[x",)).validate()


def _select(flt: FileFilter, root: Path, paths: list[str]) -> list[str]:
    return flt.select(paths, root, TagCache())


def test_select_include_exclude_keeps_order(tmp_path: Path) -> None:
    paths = ["z.py", "docs/a.py", "a.md", "src/b.py", "src/gen/c.py", "a.py"]
    flt = FileFilter(include=("*.py", "*.md"), exclude=("docs/", "src/gen/**"), types=())
    assert _select(flt, tmp_path, paths) == ["z.py", "a.md", "src/b.py", "a.py"]
    assert _select(FileFilter(types=()), tmp_path, paths) == paths


def test_select_without_types_never_reads_files(tmp_path: Path) -> None:
    class Exploding(TagCache):
        def get(self, root: Path, path: str) -> frozenset[str]:
            raise AssertionError(path)

    flt = FileFilter(include=("*.py",), types=())
    assert flt.select(["missing.py", "x.txt"], tmp_path, Exploding()) == ["missing.py"]


@pytest.fixture
def typed_tree(tmp_path: Path) -> Path:
    write(tmp_path / "mod.py", "print(1)\n")
    write(tmp_path / "data.bin", b"\x00\x01\x02\xff")
    write(tmp_path / "notes.txt", "hello\n")
    script = write(tmp_path / "run", "#!/usr/bin/env python3\nprint(1)\n")
    script.chmod(0o755)
    (tmp_path / "link.py").symlink_to("mod.py")
    (tmp_path / "adir").mkdir()
    os.mkfifo(tmp_path / "pipe")
    return tmp_path


ALL_TYPED = ["adir", "data.bin", "link.py", "missing.py", "mod.py", "notes.txt", "pipe", "run"]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (FileFilter(), ["data.bin", "mod.py", "notes.txt", "run"]),
        (FileFilter(types=("python",)), ["mod.py", "run"]),
        (FileFilter(types=("python", "text")), ["mod.py", "run"]),
        (FileFilter(types=("binary",)), ["data.bin"]),
        (FileFilter(types=("symlink",)), ["link.py"]),
        (FileFilter(types=("directory",)), ["adir"]),
        (FileFilter(types_or=("python", "binary")), ["data.bin", "mod.py", "run"]),
        (FileFilter(types=("text",), exclude_types=("python",)), ["notes.txt"]),
        (FileFilter(include=("*.py",)), ["mod.py"]),
        (FileFilter(types=("executable",)), ["run"]),
    ],
)
def test_select_by_types(typed_tree: Path, flt: FileFilter, expected: list[str]) -> None:
    assert _select(flt, typed_tree, ALL_TYPED) == expected


def test_tag_cache(typed_tree: Path) -> None:
    cache = TagCache()
    tags = cache.get(typed_tree, "mod.py")
    assert {"file", "python", "text"} <= tags
    assert cache.get(typed_tree, "data.bin") >= {"file", "binary"}
    assert cache.get(typed_tree, "link.py") == {"symlink"}
    assert cache.get(typed_tree, "pipe") == frozenset()
    assert cache.get(typed_tree, "missing.py") == frozenset()
    (typed_tree / "mod.py").unlink()
    assert cache.get(typed_tree, "mod.py") is tags


def test_tag_cache_across_threads(typed_tree: Path) -> None:
    cache = TagCache()
    results: list[frozenset[str]] = []
    lock = threading.Lock()

    def work() -> None:
        found = [cache.get(typed_tree, name) for name in ALL_TYPED]
        with lock:
            results.extend(found)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = [TagCache().get(typed_tree, name) for name in ALL_TYPED] * 8
    assert results == expected


def test_gitlinks_and_nested_repos_are_dropped(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    inner = make_repo(repo / "sub")
    write(inner / "inside.py")
    commit_all(inner)
    write(repo / "top.py")
    commit_all(repo)
    listed = git.list_files(repo)
    assert "sub" in listed
    assert _select(FileFilter(), repo, listed) == ["top.py"]


def test_selecting_from_ten_thousand_paths_is_cheap(tmp_path: Path) -> None:
    paths = [f"pkg{i % 50}/sub{i % 7}/mod{i}.{('py', 'md', 'txt')[i % 3]}" for i in range(10_000)]
    flt = FileFilter(
        include=("*.py", "*.md", "docs/", "**/conf.py"),
        exclude=("pkg1/", "pkg2/**", "*/sub3/*", "[!p]*/**"),
        types=(),
    )
    start = time.perf_counter()
    chosen = flt.select(paths, tmp_path, TagCache())
    elapsed = time.perf_counter() - start
    expected = [
        p
        for p in paths
        if not p.endswith(".txt") and not p.startswith(("pkg1/", "pkg2/")) and "/sub3/" not in p
    ]
    assert chosen == expected
    assert elapsed < 1.0


NAMED = [
    "a.py",
    "b.PY",
    "c.pyi",
    "setup.cfg",
    "Dockerfile",
    "Dockerfile.xenial",
    "Makefile",
    ".bashrc",
    "notes.txt",
    "logo.png",
    "data.bin",
    "archive.tar.gz",
    "script",
    "README",
    "tool.sh",
    "x.svg",
    "x.pdf",
    "odd.unknownext",
    "LICENSE",
    "x.json",
    "x.yaml",
    ".gitignore",
]


@pytest.mark.parametrize("executable", [False, True])
def test_tags_are_identifys_for_every_kind_of_name(tmp_path: Path, executable: bool) -> None:
    """The tags read from a name alone are what ``identify`` gives, file read and all."""
    from identify.identify import tags_from_path

    for name in NAMED:
        path = tmp_path / name
        path.write_bytes(b"#!/usr/bin/env python3\nprint(1)\n" if "." not in name else b"\0\1")
        path.chmod(0o755 if executable else 0o644)
    cache = TagCache()

    for name in NAMED:
        assert cache.get(tmp_path, name) == frozenset(tags_from_path(str(tmp_path / name))), name
