"""kpgraph: graph analytics for Kimberley Process trade data.

The Python API (everything the ``kpgraph`` command does) is re-exported here.
"""

__version__ = "0.1.0"

from .api import (  # noqa: E402
    BACKENDS,
    audit_priorities,
    bulk_export,
    centrality,
    export,
    flags,
    info,
    investigate,
    load,
    open_graph,
    run_cypher,
    run_query,
    stats,
    synth,
    validate,
    verify,
    view,
)
from .errors import (  # noqa: E402
    BackendError,
    BackendUnavailableError,
    IntegrityError,
    InvalidDataError,
    KpgraphError,
    UsageError,
    Violation,
)
from .graph import GraphModel  # noqa: E402

__all__ = [
    "__version__", "BACKENDS", "bulk_export", "info", "load", "open_graph", "run_cypher",
    "run_query",
    "synth", "validate", "view", "export", "verify", "flags",
    "stats", "centrality", "audit_priorities", "investigate",
    "GraphModel", "KpgraphError", "InvalidDataError", "UsageError", "IntegrityError",
    "BackendUnavailableError", "BackendError", "Violation",
]
