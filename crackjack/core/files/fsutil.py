"""File writes that never leave a file half-written, and one wording for file errors.

Every write that replaces a file goes through ``replaced``: the new content goes to a temporary
file beside it, is flushed and fsynced, and is renamed over the original, so a reader sees the
old version or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from crackjack.core.digest import hexdigest

_T = TypeVar("_T")

TEMP_SUFFIX = ".crackjack-tmp"
"""How every temporary file crackjack leaves beside a user's file ends."""
_TEMP_NAME = re.compile(rf"\.[0-9a-f]{{16}}{re.escape(TEMP_SUFFIX)}")
"""The exact name ``_fresh`` gives a temporary file (nothing else is ever removed as one)."""
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW


def atomic_write(
    path: Path, data: bytes, *, executable: bool = False, durable: bool = True
) -> None:
    """Replace ``path``'s content with ``data`` all at once.

    The new file gets the original's mode (and owner, where allowed); a brand-new file gets
    0666 less the umask, like ``open``. On any failure (a full disk, say) the original is left
    exactly as it was. A symlink is written through, so it stays a symlink. ``executable`` adds
    the execute bits wherever the read bits are. ``durable=False`` (a hint whose loss costs
    nothing, such as the durations file) skips the fsync: a reader still never sees half a file.
    """
    target = Path(os.path.realpath(path))
    try:
        original: os.stat_result | None = target.stat()
    except FileNotFoundError:
        original = None
    mode = 0o600 if original is not None else 0o666
    with replaced(target, mode=mode, durable=durable) as handle:
        handle.write(data)
        if original is not None:
            _copy_metadata(handle.fileno(), original)
        if executable:
            mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
            os.fchmod(handle.fileno(), mode | stat.S_IRUSR | stat.S_IXUSR | (mode & 0o444) >> 2)


@contextlib.contextmanager
def replaced(path: Path, *, mode: int = 0o600, durable: bool = True) -> Iterator[BinaryIO]:
    """Write the new content of ``path`` in the block; it replaces ``path`` when the block ends.

    The temporary file starts with ``mode`` (less the umask), so a private file's content is
    never readable by others in between. It is fsynced (unless not ``durable``), then renamed
    over ``path`` (a symlink at ``path`` is replaced, not followed). On any failure it is
    removed and the error raised.
    """
    temp, handle = _fresh(path, lambda name: new_file(name, mode))
    try:
        with handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def replace_with_symlink(path: Path, target: bytes) -> None:
    """Make ``path`` a symlink to ``target`` at once, whatever stood there."""
    temp, _ = _fresh(path, lambda name: os.symlink(target, os.fsencode(name)))
    try:
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def _fresh(path: Path, make: Callable[[Path], _T]) -> tuple[Path, _T]:
    """``make`` a temporary file beside ``path`` under a random name nobody uses yet, never
    derived from ``path``'s name, so it fits NAME_MAX (255 bytes) whatever that name is."""
    while True:
        temp = path.with_name(f".{os.urandom(8).hex()}{TEMP_SUFFIX}")
        try:
            return temp, make(temp)
        except FileExistsError:
            continue


def remove_temporaries(folders: Iterable[Path]) -> None:
    """Remove the temporary files a killed crackjack left in ``folders`` (between the write
    and the rename of a replacement): only files and symlinks named exactly as ``_fresh`` names
    them. A folder that is missing or cannot be read is skipped."""
    for folder in folders:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if _TEMP_NAME.fullmatch(entry.name) and not entry.is_dir(follow_symlinks=False):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


def new_file(path: Path, mode: int = 0o600) -> BinaryIO:
    """Open a file that must not exist yet for writing (a symlink there is an error)."""
    return open(os.open(path, _NEW_FILE, mode), "wb")


def fsync_dir(path: Path) -> None:
    """Make the entries of the folder ``path`` (new names, renames) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def describe_os_error(exc: OSError) -> str:
    """The reason alone (``Permission denied``), without the repeated path."""
    return exc.strerror or str(exc)


def _copy_metadata(fd: int, original: os.stat_result) -> None:
    """Give the new file the original's mode and, when we may, its owner (chown first: it
    clears set-id bits)."""
    if (original.st_uid, original.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):
            os.fchown(fd, original.st_uid, original.st_gid)
    os.fchmod(fd, stat.S_IMODE(original.st_mode))


def tree_size(path: Path) -> int:
    """The bytes under ``path`` (its own, for a file or a link), links not followed; 0 when it
    does not exist."""
    try:
        if path.is_symlink() or not path.is_dir():
            return path.lstat().st_size
    except OSError:
        return 0
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total


def read_json_object(path: Path) -> dict[str, Any] | None:
    """The JSON object a state file of crackjack's holds; None when it is missing, unreadable
    or damaged in any way (not JSON, too deeply nested, not an object): state is a hint, and
    damage to it must never stop a run."""
    import json

    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def user_cache_home() -> Path | None:
    """``$XDG_CACHE_HOME`` when it is absolute, else ``~/.cache``; None with no home to find."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg)
    try:
        return Path.home() / ".cache"
    except RuntimeError:
        return None


def sources_digest(paths: Iterable[Path]) -> str | None:
    """A digest of the bytes of ``paths``, crackjack's own source files whose edits a cache
    must see though the version stays (an editable checkout); None if one cannot be read."""
    try:
        data = b"".join(path.read_bytes() for path in paths)
    except OSError:
        return None
    return hexdigest(data)


_FIRST_POLL = 0.005
_LAST_POLL = 0.05


def flock_polled(fd: int, *, until: float | None, stop: Callable[[], bool] | None = None) -> bool:
    """Take ``fd``'s exclusive ``flock``; while another holds it, poll with a short, growing
    sleep (5 to 50 ms) until the ``time.monotonic()`` deadline ``until`` (None: for ever) or
    until ``stop()`` says so; False when not taken. Polling keeps the wait bounded and
    interruptible (a blocking ``flock`` in a thread could not be given up), and it only runs
    while the lock is held elsewhere. Other OSErrors are raised."""
    import fcntl
    import time

    delay = _FIRST_POLL
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        if stop is not None and stop():
            return False
        remaining = None if until is None else until - time.monotonic()
        if remaining is not None and remaining <= 0:
            return False
        time.sleep(delay if remaining is None else min(delay, remaining))
        delay = min(delay * 2, _LAST_POLL)
