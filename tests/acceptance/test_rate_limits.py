"""Rate limits per client: 429 with Retry-After and RateLimit-* headers; shared by the
replicas of an API through Redis; in memory in the embedded default."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from logistics_platform.bootstrap import bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints.http import apps
from logistics_platform.entrypoints.http.auth import mint_token
from tests.services import reachable_redis

SECRET = "a-test-secret-that-is-long-enough-for-hs256"


@asynccontextmanager
async def backoffice(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    platform = await bootstrap(settings, migrate=True)
    app = apps.create_backoffice_app(platform)
    app.state.platform = platform
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
    finally:
        await platform.close()


def _bearer(settings: Settings, subject: str) -> dict[str, str]:
    token = mint_token(settings, ["backoffice:read"], subject=subject, ttl_seconds=600)
    return {"Authorization": f"Bearer {token}"}


async def test_a_client_over_its_rate_is_told_to_wait_and_others_are_not(sqlite_url: str) -> None:
    settings = Settings(
        database_url=sqlite_url, auth="jwt", jwt_secret=SECRET, rate_limit="3/minute"
    )
    async with backoffice(settings) as client:
        busy, calm = _bearer(settings, "busy"), _bearer(settings, "calm")
        answers = [await client.get("/tracking", headers=busy) for _ in range(4)]
        other = await client.get("/tracking", headers=calm)

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    refused = answers[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["ratelimit-limit"] == "3"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert other.status_code == 200


async def test_the_public_lookup_is_limited_per_address(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, public_rate_limit="2/minute")
    async with backoffice(settings) as client:
        statuses = [
            (await client.get("/tracking/by-number/AAAAAAAAAA")).status_code for _ in range(3)
        ]
    assert statuses == [404, 404, 429]


async def test_replicas_share_one_budget_through_redis(sqlite_url: str) -> None:
    redis_url = await reachable_redis()
    settings = Settings(
        database_url=sqlite_url,
        auth="jwt",
        jwt_secret=SECRET,
        rate_limit="3/minute",
        redis_url=redis_url,
    )
    headers = _bearer(settings, f"replicated-{uuid.uuid4().hex}")
    async with backoffice(settings) as one, backoffice(settings) as two:
        statuses = [
            (await replica.get("/tracking", headers=headers)).status_code
            for replica in (one, two, one, two)
        ]
    assert statuses == [200, 200, 200, 429]


async def test_when_redis_is_unreachable_calls_go_through(sqlite_url: str) -> None:
    settings = Settings(
        database_url=sqlite_url, rate_limit="1/minute", redis_url="redis://127.0.0.1:1/0"
    )
    async with backoffice(settings) as client:
        statuses = [(await client.get("/tracking")).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
