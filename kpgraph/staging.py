"""Writing a set of files so that a reader never sees half of them."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["staged_folder"]


@contextmanager
def staged_folder(out: Path | str, prefix: str) -> Iterator[Path]:
    """Yield a temporary folder beside ``out``; when the block ends without an error, move
    every file written there into ``out`` (created if needed). On an error nothing moves,
    and the temporary folder is removed either way."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=out.parent))
    try:
        yield tmp
        out.mkdir(exist_ok=True)
        for f in sorted(tmp.iterdir()):
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
