"""Structured logs: readable in a terminal, JSON lines in production (``LOG_FORMAT=json``).

Every JSON line carries the process role and the package version; lines written while a
request or an event is handled carry its correlation id (bound as a context variable by
the HTTP middleware and the event transports)."""

import logging
import sys
from importlib.metadata import PackageNotFoundError, version

import structlog
from structlog.processors import ExceptionRenderer
from structlog.tracebacks import ExceptionDictTransformer

from logistics_platform.config import Settings


def package_version() -> str:
    try:
        return version("logistics-platform")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree not installed
        return "unknown"


def configure_logging(settings: Settings, *, role: str = "cli") -> None:
    level = logging.getLevelName(settings.log_level)
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *_rendering(settings.log_format, role),
            ],
            foreign_pre_chain=shared,
        )
    )
    _skip_what_no_line_shows()
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)  # ours is the access log
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # a line per plugin


def _rendering(log_format: str, role: str) -> list[structlog.types.Processor]:
    # Tracebacks without the frames' local variables: those may hold credentials, and
    # a broker restart logs a few tracebacks per connection.
    if log_format == "json":
        return [
            ExceptionRenderer(ExceptionDictTransformer(show_locals=False)),  # as data
            _Constant(role=role, version=package_version()),  # a terminal knows its own
            structlog.processors.EventRenamer("message"),
            structlog.processors.JSONRenderer(),
        ]
    return [
        structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(),  # no escape codes in files and log collectors
            exception_formatter=structlog.dev.RichTracebackFormatter(show_locals=False),
        )
    ]


def _skip_what_no_line_shows() -> None:
    """No line shows the caller's file and line, nor the thread or process: not looking
    them up halves the cost of a line (one per request: the access log)."""
    logging._srcfile = None  # the logging module's documented switch for findCaller
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False


class _Constant:
    """Adds the same fields to every line (the role and version of the process)."""

    def __init__(self, **fields: str) -> None:
        self._fields = fields

    def __call__(
        self, _logger: object, _method: str, event: structlog.types.EventDict
    ) -> structlog.types.EventDict:
        event.update(self._fields)
        return event
