"""The protocol between crackjack and its pytest plugin, defined once for both sides.

crackjack starts ``python -m pytest -p crackjack_pytest.plugin ...`` with the write end of a
pipe inherited and named in ``REPORT_FD_ENV``. The plugin (in the main pytest process, never an
xdist worker) writes one JSON object per line to it, of these types:

- ``collected`` ``{"count": N}``: the number of tests that will run;
- ``start`` ``{"nodeid"}``: a test starts;
- ``report`` ``{"nodeid", "when", "category", "reason"}``: each report that pytest's summary
  line counts (category as the terminal reporter computes it: passed, failed, error, skipped,
  xfailed, xpassed, or a plugin's own such as rerun);
- ``finished`` ``{"nodeid", "duration"}``: setup + call + teardown seconds;
- ``deselected`` ``{"count": N}``: N tests deselected (by -k, -m, sharding...);
- ``coverage`` ``{"total": float, "fail_under": float | null}``: pytest-cov's total;
- ``session_finished`` ``{"exitstatus": int}``: always the last line.

``SHARD_ENV="K/N"`` asks the plugin to keep only the K-th of N shards of the collected tests.
Standard library only, Python 3.7 and later.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

REPORT_FD_ENV = "CRACKJACK_REPORT_FD"
SHARD_ENV = "CRACKJACK_SHARD"

COLLECTED = "collected"
START = "start"
REPORT = "report"
FINISHED = "finished"
DESELECTED = "deselected"
COVERAGE = "coverage"
SESSION_FINISHED = "session_finished"

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*", re.ASCII)
_ENCODER = json.JSONEncoder(separators=(",", ":"))


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` as ``(K, N)``; ValueError saying what is wrong unless 1 <= K <= N."""
    match = _SHARD.fullmatch(text)
    if match is None:
        raise ValueError("expected K/N, for example 2/4")
    index, count = int(match[1]), int(match[2])
    if not 1 <= index <= count:
        raise ValueError(f"K must be between 1 and N (here 1 to {count})")
    return index, count


def encode(message: Mapping[str, object]) -> bytes:
    """One line (ASCII, so any test id encodes)."""
    return (_ENCODER.encode(message) + "\n").encode()


def start_line(nodeid: str) -> bytes:
    """``encode({"type": START, "nodeid": nodeid})``, written out: this line and the next are
    sent for every test, and the encoder's set-up for each costs more than the line itself."""
    return b'{"type":"start","nodeid":%s}\n' % json.dumps(nodeid).encode()


def report_line(nodeid: str, when: str, category: str, reason: str) -> bytes:
    """``encode({"type": REPORT, "nodeid": ..., "when": ..., "category": ..., "reason": ...})``,
    written out: one for every test's counted report, like the two lines below."""
    fields = (json.dumps(text).encode() for text in (nodeid, when, category, reason))
    return b'{"type":"report","nodeid":%s,"when":%s,"category":%s,"reason":%s}\n' % tuple(fields)


def finished_line(nodeid: str, duration: float) -> bytes:
    """``encode({"type": FINISHED, "nodeid": nodeid, "duration": duration})``, written out
    (``duration`` is finite: its repr is a JSON number)."""
    return b'{"type":"finished","nodeid":%s,"duration":%r}\n' % (
        json.dumps(nodeid).encode(),
        duration,
    )
