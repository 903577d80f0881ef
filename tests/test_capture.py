from __future__ import annotations

from pathlib import Path

import pytest

from crackjack.core.process import capture as capture_module
from crackjack.core.process.capture import Kept, OutputCapture, decode


def test_output_under_the_limit_stays_in_memory(tmp_path: Path) -> None:
    spill = tmp_path / "out.log"
    capture = OutputCapture(10, spill)
    capture.write(b"hello")
    capture.write(b"")
    capture.write(b" you")
    capture.close()
    assert capture.tail == b"hello you"
    assert capture.total_bytes == 9
    assert capture.total_bytes == len(capture.tail)
    assert capture.spilled_to is None
    assert not spill.exists()


def test_overflow_keeps_the_tail_and_spills_everything(tmp_path: Path) -> None:
    spill = tmp_path / "out.log"
    capture = OutputCapture(4, spill)
    for chunk in (b"abc", b"defg", b"h", b"ijklmnop"):
        capture.write(chunk)
    capture.close()
    assert capture.tail == b"mnop"
    assert capture.total_bytes == 16
    assert capture.total_bytes > len(capture.tail)
    assert capture.spilled_to == spill
    assert spill.read_bytes() == b"abcdefghijklmnop"


def test_memory_stays_bounded_over_many_writes(tmp_path: Path) -> None:
    capture = OutputCapture(100, tmp_path / "out.log")
    for i in range(1000):
        capture.write(bytes([i % 256]) * 1000)
        assert len(capture.tail) <= 100
    capture.close()
    assert capture.tail == bytes([999 % 256]) * 100
    assert capture.total_bytes == 1_000_000
    assert (tmp_path / "out.log").stat().st_size == 1_000_000


def test_no_limit_keeps_everything_and_never_spills(tmp_path: Path) -> None:
    spill = tmp_path / "out.log"
    capture = OutputCapture(None, spill)
    for _ in range(100):
        capture.write(b"x" * 10_000)
    capture.close()
    assert capture.tail == b"x" * 1_000_000
    assert capture.total_bytes == len(capture.tail)
    assert capture.spilled_to is None
    assert not spill.exists()


def test_overflow_without_a_spill_path_only_keeps_the_tail() -> None:
    capture = OutputCapture(3, None)
    capture.write(b"abcdef")
    capture.close()
    assert capture.tail == b"def"
    assert capture.total_bytes > len(capture.tail)
    assert capture.spilled_to is None


def test_zero_tail_keeps_nothing() -> None:
    capture = OutputCapture(0, None)
    capture.write(b"abc")
    assert capture.tail == b""
    assert capture.total_bytes == 3


@pytest.mark.parametrize("where", ["missing/dir/out.log", "a-file/out.log"])
def test_spill_that_cannot_open_fails_silently(tmp_path: Path, where: str) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    capture = OutputCapture(4, tmp_path / where)
    capture.write(b"abcdef")
    capture.write(b"gh")
    capture.close()
    assert capture.tail == b"efgh"
    assert capture.total_bytes == 8
    assert capture.spilled_to is None


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("chunk", [10, 100_000])
def test_spill_on_a_full_disk_fails_silently(chunk: int) -> None:
    capture = OutputCapture(4, Path("/dev/full"))
    for _ in range(3):
        capture.write(b"z" * chunk)
    capture.close()
    assert capture.tail == b"zzzz"
    assert capture.total_bytes == 3 * chunk
    assert capture.spilled_to is None


def test_close_is_idempotent_and_final(tmp_path: Path) -> None:
    capture = OutputCapture(2, tmp_path / "out.log")
    capture.write(b"abc")
    capture.close()
    capture.close()
    assert capture.spilled_to == tmp_path / "out.log"
    with pytest.raises(ValueError, match="closed"):
        capture.write(b"d")


def test_negative_tail_is_refused() -> None:
    with pytest.raises(ValueError, match="tail_bytes"):
        OutputCapture(-1, None)


def test_decode_replaces_invalid_bytes() -> None:
    assert decode(b"caf\xe9 ok\n") == "caf\ufffd ok\n"
    assert decode("café ✓".encode()) == "café ✓"
    assert decode(b"") == ""


@pytest.mark.parametrize("cut", [1, 2, 3])
def test_decode_drops_a_character_cut_at_the_start(cut: int) -> None:
    data = "\U0001f600 done".encode()
    assert decode(data[cut:]) == " done"


def test_decode_keeps_a_run_of_continuation_bytes_too_long_to_be_a_cut() -> None:
    assert decode(b"\x80\x80\x80\x80x") == "\ufffd" * 4 + "x"


def test_a_head_is_kept_besides_the_tail_and_both_are_cut_to_whole_lines(tmp_path: Path) -> None:
    spill = tmp_path / "out.log"
    capture = OutputCapture(12, spill, head_bytes=10)
    for number in range(100):
        capture.write(f"line {number}\n".encode())
    capture.close()
    kept = capture.kept()
    assert kept == Kept("line 0\n", "line 99\n", 98)
    assert capture.head == b"line 0\nlin"
    assert capture.dropped
    assert spill.read_bytes().count(b"\n") == 100


def test_output_within_head_and_tail_is_kept_whole() -> None:
    capture = OutputCapture(8, None, head_bytes=8)
    capture.write(b"0123456789abcdef")
    assert not capture.dropped
    assert capture.kept() == Kept("0123456789abcdef")


def test_kept_batches_add_up_and_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(capture_module, "KEPT_HEAD", 8)
    monkeypatch.setattr(capture_module, "KEPT_TAIL", 8)
    assert Kept("a\n").then(Kept("b\n")) == Kept("a\nb\n")
    many = "".join(f"{n}\n" for n in range(10))
    assert Kept().then(Kept(many)) == Kept("0\n1\n2\n3\n", "6\n7\n8\n9\n", 2)
    gap = Kept("0\n", "5\n", 3)
    assert gap.then(Kept("6\n")) == Kept("0\n", "5\n6\n", 3)
    assert gap.then(Kept("6\n7\n8\n9\n")) == Kept("0\n", "6\n7\n8\n9\n", 4)
    assert Kept("x\n").then(gap) == Kept("x\n0\n", "5\n", 3)
    assert gap.then(gap) == Kept("0\n", "5\n", 3 + 2 + 3)
    assert Kept("0123456789\n").then(Kept("", "", 1)) == Kept("", "", 2)
