from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from tests.receiver import a_platform
from tests.search_server import SearchServer, StandIn
from tests.services import ELASTICSEARCH_URL, fresh_postgres_database, unavailable

# Helpers that assert, outside test modules: their failures explained like the tests'.
pytest.register_assert_rewrite("tests.acceptance.guide", "tests.acceptance.problems")


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


@pytest.fixture
async def webhook_platform(database_url: str) -> AsyncIterator[Platform]:
    """The embedded platform, allowed to call a webhook receiver on 127.0.0.1."""
    built = await a_platform(database_url)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture(scope="session")
def search_server() -> Iterator[SearchServer]:
    """ELASTICSEARCH_URL's server if set; else the compatible stand-in (not Elasticsearch),
    started once for the session. Tests share it: each uses its own index names."""
    if ELASTICSEARCH_URL:
        yield SearchServer(ELASTICSEARCH_URL, stand_in=False)
        return
    stand_in = StandIn()
    try:
        stand_in.start()
    except (OSError, RuntimeError, AssertionError) as error:
        stand_in.stop()
        unavailable(f"the Elasticsearch stand-in (noida-db) did not start: {error}")
    try:
        yield SearchServer(stand_in.url, stand_in=True)
    finally:
        stand_in.stop()
