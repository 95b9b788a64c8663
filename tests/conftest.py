from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from tests.services import fresh_postgres_database

# A helper that asserts, outside test modules: its failures explained like the tests'.
pytest.register_assert_rewrite("tests.acceptance.problems")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'logistics.db'}"


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """Each test using this runs on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url")
        return
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    """The embedded platform (in-process delivery) on a migrated database."""
    built = await bootstrap(Settings(database_url=database_url, rabbitmq_url=None), migrate=True)
    try:
        yield built
    finally:
        await built.close()
