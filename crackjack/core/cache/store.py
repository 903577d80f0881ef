"""Where the result cache keeps its keys: small segment files, written whole and renamed.

Layout: ``<cache folder>/v1/<bucket>/<random>.seg``, one bucket per hook as it runs (its key
without the files), so a run reads only the keys of the hooks it runs. A segment is a header
line naming the format, then one line per key of a pass: the key and when it was last used
(Unix seconds). Each run that learns something writes one new segment per hook (a temporary
file renamed into place, ``_publish``: a reader sees it whole or not at all), so two runs never
write the same file (ruff #8147). A bucket of more than ``MAX_SEGMENTS`` segments is compacted
into one (keys last used more than ``STALE_DAYS`` ago are dropped), and when the folder
outgrows ``cache-max-mb``, the buckets used least recently are removed first.

Anything unexpected is ignored: another format's folder, a segment that does not parse (it is
removed), a folder that cannot be written. The first such problem is kept as ``warning`` for
the run to say once; none ever fails a run.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from pathlib import Path

from crackjack.core.files.fsutil import TEMP_SUFFIX, describe_os_error, new_file, read_json_object

FORMAT = 1
HEADER = f"crackjack result cache {FORMAT}\n"
MAX_SEGMENTS = 8
STALE_DAYS = 30
REFRESH_SECONDS = 3600
"""A hit refreshes its key's time only when older than this: a rerun writes nothing."""
_HEX = "0123456789abcdef"
_SUFFIX = ".seg"
PROGRAMS = "programs.json"


class Store:
    """The cache's files under ``folder`` (the configured or default cache folder)."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.top = folder
        self.folder = folder / f"v{FORMAT}"
        self.max_bytes = max_bytes
        self.warning: str | None = None
        self._lock = threading.Lock()
        self._buckets: dict[str, dict[str, int]] = {}
        self._added: dict[str, dict[str, int]] = {}
        self._programs: dict[str, list[object]] | None = None
        self._programs_read: dict[str, list[object]] = {}
        self._wrote = False

    def warn(self, text: str) -> None:
        with self._lock:
            self.warning = self.warning or text

    # --- keys -----------------------------------------------------------------------------

    def known(self, bucket: str) -> dict[str, int]:
        """Every key of ``bucket`` with when it was last used (read once per run)."""
        keys = self._buckets.get(bucket)
        if keys is not None:
            return keys
        keys = {}
        for segment in self._segments(bucket):
            keys.update(self._read(segment) or {})
        with self._lock:  # the recorder's thread adds keys while hooks' threads look them up
            return self._buckets.setdefault(bucket, keys)

    def add(self, bucket: str, keys: dict[str, int]) -> None:
        """Write ``keys`` (with when they were used) as a new segment of ``bucket``: other
        runs see them at once, this one only after ``settle`` (a run serves no hook the
        passes it earned itself, as a hook rerun after fixes might otherwise be)."""
        if not keys:
            return
        self.known(bucket)  # what the bucket held before this run wrote to it
        with self._lock:
            self._added.setdefault(bucket, {}).update(keys)
        folder = self.folder / bucket
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._write(folder / f"{os.urandom(8).hex()}{_SUFFIX}", keys)
        except OSError as exc:
            self._unwritable(exc)
            return
        self._compact(bucket)
        with self._lock:
            first, self._wrote = not self._wrote, True
        if first:
            self._prune()

    def settle(self) -> None:
        """Let this run see the keys it added (it has ended)."""
        with self._lock:
            added, self._added = self._added, {}
        for bucket, keys in added.items():
            self.known(bucket).update(keys)

    def _segments(self, bucket: str) -> list[Path]:
        try:
            with os.scandir(self.folder / bucket) as entries:
                return sorted(Path(e.path) for e in entries if e.name.endswith(_SUFFIX))
        except OSError:
            return []

    def _read(self, segment: Path) -> dict[str, int] | None:
        """The keys of ``segment``; None when it is gone (compacted by another run) or does
        not parse (it is removed, and the run warned)."""
        try:
            text = segment.read_text(encoding="ascii")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            return self._damaged(segment, exc)
        keys: dict[str, int] = {}
        lines = text.split("\n")
        if not text.startswith(HEADER) or lines[-1]:
            return self._damaged(segment, None)
        for line in lines[1:-1]:
            key, _, used = line.partition(" ")
            if len(key) != 32 or key.strip(_HEX) or not used.isdigit() or len(used) > 19:
                return self._damaged(segment, None)
            keys[key] = int(used)
        return keys

    def _damaged(self, segment: Path, exc: BaseException | None) -> dict[str, int] | None:
        why = f": {describe_os_error(exc)}" if isinstance(exc, OSError) else ""
        try:
            segment.unlink()
        except OSError as error:
            done = f"ignored; it cannot be removed: {describe_os_error(error)}"
        else:
            done = "ignored and removed"
        self.warn(f"the result cache has a damaged file{why}, {done}: {segment}")
        return None

    def _write(self, path: Path, keys: dict[str, int]) -> None:
        body = "".join(map("%s %d\n".__mod__, keys.items()))
        _publish(path, (HEADER + body).encode("ascii"))

    def _compact(self, bucket: str) -> None:
        """Merge the bucket's segments into one once there are too many (each run that
        writes adds one), leaving out keys unused for ``STALE_DAYS``."""
        segments = self._segments(bucket)
        if len(segments) <= MAX_SEGMENTS:
            return
        merged: dict[str, int] = {}
        for segment in segments:
            for key, used in (self._read(segment) or {}).items():
                merged[key] = max(used, merged.get(key, 0))
        fresh_after = int(time.time()) - STALE_DAYS * 86400
        merged = {key: used for key, used in merged.items() if used >= fresh_after}
        try:
            self._write(self.folder / bucket / f"{os.urandom(8).hex()}{_SUFFIX}", merged)
        except OSError:
            return
        for segment in segments:
            with contextlib.suppress(OSError):
                segment.unlink()

    def _prune(self) -> None:
        """Remove the least recently used buckets while the cache is over its size (once per
        run, after its first write), and what a killed run left half-written long ago."""
        sizes: list[tuple[float, int, Path]] = []
        total = 0
        try:
            with os.scandir(self.folder) as entries:
                buckets = [Path(e.path) for e in entries if e.is_dir(follow_symlinks=False)]
        except OSError:
            return
        _remove_old_temporaries(buckets, time.time() - REFRESH_SECONDS)
        for bucket in buckets:
            newest, size = 0.0, 0
            for segment in self._segments(bucket.name):
                with contextlib.suppress(OSError):
                    info = segment.stat()
                    newest, size = max(newest, info.st_mtime), size + info.st_size
            sizes.append((newest, size, bucket))
            total += size
        for _newest, size, bucket in sorted(sizes, key=lambda item: item[0]):
            if total <= self.max_bytes:
                break
            import shutil  # only for a cache outgrowing its size (a few ms of imports)

            shutil.rmtree(bucket, ignore_errors=True)
            total -= size

    def _unwritable(self, exc: OSError) -> None:
        where = exc.filename or self.folder
        self.warn(f"the result cache cannot be written ({where}): {describe_os_error(exc)}")

    # --- programs' digests ----------------------------------------------------------------

    def programs(self) -> dict[str, list[object]]:
        """The remembered digests of executables (``identity.executable_digest``'s memo)."""
        if self._programs is None:
            self._programs = _read_json(self.folder / PROGRAMS)
            self._programs_read = dict(self._programs)
        return self._programs

    def save_programs(self) -> None:
        """Write the digests back if a new one was learnt."""
        programs = self._programs
        if programs is None or programs == self._programs_read:
            return
        self._programs_read = dict(programs)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _publish(self.folder / PROGRAMS, json.dumps(programs).encode("utf-8"))
        except OSError as exc:
            self._unwritable(exc)


def _publish(path: Path, data: bytes) -> None:
    """Put ``data`` at ``path`` whole: written to a temporary file beside it, renamed over it.

    Not fsynced, unlike ``fsutil.replaced``: that costs a run milliseconds per hook, and a cache
    need not survive a power loss. A file it leaves empty or cut short is read as damaged or
    as fewer keys (each line is checked), never as a pass that was not earned."""
    temp = path.with_name(f".{os.urandom(8).hex()}{TEMP_SUFFIX}")
    try:
        with new_file(temp, 0o644) as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _remove_old_temporaries(buckets: list[Path], before: float) -> None:
    """Remove what a killed run left half-written: temporary files older than ``before``
    (younger ones may be another run's, being written now)."""
    for bucket in buckets:
        with contextlib.suppress(OSError), os.scandir(bucket) as entries:
            for entry in entries:
                if entry.name.endswith(TEMP_SUFFIX) and entry.stat().st_mtime < before:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


def _read_json(path: Path) -> dict[str, list[object]]:
    data = read_json_object(path) or {}
    return {k: v for k, v in data.items() if isinstance(v, list) and len(v) == 4}
