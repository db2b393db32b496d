"""Neo4j connection settings, from the environment (or a prompt, for the password).

``NEO4J_URI`` (default ``bolt://localhost:7687``), ``NEO4J_USER`` (default ``neo4j``),
``NEO4J_PASSWORD`` and ``NEO4J_DATABASE`` (default ``neo4j``). The password is never part
of any message, log line or ``repr``. ``KPGRAPH_NEO4J_PARALLEL`` (default 2, at most 16):
how many parts of a route search run at once, one per core the server can give a query.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ..errors import UsageError

__all__ = ["Neo4jConfig", "MAX_PARALLEL"]

MAX_PARALLEL = 16


@dataclass(frozen=True)
class Neo4jConfig:
    uri: str = "bolt://localhost:7687"
    user: str = "neo4j"
    password: str | None = field(default=None, repr=False)
    database: str = "neo4j"
    # the server runs each query on one core: a route search runs in this many parts at once
    parallel: int = 2

    def __post_init__(self):
        if not (isinstance(self.parallel, int) and 1 <= self.parallel <= MAX_PARALLEL):
            raise UsageError(f"KPGRAPH_NEO4J_PARALLEL must be a whole number from 1 to "
                             f"{MAX_PARALLEL}, not {self.parallel!r}")

    @classmethod
    def from_env(cls, password: str | None = None, env=None) -> Neo4jConfig:
        env = os.environ if env is None else env
        return cls(
            uri=env.get("NEO4J_URI") or cls.uri,
            user=env.get("NEO4J_USER") or cls.user,
            password=password if password is not None else env.get("NEO4J_PASSWORD"),
            database=env.get("NEO4J_DATABASE") or cls.database,
            parallel=_whole(env.get("KPGRAPH_NEO4J_PARALLEL") or str(cls.parallel)),
        )

    @property
    def shown_uri(self) -> str:
        """The URI for messages and manifests: any ``user:password@`` part (which the driver
        refuses, but a user may still write) is replaced by ``***@``.

        >>> Neo4jConfig("neo4j+s://neo4j:s3cret@db.example:7687").shown_uri
        'neo4j+s://***@db.example:7687'
        """
        return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@", r"\1***@", self.uri)

    def describe(self) -> str:
        """Where we connect, for messages (never with the password)."""
        return f"{self.shown_uri} (user {self.user!r}, database {self.database!r})"


def _whole(text: str) -> int | str:
    """A setting's text as a whole number, or as it is (which the check then refuses)."""
    return int(text) if re.fullmatch(r"[0-9]{1,3}", text.strip()) else text
