"""The Alembic migrations build exactly the schema the code declares, on both databases."""

import json
from datetime import datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.migrations.metadata import metadata
from logistics_platform.shared.infrastructure.persistence import migrations
from logistics_platform.shared.infrastructure.persistence.database import create_engine
from tests.integration.revisions import downgrade


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


RESERVED_LANE = "backoffice.track_on_stock_item_reserved"
REGISTERED_LANE = "backoffice.track_on_package_registered"


async def records(engine: AsyncEngine) -> dict[str, object]:
    async with engine.connect() as connection:

        async def rows(query: str) -> list[tuple[object, ...]]:
            return [tuple(row) for row in await connection.execute(text(query))]

        return {
            "handled": await rows(
                "SELECT subscriber, event_id FROM processed_events ORDER BY 1, 2"
            ),
            "checkpoints": await rows(
                "SELECT subscriber, position FROM subscription_checkpoints ORDER BY 1"
            ),
            "progress": await rows(
                "SELECT projection, position FROM backoffice_projection_progress ORDER BY 1"
            ),
            "dead": await rows("SELECT subscriber, event_id FROM dead_letters ORDER BY 2"),
        }


async def test_the_two_tracking_subscribers_records_carry_over_to_one(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrations.upgrade(engine, "0003")
        async with engine.begin() as connection:
            for name, event_id in [
                ("inventory.stock_item.reserved", "e-reserved"),
                ("logistics.package.registered", "e-registered"),
            ]:
                await connection.execute(
                    text(
                        "INSERT INTO outbox (event_id, name, aggregate_id, occurred_on, envelope)"
                        " VALUES (:id, :name, 'a', CURRENT_TIMESTAMP, '{}')"
                    ),
                    {"id": event_id, "name": name},
                )
            await connection.execute(
                text(
                    "INSERT INTO processed_events (subscriber, event_id) VALUES"
                    f" ('{RESERVED_LANE}', 'e-reserved'), ('{REGISTERED_LANE}', 'e-registered'),"
                    " ('logistics.create_package_on_stock_item_reserved', 'e-reserved')"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO subscription_checkpoints (subscriber, position) VALUES"
                    f" ('{RESERVED_LANE}', 10), ('{REGISTERED_LANE}', 7),"
                    " ('backoffice.catalog_on_stock_item_added', 12)"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO backoffice_projection_progress"
                    " (projection, position, event_id, occurred_on) VALUES"
                    f" ('{RESERVED_LANE}', 10, 'x', CURRENT_TIMESTAMP),"
                    f" ('{REGISTERED_LANE}', 7, 'y', CURRENT_TIMESTAMP)"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO dead_letters"
                    " (subscriber, event_id, event_name, envelope, error, attempts) VALUES"
                    f" ('{REGISTERED_LANE}', 'e-registered', 'logistics.package.registered',"
                    " '{}', 'boom', 5)"
                )
            )
        before = await records(engine)

        await migrations.upgrade(engine, "0004")  # later ones add records of their own (0010)
        after = await records(engine)
        await downgrade(engine, "0003")
        back = await records(engine)
    finally:
        await engine.dispose()

    assert after == {
        "handled": [
            ("backoffice.tracking", "e-registered"),
            ("backoffice.tracking", "e-reserved"),
            ("logistics.create_package_on_stock_item_reserved", "e-reserved"),
        ],
        "checkpoints": [("backoffice.catalog_on_stock_item_added", 12), ("backoffice.tracking", 7)],
        "progress": [("backoffice.tracking", 7)],
        "dead": [("backoffice.tracking", "e-registered")],
    }
    # Going back splits them again (a checkpoint or progress as far as the merged one's).
    assert back["handled"] == before["handled"]
    assert back["dead"] == before["dead"]
    assert back["checkpoints"] == [
        ("backoffice.catalog_on_stock_item_added", 12),
        (REGISTERED_LANE, 7),
        (RESERVED_LANE, 7),
    ]
    assert back["progress"] == [(REGISTERED_LANE, 7), (RESERVED_LANE, 7)]


async def test_a_database_file_in_a_folder_not_made_yet_is_created(tmp_path: Path) -> None:
    # `logistics db upgrade` on a fresh checkout: the default file is ./var/logistics.db.
    await migrations.upgrade_url(f"sqlite:///{tmp_path}/var/logistics.db")
    assert (tmp_path / "var" / "logistics.db").is_file()


def test_the_declared_head_is_the_newest_script() -> None:
    # A restart at HEAD skips Alembic altogether, so HEAD must name the newest script.
    scripts = ScriptDirectory.from_config(migrations.alembic_config())
    assert scripts.get_current_head() == migrations.HEAD


async def test_a_database_is_at_no_revision_before_the_first_upgrade_and_at_head_after(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        assert await migrations.current_revision(engine) is None
        await migrations.upgrade(engine)
        assert await migrations.current_revision(engine) == migrations.HEAD
    finally:
        await engine.dispose()


async def test_packages_registered_before_the_lifecycle_get_version_1_and_their_history(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        await migrations.upgrade(engine)
        await downgrade(engine, "0004")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO logistics_packages"
                    " (id, tracking_number, reservation_id, status, version)"
                    " VALUES ('0b5c0a8e-6c1f-4c4e-9a38-3b0f0c2b9d11', 'AB12CD34EF', 'order-1',"
                    " 'registered', 0)"
                )
            )
        await migrations.upgrade(engine)
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text("SELECT version, attempts, history FROM logistics_packages")
                )
            ).one()
    finally:
        await engine.dispose()
    version, attempts, history = row
    (entry,) = json.loads(history)
    assert (version, attempts, entry["status"], entry["location"]) == (1, 0, "registered", None)
    assert datetime.fromisoformat(entry["occurredOn"]).tzinfo is not None
