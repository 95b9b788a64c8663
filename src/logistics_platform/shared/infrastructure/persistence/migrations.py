"""Applying the Alembic migrations that ship inside the package."""

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.shared.infrastructure.persistence.database import create_engine

if TYPE_CHECKING:
    from alembic.config import Config

_SCRIPTS = Path(__file__).resolve().parents[3] / "migrations"

# The newest revision under migrations/versions (a test keeps the two equal): a process
# that finds its database there starts without loading Alembic and every script.
HEAD = "0011"


def alembic_config() -> "Config":
    from alembic.config import Config  # noqa: PLC0415 - only when there is work to do

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (idempotent; safe from several processes)."""
    if revision == "head" and await current_revision(engine) == HEAD:
        return
    from alembic import command  # noqa: PLC0415

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None before the first migration."""
    async with engine.connect() as connection:
        try:
            result = await connection.execute(text("SELECT version_num FROM alembic_version"))
        except DBAPIError:  # no such table yet
            return None
        revisions = result.scalars().all()
    return revisions[0] if len(revisions) == 1 else None


async def upgrade_url(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
