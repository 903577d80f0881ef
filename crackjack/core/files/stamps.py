"""When a file's stat data can stand for its content (git's racy-file rule).

File systems stamp times from a coarse clock: the kernel's advances once a tick (at most 10 ms),
and some file systems keep whole seconds only. A file changed shortly before it was looked at
could change again within the same tick, with the same size, and keep the same times; such a
file must be read again to tell. Older than the tick, its times tell every change.
"""

from __future__ import annotations

SETTLED_NS = 100_000_000
"""How long after its last change a file with fine times keeps its times (ten ticks)."""
COARSE_SETTLED_NS = 2_000_000_000
"""The same for a file whose times are whole seconds (FAT keeps mtimes in steps of 2 s)."""
_SECOND_NS = 1_000_000_000


def settled(mtime_ns: int, ctime_ns: int, at_ns: int) -> bool:
    """Whether a file last changed at ``mtime_ns`` and ``ctime_ns``, looked at at ``at_ns``
    (``time.time_ns()`` before the look), cannot have changed since with the same times."""
    coarse = mtime_ns % _SECOND_NS == 0 and ctime_ns % _SECOND_NS == 0
    window = COARSE_SETTLED_NS if coarse else SETTLED_NS
    return max(mtime_ns, ctime_ns) < at_ns - window
