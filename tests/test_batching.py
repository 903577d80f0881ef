from __future__ import annotations

import os

import pytest

from crackjack.core.errors import ConfigError
from crackjack.core.files.batching import (
    arg_cost,
    environ_size,
    max_command_length,
    partition,
)

BASE = ("ruff", "check", "--fix", "--")


def _length(argv: tuple[str, ...]) -> int:
    return sum(len(os.fsencode(arg)) + 1 + 8 for arg in argv)


def _check(batches: list[tuple[str, ...]], files: list[str], limit: int) -> None:
    assert [name for batch in batches for name in batch] == files
    assert all(batch for batch in batches)
    assert all(_length(BASE + batch) <= limit for batch in batches)


def test_no_files_no_batches() -> None:
    assert partition(BASE, []) == []


def test_small_list_is_one_batch() -> None:
    assert partition(BASE, ["a.py", "b.py"]) == [("a.py", "b.py")]


def test_arg_cost_counts_encoded_bytes() -> None:
    assert arg_cost("a") == 1 + 1 + 8
    assert arg_cost("é") == 2 + 1 + 8
    assert arg_cost(os.fsdecode(b"\xff")) == 1 + 1 + 8


@pytest.mark.parametrize("limit", [4096, 10_000, 2**17])
def test_ten_thousand_files(limit: int) -> None:
    files = [f"src/package_{i % 97}/module_{i}.py" for i in range(10_000)]
    batches = partition(BASE, files, max_length=limit)
    _check(batches, files, limit)
    assert len(batches) > 1


def test_default_limit_ten_thousand_files() -> None:
    files = [f"ü/{i:05}.py" for i in range(10_000)]
    batches = partition(BASE, files)
    _check(batches, files, max_command_length())


def test_exact_fit_boundary() -> None:
    files = ["aaaa", "bbbb", "cccc"]
    exact = _length(BASE) + 3 * arg_cost("aaaa")
    assert partition(BASE, files, max_length=exact) == [tuple(files)]
    assert partition(BASE, files, max_length=exact - 1) == [("aaaa", "bbbb"), ("cccc",)]


def test_one_file_per_batch_when_tight() -> None:
    files = ["a", "b", "c"]
    limit = _length(BASE) + arg_cost("a")
    assert partition(BASE, files, max_length=limit) == [("a",), ("b",), ("c",)]


def test_base_argv_too_long() -> None:
    with pytest.raises(ConfigError, match="over the 100-byte command line limit"):
        partition(["x" * 200], ["a.py"], max_length=100)


def test_base_argv_too_long_even_without_files() -> None:
    with pytest.raises(ConfigError, match=r"the command x+\.\.\. takes"):
        partition(["x" * 200], [], max_length=100)


def test_single_file_too_long() -> None:
    limit = _length(BASE) + 50
    with pytest.raises(ConfigError, match=r"the file name 'y+\.\.\.' is too long"):
        partition(BASE, ["ok.py", "y" * 200], max_length=limit)


def test_environ_size() -> None:
    assert environ_size({}) == 0
    assert environ_size({b"A": b"bc"}) == 1 + 1 + 2 + 1 + 8


def test_max_command_length_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    normal = max_command_length()
    assert 2**12 <= normal <= 2**17
    before = environ_size(os.environb)
    monkeypatch.setattr(os, "sysconf", lambda name: 2**17 + 2048 + before)
    assert max_command_length() == 2**17
    monkeypatch.setenv("CRACKJACK_TEST_HUGE", "x" * 100_000)
    assert max_command_length() == 2**17 - 100_000 - len("CRACKJACK_TEST_HUGE") - 10
    monkeypatch.setattr(os, "sysconf", lambda name: 1024)
    assert max_command_length() == 2**12
