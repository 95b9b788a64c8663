"""Settings for a command: read once, logging configured from them.

A setting that cannot be read is a start-up failure like any other: one clear line (a
JSON line with ``LOG_FORMAT=json``) and exit code 1, no traceback."""

import os
from typing import TYPE_CHECKING, Literal, NoReturn

import typer

if TYPE_CHECKING:
    from pydantic import ValidationError

    from logistics_platform.config import Settings


def settings_for_a_role(*, broker: bool = False, role: str | None = None) -> "Settings":
    """The settings, with logging configured for ``role`` (by default the command's
    name), named in every log line; with ``broker``, RABBITMQ_URL must be set."""
    # Imported when a command runs, not for --help.
    from pydantic import ValidationError  # noqa: PLC0415

    from logistics_platform.config import Settings  # noqa: PLC0415
    from logistics_platform.entrypoints.logging import configure_logging  # noqa: PLC0415

    role = role or _command[0]
    try:
        settings = Settings()
    except ValidationError as error:
        json = os.environ.get("LOG_FORMAT", "").lower() == "json"
        log_format: Literal["console", "json"] = "json" if json else "console"
        configure_logging(Settings.model_construct(log_format=log_format), role=role)
        fail_to_start("invalid settings: " + _summary(error))
    configure_logging(settings, role=role)
    if broker and settings.rabbitmq_url is None:
        typer.secho("set RABBITMQ_URL (amqp://…): this command works with RabbitMQ", fg="red")
        raise typer.Exit(2)
    return settings


_command = ["cli"]  # the command running (the CLI's callback names it)


def name_the_command(name: str | None) -> None:
    """The running command's name: the process role in log lines unless one is given."""
    _command[0] = name or "cli"


def _summary(error: "ValidationError") -> str:
    # Not the values given: one of them may be a secret.
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']).upper()}: {problem['msg']}"
        for problem in error.errors()
    )


def one_line(error: BaseException) -> str:
    """An error's type and the first line of its message (drivers add pages of context)."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first[:500]}" if first else type(error).__name__


def fail_to_start(message: str) -> NoReturn:
    """Log why the command cannot start, in one line, and exit with code 1."""
    import structlog  # noqa: PLC0415

    structlog.get_logger("logistics_platform.start").error(message)
    raise typer.Exit(1)
