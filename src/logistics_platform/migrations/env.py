"""Alembic environment. Runs on a connection handed in by ``persistence.migrations.upgrade``
(so it works inside a running event loop); the ``alembic`` CLI gets one made here."""

import asyncio

from alembic import context
from sqlalchemy import Connection, text

from logistics_platform.migrations.metadata import metadata
from logistics_platform.shared.infrastructure.persistence.migrations import upgrade_url

_MIGRATION_LOCK = 7_405_551  # any constant: serializes concurrent upgrades on PostgreSQL


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"))
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    asyncio.run(upgrade_url(context.config.get_main_option("sqlalchemy.url") or ""))


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
_run_online()
