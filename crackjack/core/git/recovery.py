"""The recovery data of hidden unstaged changes (DESIGN.md 6.6); ``crackjack.core.git.restore``
puts them back.

While ``crackjack.core.git.hiding`` hides unstaged changes, ``<git-dir>/crackjack/recovery/`` holds
everything needed to put them back, written and fsynced before anything in the work tree is
touched:

- ``files/N``: a byte-for-byte copy of each hidden file as the user left it (the primary
  source: no git filter, end-of-line conversion or configuration stands between it and the
  user's bytes);
- ``unstaged.patch``: the same changes as a binary git patch, for people and other tools;
- a commit of the whole work tree's tracked content, pinned by ``refs/crackjack/recovery``
  (``refs/crackjack/recovery-<worktree>`` in a linked worktree) so that ``git gc`` keeps it;
- ``state.json``: what was hidden (path, kind, permissions, SHA-256), the original HEAD, the
  index in use, the time and pid. It is written last, atomically: while it exists, a run is
  unfinished. A folder without it never got as far as touching the work tree.

After the checkout, ``base/N`` and ``base.json`` record what the hooks were given, so that a
hook's edit can be told apart and merged. Content that a restore has to drop (a fixer's edit
that conflicts with the user's) is kept under ``<git-dir>/crackjack/dropped/<time>-<pid>/``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from crackjack.core.errors import CrackjackError, RepositoryStateError
from crackjack.core.git.commands import GitError, git, run_git

RECOVER_COMMAND = "crackjack recover"
STATE_VERSION = 1
MAIN_REF = "refs/crackjack/recovery"
_CHUNK = 1024 * 1024

Kind = Literal["file", "symlink", "missing", "other"]


class UnfinishedRun(CrackjackError):
    """An earlier run stopped while unstaged changes were hidden: ``crackjack recover`` puts
    them back. Exit 3."""


class RestoreFailed(UnfinishedRun):
    """Hidden changes could not all be put back; the recovery data is kept. Exit 3."""


class SaveFailed(CrackjackError):
    """The recovery data could not be written, so nothing was hidden or changed. Exit 3."""


class RecoveryDataDamaged(CrackjackError):
    """``state.json`` cannot be read; the snapshot commit and the copies are left alone."""


@dataclass(frozen=True, slots=True)
class Worktree:
    """Where things are for one work tree: its top, its own git dir, the index git uses
    (``GIT_INDEX_FILE`` when set) and the ref that pins its snapshot."""

    top: Path
    git_dir: Path
    index_file: Path
    ref: str

    @property
    def crackjack_dir(self) -> Path:
        return self.git_dir / "crackjack"

    @property
    def recovery_dir(self) -> Path:
        return self.crackjack_dir / "recovery"


@dataclass(frozen=True, slots=True)
class FileState:
    """What is at a path: its kind, permission bits (files) and the SHA-256 of its content or
    symlink target. Equal states mean equal bytes (modification times are not compared)."""

    kind: Kind
    perms: int = 0
    digest: str = ""


@dataclass(frozen=True, slots=True)
class SavedFile:
    """One hidden path as the user left it: its state, the copy of its bytes (``copy``,
    relative to the recovery folder) or symlink target, and the folders the checkout had to
    create for it (removed again when the user had deleted the file)."""

    path: str
    state: FileState
    copy: str | None = None
    link: bytes | None = None
    made_dirs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RecoveryData:
    """The content of ``state.json`` and where it lives."""

    directory: Path
    ref: str
    snapshot: str
    head: str | None
    index_file: str
    created: str
    pid: int
    files: tuple[SavedFile, ...]


STATE_NAME = "state.json"
BASE_NAME = "base.json"
PATCH_NAME = "unstaged.patch"


# --- where things are -----------------------------------------------------------------------


def locate(repo: Path) -> Worktree:
    """The work tree around ``repo``; RepositoryStateError outside one (bare, ``.git``)."""
    asked = ("--show-toplevel", "--absolute-git-dir", "--git-common-dir", "--git-path", "index")
    outcome = run_git(["rev-parse", "--is-inside-work-tree", *asked], repo)
    lines = outcome.output.split(b"\n")
    complete = outcome.returncode == 0 and len(lines) == 6 and lines[0] == b"true"
    if complete and not lines[5] and _path_out(lines[1], repo) == repo:
        top = repo  # relative answers are relative to the top, where git was asked
        git_dir, common, index_file = (_path_out(line, top) for line in lines[2:5])
        return Worktree(
            top=top, git_dir=git_dir, index_file=index_file, ref=_ref_for(git_dir, common)
        )
    return _locate_step_by_step(repo)


def _locate_step_by_step(repo: Path) -> Worktree:
    """``locate`` one question at a time, from the top of the work tree: for the precise
    refusal, paths with line breaks, or ``repo`` below the top."""
    try:
        inside = git("rev-parse", "--is-inside-work-tree", cwd=repo).strip()
    except GitError as exc:
        raise RepositoryStateError(f"not in a git repository: {repo} ({exc})") from exc
    if inside != b"true":
        raise RepositoryStateError(
            f"{repo} is not in a git work tree (a bare repository, or inside .git): "
            "run crackjack from the work tree"
        )
    top = _path_out(git("rev-parse", "--show-toplevel", cwd=repo), repo)
    git_dir = _path_out(git("rev-parse", "--absolute-git-dir", cwd=top), top)
    common = _path_out(git("rev-parse", "--git-common-dir", cwd=top), top)
    index_file = _path_out(git("rev-parse", "--git-path", "index", cwd=top), top)
    return Worktree(top=top, git_dir=git_dir, index_file=index_file, ref=_ref_for(git_dir, common))


def _path_out(out: bytes, cwd: Path) -> Path:
    path = Path(os.fsdecode(out.removesuffix(b"\n")))
    return path if path.is_absolute() else cwd / path


def _ref_for(git_dir: Path, common_dir: Path) -> str:
    """``refs/crackjack/recovery`` in the main work tree; one ref per linked worktree, as refs
    are shared by all worktrees of a repository."""
    if os.path.samefile(git_dir, common_dir):
        return MAIN_REF
    digest = hashlib.sha256(os.fsencode(git_dir.name)).hexdigest()[:16]
    return f"{MAIN_REF}-{digest}"


# --- detecting an unfinished run ------------------------------------------------------------


def check_no_unfinished_run(repo: Path) -> None:
    """Raise UnfinishedRun if an earlier run left hidden changes to put back."""
    check_tree(locate(repo))


def check_tree(tree: Worktree) -> None:
    state = tree.recovery_dir / STATE_NAME
    if not state.is_file():
        return
    try:
        data = load(tree)
    except RecoveryDataDamaged as exc:
        raise UnfinishedRun(
            f"an earlier crackjack run was stopped while it had hidden unstaged changes, and "
            f"its recovery data is damaged ({exc}). Your changes are also in the commit "
            f"{tree.ref} (`git show --stat {tree.ref}`)."
        ) from exc
    if data is not None:
        raise UnfinishedRun(unfinished_message(tree, data))


def unfinished_message(tree: Worktree, data: RecoveryData) -> str:
    count = len(data.files)
    still = " If that process is still running, let it finish first." if _alive(data.pid) else ""
    return (
        f"an earlier crackjack run (pid {data.pid}, started {data.created}) was stopped while "
        f"it had hidden unstaged changes to {count} file{'s' if count != 1 else ''}. They are "
        f"saved in {data.directory} and in the commit {data.ref}. Run `{RECOVER_COMMAND}` in "
        f"{tree.top} to put them back.{still}"
    )


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- writing the recovery data --------------------------------------------------------------


def observe(path: Path) -> FileState:
    """The state of ``path`` in the work tree, without following a symlink."""
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return FileState("missing")
    if stat.S_ISLNK(info.st_mode):
        return FileState(
            "symlink", digest=hashlib.sha256(os.fsencode(os.readlink(path))).hexdigest()
        )
    if stat.S_ISREG(info.st_mode):
        return FileState("file", stat.S_IMODE(info.st_mode), digest_file(path))
    return FileState("other")


def digest_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def save_file(top: Path, directory: Path, number: int, path: str, *, sync: bool) -> SavedFile:
    """Copy the work tree's ``path`` into ``directory/files/N`` (or record its symlink target,
    or its absence). The state is taken from the bytes copied, not from a second read."""
    source = top / path
    state = observe(source)
    if state.kind == "other":
        raise RepositoryStateError(
            f"cannot hide the unstaged changes to {path!r}: it is not a file, a symlink or "
            "absent in the work tree; stage or undo that change first"
        )
    if state.kind == "symlink":
        return SavedFile(path, state, link=os.fsencode(os.readlink(source)))
    if state.kind == "missing":
        return SavedFile(path, state, made_dirs=_missing_dirs(top, path))
    name = f"files/{number}"
    digest = copy_bytes(source, directory / name, sync=sync)
    return SavedFile(path, FileState("file", state.perms, digest), copy=name)


def _missing_dirs(top: Path, path: str) -> tuple[str, ...]:
    """The folders above ``path`` that do not exist, outermost first."""
    missing: list[str] = []
    parent = Path(path).parent
    while parent != Path("."):
        if not (top / parent).is_dir():
            missing.append(str(parent))
        parent = parent.parent
    return tuple(reversed(missing))


def copy_bytes(source: Path, target: Path, *, sync: bool) -> str:
    """Copy a file to a new private file, optionally fsynced; return the SHA-256 copied."""
    digest = hashlib.sha256()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(source, "rb") as reader, _new_file(target) as writer:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            writer.write(chunk)
        writer.flush()
        if sync:
            os.fsync(writer.fileno())
    return digest.hexdigest()


@contextlib.contextmanager
def _new_file(path: Path, mode: int = 0o600) -> Iterator[Any]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW
    with open(os.open(path, flags, mode), "wb") as handle:
        yield handle


def write_synced(path: Path, data: bytes) -> None:
    """Write a new file and fsync it."""
    with _new_file(path) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_json_atomically(path: Path, content: Mapping[str, Any]) -> None:
    """Write JSON to ``path`` through a temporary file, fsynced, renamed, directory fsynced."""
    temp = path.with_name(f".{path.name}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()
    write_synced(temp, json.dumps(content, indent=1, sort_keys=True).encode("ascii"))
    os.replace(temp, path)
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def state_content(data: RecoveryData) -> dict[str, Any]:
    return {
        "version": STATE_VERSION,
        "created": data.created,
        "pid": data.pid,
        "ref": data.ref,
        "snapshot": data.snapshot,
        "head": data.head,
        "index_file": data.index_file,
        "patch": PATCH_NAME,
        "recover": RECOVER_COMMAND,
        "files": [_file_content(saved) for saved in data.files],
    }


def _file_content(saved: SavedFile) -> dict[str, Any]:
    return {
        "path": saved.path.encode("utf-8", "replace").decode("utf-8"),
        "path_bytes": os.fsencode(saved.path).hex(),
        "kind": saved.state.kind,
        "perms": saved.state.perms,
        "sha256": saved.state.digest,
        "copy": saved.copy,
        "link_bytes": None if saved.link is None else saved.link.hex(),
        "made_dirs_bytes": [os.fsencode(name).hex() for name in saved.made_dirs],
    }


def now_text() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


# --- reading it back ------------------------------------------------------------------------


def load(tree: Worktree) -> RecoveryData | None:
    """The recovery data of ``tree``; None when there is none (no ``state.json``)."""
    directory = tree.recovery_dir
    try:
        raw = (directory / STATE_NAME).read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise RecoveryDataDamaged(f"cannot read {directory / STATE_NAME}: {exc}") from exc
    try:
        content = json.loads(raw)
        if content["version"] != STATE_VERSION:
            raise ValueError(f"unknown version {content['version']!r}")
        files = tuple(_saved_from(item) for item in content["files"])
        return RecoveryData(
            directory=directory,
            ref=str(content["ref"]),
            snapshot=str(content["snapshot"]),
            head=None if content["head"] is None else str(content["head"]),
            index_file=str(content["index_file"]),
            created=str(content["created"]),
            pid=int(content["pid"]),
            files=files,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise RecoveryDataDamaged(f"{directory / STATE_NAME} is damaged: {exc!r}") from exc


def _saved_from(item: Mapping[str, Any]) -> SavedFile:
    kind = item["kind"]
    if kind not in ("file", "symlink", "missing"):
        raise ValueError(f"unknown kind {kind!r}")
    link = item["link_bytes"]
    return SavedFile(
        path=os.fsdecode(bytes.fromhex(item["path_bytes"])),
        state=FileState(kind, int(item["perms"]), str(item["sha256"])),
        copy=None if item["copy"] is None else str(item["copy"]),
        link=None if link is None else bytes.fromhex(link),
        made_dirs=tuple(os.fsdecode(bytes.fromhex(name)) for name in item["made_dirs_bytes"]),
    )


def save_base(tree: Worktree, data: RecoveryData) -> None:
    """Record what the checkout left at each hidden path (``base.json`` and ``base/N``).

    Not fsynced: a base whose copy does not match its digest is ignored, which only makes a
    restore roll back (and save) a hook's edit instead of merging it.
    """
    entries = []
    for number, saved in enumerate(data.files):
        path = tree.top / saved.path
        state = observe(path)
        copy = None
        if state.kind == "file":
            copy = f"base/{number}"
            state = FileState(
                "file", state.perms, copy_bytes(path, data.directory / copy, sync=False)
            )
        entries.append(
            {
                "path_bytes": os.fsencode(saved.path).hex(),
                "kind": state.kind,
                "perms": state.perms,
                "sha256": state.digest,
                "copy": copy,
            }
        )
    write_json_atomically(data.directory / BASE_NAME, {"files": entries})
