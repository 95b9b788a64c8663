"""A PostgreSQL server without autovacuum is named at start-up: nothing would analyse the
tables as they grow, and the platform's lookups would turn into scans."""

import asyncpg
from structlog.testing import capture_logs

from logistics_platform.shared.infrastructure.persistence.database import (
    create_engine,
    warn_if_autovacuum_is_off,
)
from tests.services import POSTGRES_ADMIN_URL


async def _server_setting() -> str:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        return str(await connection.fetchval("SHOW autovacuum"))
    finally:
        await connection.close()


async def test_postgres_without_autovacuum_is_warned_about(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        with capture_logs() as logs:
            warned = await warn_if_autovacuum_is_off(engine)
    finally:
        await engine.dispose()
    assert warned == (await _server_setting() == "off")
    assert [entry["log_level"] for entry in logs] == (["warning"] if warned else [])
    if warned:
        assert "autovacuum off" in logs[0]["event"]


async def test_sqlite_and_an_unreachable_server_are_not_warned_about(sqlite_url: str) -> None:
    for url in (sqlite_url, "postgresql://nobody@127.0.0.1:1/none"):
        engine = create_engine(url)
        try:
            with capture_logs() as logs:
                assert not await warn_if_autovacuum_is_off(engine)
        finally:
            await engine.dispose()
        assert logs == []
