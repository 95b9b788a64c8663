"""Idempotency-Key records on both databases: one claim wins, answers are kept, expired
and abandoned claims give way."""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from logistics_platform.bootstrap import Platform
from logistics_platform.shared.infrastructure.persistence.idempotency import (
    ABANDONED_AFTER,
    Claimed,
    IdempotencyRecords,
    InFlight,
    OtherRequest,
    StoredAnswer,
)
from logistics_platform.shared.infrastructure.persistence.tables import idempotency_keys

ANSWER = StoredAnswer(200, "application/json", None, b'{"ok": true}')


async def backdate(platform: Platform, **columns: datetime) -> None:
    async with platform.engine.begin() as connection:
        await connection.execute(update(idempotency_keys).values(**columns))


async def test_of_concurrent_claims_of_one_key_exactly_one_wins(platform: Platform) -> None:
    records = IdempotencyRecords(platform.engine, "test-api")
    claims = await asyncio.gather(*(records.claim("k", "same") for _ in range(10)))
    assert sum(isinstance(claim, Claimed) for claim in claims) == 1
    assert sum(isinstance(claim, InFlight) for claim in claims) == 9


async def test_an_answered_key_gives_its_answer_to_the_same_request_only(
    platform: Platform,
) -> None:
    records = IdempotencyRecords(platform.engine, "test-api")
    assert isinstance(await records.claim("k", "first"), Claimed)
    await records.answer("k", ANSWER)

    assert await records.claim("k", "first") == ANSWER
    assert isinstance(await records.claim("k", "second"), OtherRequest)
    other_api = IdempotencyRecords(platform.engine, "other-api")
    assert isinstance(await other_api.claim("k", "second"), Claimed)  # keys are per API


async def test_a_forgotten_key_can_be_claimed_again(platform: Platform) -> None:
    records = IdempotencyRecords(platform.engine, "test-api")
    await records.claim("k", "first")
    await records.forget("k")
    assert isinstance(await records.claim("k", "first"), Claimed)


async def test_expired_answers_and_abandoned_claims_give_way(platform: Platform) -> None:
    records = IdempotencyRecords(platform.engine, "test-api")
    await records.claim("answered", "first")
    await records.answer("answered", ANSWER)
    await backdate(platform, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert isinstance(await records.claim("answered", "another"), Claimed)

    await records.claim("abandoned", "first")
    await backdate(platform, created_at=datetime.now(UTC) - ABANDONED_AFTER * 2)
    assert isinstance(await records.claim("abandoned", "first"), Claimed)
