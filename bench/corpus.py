"""The benchmark corpus: a pinned sdist from PyPI, unpacked into its own git repository.

``python bench/corpus.py`` builds it once into ``bench/.work/corpus`` (later calls reuse it);
``reset`` puts its work tree back to the committed state before every timed run, because the
fixers being measured rewrite files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "pip"
VERSION = "24.3.1"
SDIST = f"{PACKAGE}-{VERSION}.tar.gz"
SHA256 = "ebcb60557f2aefabc2e0f918751cd24ea0d56d8ec5445fe1807f1d2109660b99"

WORK = Path(__file__).resolve().parent / ".work"
CORPUS = WORK / "corpus"
DOWNLOADS = WORK / "downloads"
MARKER = "crackjack-bench-corpus"

_IDENTITY = ("-c", "user.name=bench", "-c", "user.email=bench@example.invalid")
_FIXED_DATE = "2024-10-27T00:00:00+00:00"


class CorpusError(Exception):
    """The corpus could not be built or reset."""


def git_env() -> dict[str, str]:
    """The environment without the user's git configuration or repository variables."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CEILING_DIRECTORIES=str(WORK),
        GIT_AUTHOR_DATE=_FIXED_DATE,
        GIT_COMMITTER_DATE=_FIXED_DATE,
    )
    return env


def git(corpus: Path, *args: str) -> None:
    """Run git on ``corpus`` only: its repository is named explicitly, never discovered."""
    subprocess.run(_git_argv(corpus, args), cwd=corpus, env=git_env(), check=True)


def git_output(corpus: Path, *args: str) -> bytes:
    """Like :func:`git`, and return what it printed on stdout."""
    argv = _git_argv(corpus, args)
    return subprocess.run(argv, cwd=corpus, env=git_env(), check=True, capture_output=True).stdout


def _git_argv(corpus: Path, args: tuple[str, ...]) -> list[str]:
    return ["git", f"--git-dir={corpus / '.git'}", f"--work-tree={corpus}", *_IDENTITY, *args]


def reset(corpus: Path = CORPUS) -> None:
    """Undo every change to the work tree, including untracked and ignored files (caches)."""
    if not (corpus / ".git" / MARKER).is_file():
        raise CorpusError(f"{corpus} is not a benchmark corpus: run bench/corpus.py first")
    git(corpus, "reset", "--hard", "-q")
    git(corpus, "clean", "-fdxq")


def ensure_corpus(corpus: Path = CORPUS) -> Path:
    """The corpus, built if missing or not of the pinned version, and reset."""
    if read_marker(corpus) != f"{PACKAGE}=={VERSION}":
        _build(corpus)
    reset(corpus)
    return corpus


def read_marker(corpus: Path) -> str | None:
    """What the corpus at ``corpus`` was built from, or None if it is not a benchmark corpus."""
    try:
        return (corpus / ".git" / MARKER).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _build(corpus: Path) -> None:
    sdist = download()
    shutil.rmtree(corpus, ignore_errors=True)
    unpack(sdist, corpus)
    subprocess.run(["git", "init", "-q", str(corpus)], env=git_env(), check=True)
    git(corpus, "add", "-A")
    git(corpus, "commit", "-q", "--no-verify", "--no-gpg-sign", "-m", f"{PACKAGE} {VERSION}")
    (corpus / ".git" / MARKER).write_text(f"{PACKAGE}=={VERSION}\n", encoding="utf-8")


def download() -> Path:
    """The pinned sdist, fetched with pip unless a copy with the right hash is already here."""
    sdist = DOWNLOADS / SDIST
    if not _verified(sdist):
        DOWNLOADS.mkdir(parents=True, exist_ok=True)
        requirement = f"{PACKAGE}=={VERSION}"
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        subprocess.run(
            [*pip, "--no-binary", ":all:", requirement, "-d", str(DOWNLOADS)], check=True
        )
    if not _verified(sdist):
        raise CorpusError(f"{sdist} is missing or its sha256 is not {SHA256}")
    return sdist


def _verified(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest() == SHA256


def unpack(sdist: Path, corpus: Path) -> None:
    """Extract the sdist's single top folder as ``corpus``, owned by the current user."""
    corpus.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=corpus.parent) as scratch:
        with tarfile.open(sdist) as archive:
            archive.extractall(scratch, filter="data")
        (top,) = Path(scratch).iterdir()
        top.rename(corpus)


def main() -> int:
    corpus = ensure_corpus()
    files = [path for path in corpus.rglob("*") if path.is_file() and ".git" not in path.parts]
    python = sum(1 for path in files if path.suffix == ".py")
    print(f"{corpus}: {PACKAGE} {VERSION}, {len(files)} files, {python} Python files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
