"""`logistics projections rebuild|status` on an embedded database."""

import asyncio

import pytest
from typer.testing import CliRunner

from logistics_platform.bootstrap import bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints.cli import app
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
