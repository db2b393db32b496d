"""The one seam between kpgraph and the Neo4j driver.

Every statement kpgraph sends goes through :class:`QueryRunner`: each has an explicit
``read`` or ``write`` mode (read statements run in read transactions, so a canned query
that tries to write fails and changes nothing), and every value travels as a parameter.
Driver exceptions become kpgraph's typed errors here, with messages that name the server
and user but never the password.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Literal

import neo4j
from neo4j import exceptions as nx
from neo4j.graph import Node, Path, Relationship

from ..errors import BackendError, BackendUnavailableError
from .config import Neo4jConfig

__all__ = ["QueryRunner", "Mode"]

Mode = Literal["read", "write"]
_UNAVAILABLE_CODES = {
    "Neo.ClientError.Database.DatabaseNotFound",
    "Neo.ClientError.Security.Unauthorized",
    "Neo.ClientError.Security.AuthenticationRateLimit",
    "Neo.ClientError.Security.CredentialsExpired",
}


class QueryRunner:
    """Runs parametrised Cypher in read or write transactions on one database."""

    def __init__(self, config: Neo4jConfig):
        self.config = config
        auth = None if config.password is None else (config.user, config.password)
        try:
            self._driver = neo4j.GraphDatabase.driver(config.uri, auth=auth,
                                                      connection_timeout=10,
                                                      max_transaction_retry_time=30,
                                                      notifications_min_severity="OFF")
        except (ValueError, nx.ConfigurationError) as exc:
            why = str(exc).replace(config.uri, config.shown_uri)  # the driver quotes it
            raise BackendUnavailableError(f"Neo4j URI {config.shown_uri!r} is not valid: "
                                          f"{why}") from None

    # -- life cycle ---------------------------------------------------------------------
    def verify(self) -> None:
        """Fail early, with a clear message, if the server, user or database is wrong."""
        with self._errors():
            self._driver.verify_connectivity()
        self.run("RETURN 1 AS ok", mode="read")

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> QueryRunner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- statements ---------------------------------------------------------------------
    def run(self, query: str, params: dict[str, Any] | None = None, *, mode: Mode,
            plain: bool = False) -> list[dict[str, Any]]:
        """Run one statement in a managed (retried) transaction; return its rows.

        Driver values (dates, nodes, paths) become plain Python; ``plain=True`` says the
        statement returns only text, numbers, booleans, nulls and lists of them, and skips
        that walk (a second or more on a result of a million values)."""
        if mode not in ("read", "write"):
            raise ValueError("mode must be 'read' or 'write'")
        params = params or {}
        native = (lambda v: v) if plain else _native

        def work(tx):
            # dict(record), not record.data(): the same values, without data()'s slow
            # recursive copy (seconds for a large result)
            return [native(dict(r)) for r in tx.run(query, params)]

        with self._errors(), self._session() as session:
            if mode == "read":
                return session.execute_read(work)
            return session.execute_write(work)

    def run_auto(self, query: str, params: dict[str, Any] | None = None) -> list[dict]:
        """An auto-commit write, for schema statements and ``CALL { } IN TRANSACTIONS``."""
        with self._errors(), self._session() as session:
            return [r.data() for r in session.run(query, params or {})]

    @contextmanager
    def _session(self):
        with self._driver.session(database=self.config.database) as session:
            yield session

    @contextmanager
    def _errors(self):
        where = self.config.describe()
        try:
            yield
        except nx.AuthError:
            raise BackendUnavailableError(
                f"Neo4j at {where} refused the credentials") from None
        except nx.ServiceUnavailable as exc:
            raise BackendUnavailableError(
                f"cannot reach Neo4j at {where}: {_first_line(exc)}") from None
        except nx.Neo4jError as exc:
            if exc.code in _UNAVAILABLE_CODES:
                raise BackendUnavailableError(
                    f"Neo4j at {where}: {exc.message or exc.code}") from None
            raise BackendError(f"Neo4j error {exc.code}: {exc.message}") from None
        except nx.DriverError as exc:
            raise BackendError(f"Neo4j driver error talking to {where}: "
                               f"{_first_line(exc)}") from None
        except OSError as exc:  # a socket torn down under the driver
            raise BackendUnavailableError(f"lost the connection to Neo4j at {where}: "
                                          f"{_first_line(exc)}") from None


def _native(value):
    """Driver values as plain Python: neo4j dates and times become ``datetime`` ones; nodes
    and relationships their properties; paths their nodes' properties."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (Node, Relationship)):
        return {k: _native(v) for k, v in value.items()}
    if isinstance(value, Path):
        return [_native(n) for n in value.nodes]
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_native(v) for v in value]
    if hasattr(value, "to_native"):
        return value.to_native()
    return value


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
