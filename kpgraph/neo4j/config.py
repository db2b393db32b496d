"""Neo4j connection settings, from the environment (or a prompt, for the password).

``NEO4J_URI`` (default ``bolt://localhost:7687``), ``NEO4J_USER`` (default ``neo4j``),
``NEO4J_PASSWORD`` and ``NEO4J_DATABASE`` (default ``neo4j``). The password is never part
of any message, log line or ``repr``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

__all__ = ["Neo4jConfig"]


@dataclass(frozen=True)
class Neo4jConfig:
    uri: str = "bolt://localhost:7687"
    user: str = "neo4j"
    password: str | None = field(default=None, repr=False)
    database: str = "neo4j"

    @classmethod
    def from_env(cls, password: str | None = None, env=None) -> Neo4jConfig:
        env = os.environ if env is None else env
        return cls(
            uri=env.get("NEO4J_URI") or cls.uri,
            user=env.get("NEO4J_USER") or cls.user,
            password=password if password is not None else env.get("NEO4J_PASSWORD"),
            database=env.get("NEO4J_DATABASE") or cls.database,
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
