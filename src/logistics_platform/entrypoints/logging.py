"""Structured logs: readable in a terminal, JSON lines in production (``LOG_FORMAT=json``)."""

import logging
import sys

import structlog
from structlog.processors import ExceptionRenderer
from structlog.tracebacks import ExceptionDictTransformer

from logistics_platform.config import Settings


def configure_logging(settings: Settings) -> None:
    level = logging.getLevelName(settings.log_level)
    # Tracebacks without the frames' local variables: those may hold credentials, and
    # a broker restart logs a few tracebacks per connection.
    rendering: list[structlog.types.Processor] = (
        [
            ExceptionRenderer(ExceptionDictTransformer(show_locals=False)),  # as data
            structlog.processors.JSONRenderer(),
        ]
        if settings.log_format == "json"
        else [
            structlog.dev.ConsoleRenderer(
                exception_formatter=structlog.dev.RichTracebackFormatter(show_locals=False)
            )
        ]
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
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
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
            foreign_pre_chain=shared,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
