"""The Alembic migrations build exactly the schema the code declares, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from logistics_platform.shared.infrastructure import migrations
from logistics_platform.shared.infrastructure.database import create_engine
from logistics_platform.shared.infrastructure.schema import metadata


def differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_migrations_match_the_declared_tables(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrations.upgrade(engine)
        await migrations.upgrade(engine)  # a second run is a no-op
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()
