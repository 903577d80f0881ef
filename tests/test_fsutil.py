from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path

import pytest

from crackjack.core.files.fsutil import atomic_write, describe_os_error


def _no_temp_files(directory: Path) -> bool:
    return not [path for path in directory.iterdir() if path.name.endswith(".crackjack-tmp")]


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o755, 0o640])
def test_atomic_write_replaces_content_and_keeps_mode(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "file.txt"
    path.write_bytes(b"old content\n")
    path.chmod(mode)

    atomic_write(path, b"new\r\n\xff")

    assert path.read_bytes() == b"new\r\n\xff"
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert _no_temp_files(tmp_path)


def test_atomic_write_creates_a_missing_file_with_the_umask_mode(tmp_path: Path) -> None:
    path = tmp_path / "new.txt"
    reference = tmp_path / "reference.txt"
    reference.write_bytes(b"")

    atomic_write(path, b"data")

    assert path.read_bytes() == b"data"
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(reference.stat().st_mode)


def test_atomic_write_writes_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_bytes(b"old")
    link = tmp_path / "link.txt"
    link.symlink_to(target.name)

    atomic_write(link, b"new")

    assert link.is_symlink()
    assert target.read_bytes() == b"new"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another user")
def test_atomic_write_keeps_the_owner(tmp_path: Path) -> None:
    path = tmp_path / "owned.txt"
    path.write_bytes(b"old")
    os.chown(path, 4321, 4321)

    atomic_write(path, b"new")

    assert (path.stat().st_uid, path.stat().st_gid) == (4321, 4321)


def test_atomic_write_picks_another_name_when_the_temp_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "file.txt"
    path.write_bytes(b"old")
    taken = tmp_path / ".taken.crackjack-tmp"
    taken.write_bytes(b"someone else's")
    names = iter(["taken", "free"])
    monkeypatch.setattr(secrets, "token_hex", lambda nbytes: next(names))

    atomic_write(path, b"new")

    assert path.read_bytes() == b"new"
    assert taken.read_bytes() == b"someone else's"
    assert not (tmp_path / ".free.crackjack-tmp").exists()


def _raise_enospc(*args: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_atomic_write_failure_leaves_the_original_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = tmp_path / "precious.txt"
    path.write_bytes(b"precious\n")
    path.chmod(0o600)
    monkeypatch.setattr(os, failing, _raise_enospc)

    with pytest.raises(OSError, match="No space left") as caught:
        atomic_write(path, b"truncated?")

    assert caught.value.errno == errno.ENOSPC
    assert path.read_bytes() == b"precious\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _no_temp_files(tmp_path)


def test_atomic_write_into_a_missing_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "missing" / "file.txt", b"data")


def test_describe_os_error_gives_the_reason_only(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as caught:
        (tmp_path / "missing").read_bytes()

    assert describe_os_error(caught.value) == "No such file or directory"
    assert describe_os_error(OSError("plain message")) == "plain message"


def test_an_executable_write_adds_execute_where_read_is(tmp_path: Path) -> None:
    path = tmp_path / "hook"
    path.write_bytes(b"old")
    path.chmod(0o640)
    atomic_write(path, b"#!/bin/sh\n", executable=True)
    assert path.read_bytes() == b"#!/bin/sh\n"
    assert path.stat().st_mode & 0o777 == 0o750


@pytest.mark.parametrize("length", [232, 255])
def test_atomic_write_to_a_file_with_the_longest_name(tmp_path: Path, length: int) -> None:
    path = tmp_path / ("n" * length)
    path.write_bytes(b"old")
    atomic_write(path, b"new")
    atomic_write(tmp_path / ("m" * length), b"brand new")
    assert path.read_bytes() == b"new"
    assert (tmp_path / ("m" * length)).read_bytes() == b"brand new"
    assert _no_temp_files(tmp_path)


@pytest.mark.parametrize("durable", [True, False])
def test_atomic_write_fsyncs_only_a_durable_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durable: bool
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    path = tmp_path / "durations.json"
    path.write_bytes(b"old")
    atomic_write(path, b"new", durable=durable)
    assert path.read_bytes() == b"new"
    assert [entry.name for entry in tmp_path.iterdir()] == ["durations.json"]
    assert bool(synced) is durable
