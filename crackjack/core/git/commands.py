"""The project's git calls, all through the ``run_process`` chokepoint.

Every call runs ``git -c core.quotepath=off`` and asks for NUL-separated output where git lists
paths, so a user's configuration cannot change what we parse.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import stat
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from crackjack.core.errors import CrackjackError
from crackjack.core.git.indexfile import blob_id, read_index
from crackjack.core.process.programs import on_path
from crackjack.core.process.run import ProcessOutcome, ProcessRequest, run_process

_GIT_OPTIONS = ("-c", "core.quotepath=off")
"""What every git command line starts with after the program (``git_argv`` adds the rest)."""

HARDENED_DIFF = ("--no-ext-diff", "--no-textconv", "--no-color", "--no-renames")
"""What every ``git diff`` is given, so that no user configuration changes its output."""

_OK = frozenset({0})
_COMMIT = b"\x01"
"""What ``commits_files`` has git print for each commit: a status letter never is this byte."""
_ADDED_OR_MODIFIED = frozenset((b"A", b"C", b"M", b"R", b"T"))
"""Not ``--diff-filter=ACMRT``: in ``git log`` that would hide the commits it filters out."""
_MOVED = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR")
"""Variables that move the git directory or the work tree away from where ``.git`` says."""
_LS_FILES = ("ls-files", "-z", "--others", "--exclude-standard")
"""Untracked files git does not ignore (with ``--cached``, the tracked ones too)."""


class GitError(CrackjackError):
    """A git command failed, or git could not be started; ``detail``: why, in git's words (its
    first line on stderr, or how it ended)."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail or message


class GitNotFoundError(GitError):
    """The git program could not be started (not installed, or not on ``PATH``)."""

    @classmethod
    def for_command(cls, args: Sequence[str], reason: str) -> GitNotFoundError:
        return cls(f"cannot run {_describe(args)}: {reason} (is git installed and on PATH?)")


def git_argv(*args: str) -> tuple[str, ...]:
    """The whole command line of ``git <args>`` (for sizing batches of file names)."""
    return (_git_program(os.environ.get("PATH")), *_GIT_OPTIONS, *args)


@functools.lru_cache(maxsize=4)
def _git_program(search: str | None) -> str:
    """git's path, found once for each ``PATH`` (``search``): a run starts git about ten times,
    and each start would otherwise try every folder of ``PATH`` in turn; plain ``git`` (the
    start then says why it failed) when it is on none."""
    return on_path("git") or "git"


def run_git(args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> ProcessOutcome:
    """``git <args>`` through the chokepoint, whatever its exit status (for commands whose
    status carries meaning); ``env`` replaces the environment (e.g. with ``GIT_INDEX_FILE``)."""
    request = ProcessRequest(
        argv=git_argv(*args),
        cwd=cwd,
        env=env,
        tail_bytes=None,
        merge_stderr=False,
        dies_with_parent=False,
    )
    return run_process(request)


def git(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> bytes:
    """Run ``git <args>`` in ``cwd`` and return its stdout; raise GitError unless it exits 0."""
    return _checked(args, cwd, env).output


def _checked(
    args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None, ok: frozenset[int] = _OK
) -> ProcessOutcome:
    """``git <args>`` in ``cwd``; GitError unless its exit status is one of ``ok``."""
    if not cwd.is_dir():
        raise GitError(f"cannot run {_describe(args)}: {cwd} is not a directory")
    outcome = run_git(args, cwd, env)
    if outcome.start_error is not None:
        raise GitNotFoundError.for_command(args, outcome.start_error)
    if outcome.returncode not in ok:
        detail = _first_line(outcome.stderr)
        code = outcome.returncode
        status = f"exited {code}"
        if code is not None and code < 0:
            status = f"was killed by signal {-code}"
        message = f"{_describe(args)} {status}" + (f": {detail}" if detail else "")
        raise GitError(message, re.sub(r"^(error|fatal): ", "", detail) or status)
    return outcome


def staged_version(path: Path, top: Path) -> bytes | None:
    """What the index holds for the work tree file ``path`` (``GIT_INDEX_FILE`` when set), when
    that differs from the file (an unstaged edit): what a commit takes. None when they are the
    same, or the index has no such file. ``top``: the top of the work tree around ``path``.

    When the index can be read in-process (``indexfile``) and its blob is the file's bytes,
    the answer costs no git process; otherwise git compares and reads it."""
    if _same_as_index(path, top):
        return None
    folder, name = path.parent, path.name
    named = os.environ.get("GIT_INDEX_FILE")
    env = None if named is None else {**os.environ, "GIT_INDEX_FILE": os.path.abspath(named)}
    diff = ("--no-optional-locks", "--literal-pathspecs", "diff", "--quiet", *HARDENED_DIFF)
    if _checked((*diff, "--", name), folder, env, ok=frozenset({0, 1})).returncode == 0:
        return None
    return git("cat-file", "blob", f":0:./{name}", cwd=folder, env=env)


def _same_as_index(path: Path, top: Path) -> bool:
    """Whether the index's only entry for ``path`` is a regular file whose blob id is that of
    the bytes of ``path`` (itself a regular file); False when unsure."""
    index = _index_file(top)
    entries = None if index is None else read_index(index)
    if entries is None:
        return False
    name = Path(os.path.relpath(path, top)).as_posix()
    found = [entry for entry in entries if entry.path == name]
    if len(found) != 1 or found[0].stage != 0 or not stat.S_ISREG(found[0].mode):
        return False
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        content = path.read_bytes()
    except OSError:
        return False
    return blob_id(content, len(found[0].oid) // 2) == found[0].oid


def _index_file(top: Path) -> Path | None:
    """The index git would use in the work tree ``top``, found the way git finds it:
    ``GIT_INDEX_FILE`` (relative to the current folder, as git reads it), else the ``index`` of
    the git directory ``.git`` is or points at; None when the environment moves the repository
    (``GIT_DIR`` and the like)."""
    if any(name in os.environ for name in _MOVED):
        return None
    named = os.environ.get("GIT_INDEX_FILE")
    if named is not None:
        return Path(os.path.abspath(named))
    dot_git = top / ".git"
    try:
        if dot_git.is_dir():
            return dot_git / "index"
        pointer = dot_git.read_text(encoding="utf-8", errors="strict")
    except (OSError, UnicodeError):
        return None
    if not pointer.startswith("gitdir: "):
        return None
    return top / pointer.removeprefix("gitdir: ").rstrip("\n") / "index"


def list_files(root: Path) -> list[str]:
    """Tracked and untracked-but-not-ignored files under ``root``, relative to it, sorted.

    Paths git knows but the work tree lacks (deleted, sparse) are listed too: the selection's
    one look at each file (``core.files.touchable``) drops them. Submodules and untracked
    nested repositories are kept as paths (type filtering drops directories).
    """
    return _unique(_split(git(*_LS_FILES, "--cached", cwd=root)))


def list_paths(root: Path, pathspecs: Sequence[str]) -> list[str]:
    """Like ``list_files``, limited to ``pathspecs`` taken literally (no glob or ``:(magic)``);
    no ``pathspecs`` list nothing (not everything, as git would)."""
    if not pathspecs:
        return []
    out = git("--literal-pathspecs", *_LS_FILES, "--cached", "--", *pathspecs, cwd=root)
    return _unique(_split(out))


def resolve_commit(root: Path, ref: str) -> str | None:
    """The commit ``ref`` names (a branch, tag, ``@{upstream}``, a hash...); None if none.

    A ``ref`` starting with ``-`` is refused (ValueError): git would read it as an option.
    """
    if ref.startswith("-"):
        raise ValueError(f"not a ref: {ref!r}")
    return _hash_or_none(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")


def merge_base(root: Path, first: str, second: str) -> str | None:
    """The best common ancestor of two commits (hashes); None for unrelated histories."""
    return _hash_or_none(root, "merge-base", first, second)


def empty_tree(root: Path) -> str:
    """The hash of the empty tree in this repository's object format (sha1 or sha256)."""
    return git("hash-object", "-t", "tree", "--stdin", cwd=root).decode("ascii").strip()


def _hash_or_none(root: Path, *args: str) -> str | None:
    """The hash ``git <args>`` prints; None when git answers with a failure (no such commit)."""
    try:
        out = git(*args, cwd=root)
    except GitNotFoundError:
        raise
    except GitError:
        return None
    return out.decode("ascii").strip()


def changed_files(root: Path, base: str) -> list[str]:
    """Files of the work tree that differ from the tree ``base`` (staged or not, deletions
    left out), plus untracked files git does not ignore; under ``root``, relative, sorted
    (a file deleted since is listed, as by ``list_files``)."""
    untracked = _split(git(*_LS_FILES, cwd=root))
    return _unique([*_diff(root, base), *untracked])


def commits_files(root: Path, revisions: Sequence[str]) -> tuple[int, list[str]]:
    """How many commits ``revisions`` select (``A --not B`` and the like; an object this
    repository lacks counts for nothing), and the files they add, copy, modify, rename (the new
    name) or change the type of (a root commit adds all of its files) that exist in the work
    tree under ``root``, relative to it, sorted. Merges count for nothing of their own: what
    they bring comes from commits that are selected, or were there already."""
    out = git(
        *("-c", "log.showSignature=false", "log", "--format=%x01", "--name-status", "-z"),
        *("--root", "--relative", "--diff-merges=off", *HARDENED_DIFF),
        *("--ignore-missing", *revisions, "--"),
        cwd=root,
    )
    commits = 0
    names: list[str] = []
    status: bytes | None = None
    for raw in out.split(b"\0")[:-1]:
        if status is not None:
            if status[:1] in _ADDED_OR_MODIFIED:
                names.append(os.fsdecode(raw))
            status = None
        elif raw == _COMMIT:
            commits += 1
        else:
            status = raw.removeprefix(b"\n")
    return commits, _existing(root, names)


def unmerged_files(root: Path) -> list[str]:
    """Paths with conflicts to resolve (index stages 1-3) under ``root``, sorted, once each."""
    out = git("ls-files", "-z", "--unmerged", cwd=root)
    entries = (raw.partition(b"\t")[2] for raw in out.split(b"\0") if raw)
    return sorted({os.fsdecode(path) for path in entries})


def _diff(root: Path, *args: str) -> list[str]:
    """Names from ``git diff``, immune to user configuration: no external diff, textconv,
    colour or rename detection (a rename is its new name, added), paths relative to ``root``
    and limited to it.

    The porcelain, not ``diff-index``: it refreshes stat information, so a file that was only
    touched is not reported. It may then rewrite the index's stat cache, as ``git status``
    does (content unchanged); ``--no-optional-locks`` asks gits that honour it not to.
    """
    out = git(
        *("--no-optional-locks", "diff", "--name-only", "-z", *HARDENED_DIFF),
        *("--relative", "--diff-filter=ACMRT", *args, "--"),
        cwd=root,
    )
    return _split(out)


def _split(out: bytes) -> list[str]:
    return [os.fsdecode(raw).removesuffix("/") for raw in out.split(b"\0") if raw]


def _unique(names: Iterable[str]) -> list[str]:
    return sorted(set(names))


def _existing(root: Path, names: Iterable[str]) -> list[str]:
    base, lexists = os.path.join(root, ""), os.path.lexists  # strings: no Path for each name
    return sorted(name for name in set(names) if lexists(base + name))


def nearest_dir(path: Path) -> Path:
    """``path`` (absolute) if it is a directory, else its nearest existing ancestor directory."""
    candidate = path.absolute()
    while not candidate.is_dir() and candidate != candidate.parent:
        candidate = candidate.parent
    return candidate


def _describe(args: Sequence[str]) -> str:
    return shlex.join(("git", *args))


def _first_line(data: bytes) -> str:
    lines = (line.strip() for line in data.decode("utf-8", "replace").splitlines())
    return next((line for line in lines if line), "")
