"""kpgraph's typed errors. The CLI maps each class to one exit code; the library never exits.

=========================  ====  ===============================================
class                      exit  meaning
=========================  ====  ===============================================
InvalidDataError           1     the dataset breaks the data contract
IntegrityError             1     an evidence bundle is altered, incomplete or not one
UsageError                 2     the request itself is wrong (bad option, no such file)
BackendUnavailableError    3     Neo4j cannot be reached, refuses the credentials,
                                 or has no such database
BackendError               4     Neo4j answered with an error while working
=========================  ====  ===============================================
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "KpgraphError",
    "InvalidDataError",
    "UsageError",
    "BackendUnavailableError",
    "BackendError",
    "Violation",
    "IntegrityError",
    "KpgraphWarning",
    "SlowDatabaseWarning",
]


class KpgraphWarning(UserWarning):
    """Something the user should know that does not stop the work (the CLI prints it on
    stderr as ``kpgraph: warning: …``)."""


class SlowDatabaseWarning(KpgraphWarning):
    """The database answers correctly, but lacks what makes it fast."""


@dataclass(frozen=True, order=True)
class Violation:
    """One breach of the data contract, located like a compiler error."""

    file: str
    line: int
    column: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.reason}"


class KpgraphError(Exception):
    """Base class: every error kpgraph raises on purpose."""

    exit_code = 1


class InvalidDataError(KpgraphError):
    """The data breaks the contract. ``violations`` holds the first ``limit`` of ``total``."""

    exit_code = 1

    def __init__(self, violations: list[Violation], total: int | None = None):
        self.violations = violations
        self.total = len(violations) if total is None else total
        first = str(violations[0]) if violations else "invalid data"
        more = f" (and {self.total - 1} more)" if self.total > 1 else ""
        super().__init__(first + more)


class IntegrityError(KpgraphError):
    """An evidence bundle does not match its manifest (or has none)."""

    exit_code = 1


class UsageError(KpgraphError):
    exit_code = 2


class BackendUnavailableError(KpgraphError):
    exit_code = 3


class BackendError(KpgraphError):
    exit_code = 4
