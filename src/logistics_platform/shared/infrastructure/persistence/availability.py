"""Telling "a backing service cannot be reached now" from any other failure: the edge
answers the first with 503, and a consumer holds its event until the service is back
instead of using up the event's attempts on it."""

import sys

import asyncpg
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# The asyncpg errors come from the statements the hot paths send to the driver directly
# (InternalClientError: its protocol was halfway through the server's farewell, as on a
# restart).
UNAVAILABLE: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    PoolTimeout,
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)

# PostgreSQL refusing work for now: too many connections, shutting down, starting up.
_UNAVAILABLE_STATES = frozenset({"53300", "57P01", "57P02", "57P03"})


def unavailable(error: BaseException) -> bool:
    """Whether ``error`` says that the database (or another backing service) cannot be
    reached or refuses work for now, rather than that this work is wrong."""
    if isinstance(error, UNAVAILABLE + _read_store_errors()):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return _sqlstate(error) in _UNAVAILABLE_STATES


def _sqlstate(error: BaseException) -> str | None:
    driver_error = error.orig if isinstance(error, DBAPIError) else error
    code = getattr(driver_error, "sqlstate", None) or getattr(driver_error, "pgcode", None)
    return str(code) if code else None


def _read_store_errors() -> tuple[type[Exception], ...]:
    """Elasticsearch's "cannot reach it" errors, if its client was loaded: only the read
    store loads it, and nothing else raises them (the other roles never import it)."""
    client = sys.modules.get("elasticsearch")
    return (client.ConnectionError, client.ConnectionTimeout) if client else ()
