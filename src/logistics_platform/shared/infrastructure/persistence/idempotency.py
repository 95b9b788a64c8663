"""Idempotency-Key records on SQL (SQLite and PostgreSQL): claimed before a request runs,
answered after it, forgotten if it failed, purged when expired."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.shared.infrastructure.persistence.database import (
    as_utc,
    insert_ignoring_duplicates,
)
from logistics_platform.shared.infrastructure.persistence.tables import idempotency_keys as keys

KEPT_FOR = timedelta(hours=24)
# A claim never answered (its process died mid-request) stops blocking its key after this.
ABANDONED_AFTER = timedelta(minutes=5)
PURGE_EVERY_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status: int
    content_type: str | None
    location: str | None
    body: bytes


@dataclass(frozen=True, slots=True)
class Claimed:
    """The key is this request's: run it, then :meth:`IdempotencyRecords.answer`."""


@dataclass(frozen=True, slots=True)
class InFlight:
    """Another request with this key is still running."""


@dataclass(frozen=True, slots=True)
class OtherRequest:
    """The key was used for a request with another fingerprint."""


Claim = Claimed | InFlight | OtherRequest | StoredAnswer


class IdempotencyRecords:
    def __init__(self, engine: AsyncEngine, scope: str) -> None:
        self._engine = engine
        self._scope = scope
        self._purged_at = 0.0

    async def claim(self, key: str, fingerprint: str) -> Claim:
        """Take the key for a request, or say why not (the answer to give again)."""
        await self._purge_now_and_then()
        now = datetime.now(UTC)
        for _ in range(2):  # a second try after removing an expired or abandoned claim
            if await self._inserted(key, fingerprint, now):
                return Claimed()
            async with self._engine.begin() as connection:
                row = (await connection.execute(select(keys).where(*self._is(key)))).first()
                if row is None:
                    continue  # forgotten meanwhile (a failed request): try again
                if as_utc(row.expires_at) > now and (
                    row.status is not None or as_utc(row.created_at) > now - ABANDONED_AFTER
                ):
                    return _existing(row, fingerprint)
                await connection.execute(delete(keys).where(*self._is(key)))
        return InFlight()

    async def answer(self, key: str, answer: StoredAnswer) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(keys)
                .where(*self._is(key))
                .values(
                    status=answer.status,
                    content_type=answer.content_type,
                    location=answer.location,
                    body=answer.body,
                )
            )

    async def forget(self, key: str) -> None:
        """The request failed in a way the client may retry (5xx): free the key."""
        async with self._engine.begin() as connection:
            await connection.execute(delete(keys).where(*self._is(key)))

    async def _inserted(self, key: str, fingerprint: str, now: datetime) -> bool:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                insert_ignoring_duplicates(connection, keys, returning=keys.c.key),
                {
                    "scope": self._scope,
                    "key": key,
                    "fingerprint": fingerprint,
                    "created_at": now,
                    "expires_at": now + KEPT_FOR,
                },
            )
        return result.first() is not None

    async def _purge_now_and_then(self) -> None:
        if time.monotonic() - self._purged_at < PURGE_EVERY_SECONDS:
            return
        self._purged_at = time.monotonic()
        async with self._engine.begin() as connection:
            await connection.execute(delete(keys).where(keys.c.expires_at < datetime.now(UTC)))

    def _is(self, key: str) -> tuple[ColumnElement[bool], ...]:
        return keys.c.scope == self._scope, keys.c.key == key


def _existing(row: Row[Any], fingerprint: str) -> Claim:
    if row.fingerprint != fingerprint:
        return OtherRequest()
    if row.status is None:
        return InFlight()
    return StoredAnswer(row.status, row.content_type, row.location, bytes(row.body))
