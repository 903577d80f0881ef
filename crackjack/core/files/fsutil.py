"""File writes that never leave a user's file truncated, and one wording for file errors."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path


def atomic_write(path: Path, data: bytes, *, executable: bool = False) -> None:
    """Replace ``path``'s content with ``data`` all at once.

    The data goes to a temporary file in the same directory, is flushed and fsynced, gets the
    original's mode (and owner, where allowed) and then replaces the original with
    ``os.replace``. On any failure (a full disk, say) the temporary file is removed and the
    error re-raised: the original is left exactly as it was. A symlink is written through, so
    it stays a symlink. ``executable`` adds the execute bits wherever the read bits are.
    """
    target = Path(os.path.realpath(path))
    try:
        original: os.stat_result | None = target.stat()
    except FileNotFoundError:
        original = None
    fd, temp = _create_temp(target, private=original is not None)
    try:
        with open(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if original is not None:
                _copy_metadata(handle.fileno(), original)
            if executable:
                mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
                os.fchmod(handle.fileno(), mode | stat.S_IRUSR | stat.S_IXUSR | (mode & 0o444) >> 2)
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def describe_os_error(exc: OSError) -> str:
    """The reason alone (``Permission denied``), without the repeated path."""
    return exc.strerror or str(exc)


def _create_temp(target: Path, *, private: bool) -> tuple[int, str]:
    """A new file beside ``target``.

    It starts as 0600 when it will get an existing file's mode, so a private file's content is
    never readable by others in between; a brand-new file gets 0666 less the umask, like
    ``open``.
    """
    mode = 0o600 if private else 0o666
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        temp = str(target.with_name(f".{target.name}.{secrets.token_hex(4)}.crackjack-tmp"))
        try:
            return os.open(temp, flags, mode), temp
        except FileExistsError:
            continue


def _copy_metadata(fd: int, original: os.stat_result) -> None:
    """Give the new file the original's mode and, when we may, its owner (chown first: it
    clears set-id bits)."""
    if (original.st_uid, original.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):
            os.fchown(fd, original.st_uid, original.st_gid)
    os.fchmod(fd, stat.S_IMODE(original.st_mode))
