"""crackjack.core.digest gives hashlib's digests, whichever implementation computes them."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from pathlib import Path

import pytest

from crackjack.core import digest
from crackjack.core.digest import SMALL, Algorithm, file_digest, hexdigest, maker, new, stream

ALGORITHMS: tuple[Algorithm, ...] = ("sha1", "sha256", "blake2b")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("size", [0, 1, 1000, SMALL, SMALL + 1])
def test_the_same_digest_as_hashlib(algorithm: Algorithm, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    expected = hashlib.new(algorithm, data)
    assert new(algorithm, data).digest() == expected.digest()
    assert hexdigest(data, algorithm) == expected.hexdigest()
    streamed = stream(algorithm)
    streamed.update(data[: size // 2])
    streamed.update(data[size // 2 :])
    assert streamed.hexdigest() == expected.hexdigest()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_maker_gives_the_same_digests_with_hashlib_loaded_or_not(algorithm: Algorithm) -> None:
    data = b"path\0content\0chain"
    assert maker(algorithm)(data).hexdigest() == hashlib.new(algorithm, data).hexdigest()
    script = (
        "import sys; from crackjack.core.digest import maker;"
        f" print(maker({algorithm!r})({data!r}).hexdigest(), 'hashlib' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.split() == [hashlib.new(algorithm, data).hexdigest(), "False"]


def test_sha256_is_the_default_and_files_are_hashed_whole(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"abc" * 1_000_000)  # longer than SMALL: hashed in chunks
    assert hexdigest(b"abc") == hashlib.sha256(b"abc").hexdigest()
    with open(path, "rb") as handle:
        assert (
            file_digest(handle, "blake2b").digest() == hashlib.blake2b(path.read_bytes()).digest()
        )
    small = tmp_path / "small"
    small.write_bytes(b"abc")
    with open(small, "rb") as handle:
        assert file_digest(handle, "sha1").hexdigest() == hashlib.sha1(b"abc").hexdigest()
    with pytest.raises(ValueError, match="binary"):
        file_digest(io.StringIO("text"), "sha1")  # type: ignore[arg-type]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_the_small_modules_give_hashlibs_digests(algorithm: Algorithm) -> None:
    small = digest._small(algorithm)
    assert small is not None  # CPython builds them all by default
    assert small(b"abc" * 1000).hexdigest() == hashlib.new(algorithm, b"abc" * 1000).hexdigest()


def test_openssl_is_loaded_only_past_the_small_modules_share() -> None:
    # In a fresh interpreter: short input never loads hashlib; past SMALL bytes, hashlib takes
    # over, with the same digests.
    code = """
import sys
from crackjack.core.digest import SMALL, hexdigest
first = hexdigest(b"a" * 1000)
print("hashlib" in sys.modules)
for _ in range(SMALL // 1000 + 1):
    assert hexdigest(b"a" * 1000) == first
print("hashlib" in sys.modules)
import hashlib
print(first == hashlib.sha256(b"a" * 1000).hexdigest())
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True", "True"]
