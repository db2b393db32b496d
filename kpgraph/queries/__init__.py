"""Canned queries: the Cypher files of ``cypher/`` and their embedded twins."""

from .registry import CannedQuery, Param, coerce_params, get, names, pack
from .twins import TWINS

__all__ = ["CannedQuery", "Param", "coerce_params", "get", "names", "pack", "TWINS"]
