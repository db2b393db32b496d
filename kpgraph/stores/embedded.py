"""The embedded store: a validated dataset folder, held in process as a graph model.

Nothing is written anywhere: "loading" is reading and validating the folder and typing its
tables. It is the default backend, so that an investigation needs no server.
"""

from __future__ import annotations

from pathlib import Path

from ..graph import GraphModel
from ..validate import DEFAULT_MAX_ERRORS, read_dataset

__all__ = ["open_embedded"]


def open_embedded(path: Path | str, require: str | None = None,
                  max_errors: int = DEFAULT_MAX_ERRORS) -> GraphModel:
    """Validate ``path`` and return its graph model (raises InvalidDataError)."""
    ds = read_dataset(path, require=require, max_errors=max_errors)
    return GraphModel(ds.frames, source=str(Path(path)))
