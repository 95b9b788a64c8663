"""`logistics projections rebuild|status` on an embedded database."""

import asyncio

import pytest
from typer.testing import CliRunner

from logistics_platform.bootstrap import bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints.cli import app
from logistics_platform.shared.infrastructure.persistence import migrations
from tests.mothers.inventory import a_reservation_of, an_add_stock_item


async def three_reservations(url: str) -> None:
    platform = await bootstrap(Settings(database_url=url, rabbitmq_url=None), migrate=True)
    try:
        added = an_add_stock_item()
        await platform.commands.handle(added)
        for _ in range(3):
            await platform.commands.handle(a_reservation_of(added.id, quantity=1))
        assert platform.delivery is not None
        await platform.delivery.catch_up()
    finally:
        await platform.close()


def test_rebuild_reports_its_count_and_status_shows_no_lag(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asyncio.run(three_reservations(sqlite_url))
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.delenv("RABBITMQ_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    rebuilt = runner.invoke(app, ["projections", "rebuild", "--batch-size", "2"])
    status = runner.invoke(app, ["projections", "status"])

    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt 3 tracking views from 7 events" in rebuilt.output
    assert status.exit_code == 0, status.output
    assert "sql store, 3 tracking views" in status.output
    assert "backoffice.tracking" in status.output


def test_read_only_commands_leave_the_schema_alone(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asyncio.run(three_reservations(sqlite_url))
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.delenv("RABBITMQ_URL", raising=False)

    async def no_migrations(*_: object) -> None:
        raise AssertionError("a read-only command applied migrations")

    monkeypatch.setattr(migrations, "upgrade", no_migrations)
    runner = CliRunner()

    status = runner.invoke(app, ["projections", "status"])
    letters = runner.invoke(app, ["dead-letters", "list"])

    assert status.exit_code == 0, status.output
    assert letters.exit_code == 0, letters.output
    assert "0 dead letter(s)" in letters.output
