"""Settings for a command: read once, logging configured from them."""

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from logistics_platform.config import Settings


def settings_for_a_role(*, broker: bool = False) -> "Settings":
    """The settings, with logging configured; with ``broker``, RABBITMQ_URL must be set."""
    # Imported when a command runs, not for --help.
    from logistics_platform.config import Settings  # noqa: PLC0415
    from logistics_platform.entrypoints.logging import configure_logging  # noqa: PLC0415

    settings = Settings()
    configure_logging(settings)
    if broker and settings.rabbitmq_url is None:
        typer.secho("set RABBITMQ_URL (amqp://…): this command works with RabbitMQ", fg="red")
        raise typer.Exit(2)
    return settings
