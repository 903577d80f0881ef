"""A scratch copy of a hook's files, for a fixer that has no check-only variant.

In a check-only run such a fixer runs on the copy: what it changes there is what it would change
in the project, and the project's files are never written. The copy holds the hook's files and
the regular files at the project's root (where tools look for their configuration).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_copy(root: Path, files: Sequence[str], parent: Path) -> Iterator[Path]:
    """A folder under ``parent`` laid out like ``root`` with ``files``; removed on exit."""
    folder = Path(tempfile.mkdtemp(prefix="scratch-", dir=parent))
    try:
        for entry in root.iterdir():
            if entry.is_file() and not entry.is_symlink():
                shutil.copy2(entry, folder / entry.name)
        for name in files:
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, target, follow_symlinks=False)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
