from __future__ import annotations

import pytest

from crackjack.core.files.stamps import COARSE_SETTLED_NS, SETTLED_NS, settled

SECOND = 1_000_000_000
NOW = 1_800_000_000 * SECOND + 123_456_789


@pytest.mark.parametrize(
    ("mtime", "ctime", "expected"),
    [
        (NOW - SETTLED_NS - 1, NOW - SETTLED_NS - 1, True),
        (NOW - SETTLED_NS, NOW - SETTLED_NS - 1, False),
        (NOW - SETTLED_NS - 1, NOW - 1, False),  # changed again (chmod, rename) just now
        (NOW + SECOND, NOW - SECOND, False),  # a time ahead of the clock: not settled
        (NOW - SECOND - NOW % SECOND, NOW - SECOND - NOW % SECOND, False),  # whole seconds
        (NOW - 3 * SECOND - NOW % SECOND, NOW - 3 * SECOND - NOW % SECOND, True),
        (NOW - SECOND - NOW % SECOND, NOW - SECOND, True),  # only mtime whole: fine times
    ],
)
def test_a_file_settles_one_window_after_its_last_change(
    mtime: int, ctime: int, expected: bool
) -> None:
    assert settled(mtime, ctime, NOW) is expected


def test_whole_second_times_take_the_coarse_window() -> None:
    last = NOW - NOW % SECOND - 2 * SECOND
    assert not settled(last, last, last + COARSE_SETTLED_NS)
    assert settled(last, last, last + COARSE_SETTLED_NS + 1)
