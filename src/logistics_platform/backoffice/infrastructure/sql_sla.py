"""The SLA watch and breaches on SQL (the write database, whichever store holds the views)."""

import json
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import asyncpg
from sqlalchemy import ColumnElement, and_, bindparam, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from logistics_platform.backoffice.application.sla_ports import (
    SlaBreaches,
    SlaUnitOfWork,
    SlaWatches,
)
from logistics_platform.backoffice.domain.sla import (
    BreachKind,
    Cutoffs,
    PackageFact,
    SlaBreach,
    SlaWatch,
    Step,
)
from logistics_platform.backoffice.infrastructure.sql_views import SqlProjectionProgress
from logistics_platform.backoffice.infrastructure.tables import sla_breaches, sla_watch
from logistics_platform.shared.application.envelope import format_timestamp, parse_timestamp
from logistics_platform.shared.domain.errors import ConcurrentModification
from logistics_platform.shared.infrastructure.persistence.database import insert_ignoring_duplicates
from logistics_platform.shared.infrastructure.persistence.unit_of_work import SqlUnitOfWork

w, b = sla_watch.c, sla_breaches.c

_WRITTEN = (
    "reservation_id", "tracking_number", "status", "since", "carrier", "open_kind", "raised",
    "facts", "revision",
)  # fmt: skip
# Built once: a watch is written for most package events, and building the statement
# each time costs more than its round trip.
_UPDATE = (
    update(sla_watch)
    .where(w.package_id == bindparam("id"), w.revision == bindparam("read"))
    .values({name: bindparam(name) for name in _WRITTEN})
)
# On PostgreSQL, every changed watch of a batch in one statement, through the driver.
_UPDATE_ALL = """
    UPDATE sla_watch AS watch SET
        reservation_id = saved.reservation_id, tracking_number = saved.tracking_number,
        status = saved.status, since = saved.since, carrier = saved.carrier,
        open_kind = saved.open_kind, raised = saved.raised::jsonb, facts = saved.facts::jsonb,
        revision = saved.read + 1
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
                $6::text[], $7::text[], $8::text[], $9::text[], $10::integer[])
        AS saved (package_id, reservation_id, tracking_number, status, since, carrier,
                  open_kind, raised, facts, read)
    WHERE watch.package_id = saved.package_id AND watch.revision = saved.read
"""
_SENT = ("package_id", *_WRITTEN[:-1])  # in _UPDATE_ALL's order, then the revision read


class SqlSlaWatches(SlaWatches):
    """Watches read once per transaction and written on :meth:`flush`, each only if its
    stored revision is still the one read."""

    def __init__(
        self, connection: AsyncConnection, driver: asyncpg.Connection | None = None
    ) -> None:
        self._connection = connection
        self._driver = driver
        self._looked_up: set[str] = set()
        self._loaded: dict[str, SlaWatch] = {}
        self._changed: dict[str, SlaWatch] = {}

    async def get_many(self, package_ids: Iterable[str]) -> dict[str, SlaWatch]:
        wanted = set(package_ids)
        missing = sorted(wanted - self._looked_up)
        if missing:
            query = select(sla_watch).where(w.package_id.in_(missing))
            rows = await self._connection.execute(query)
            self._loaded.update({row.package_id: _watch(row) for row in rows})
            self._looked_up.update(missing)
        return {id: self._current(id) for id in wanted if id in self._loaded or id in self._changed}

    def _current(self, package_id: str) -> SlaWatch:
        return self._changed.get(package_id) or self._loaded[package_id]

    async def save(self, watch: SlaWatch) -> None:
        self._changed[watch.package_id] = watch

    async def flush(self) -> None:
        changed, self._changed = self._changed, {}
        new = [watch for watch in changed.values() if watch.revision == 0]
        if new:
            await self._insert(new)
        seen = [watch for watch in changed.values() if watch.revision != 0]
        if seen and self._driver is not None:
            await self._update_all(self._driver, seen)
            return
        for watch in seen:
            await self._update(watch)

    async def _insert(self, watches: list[SlaWatch]) -> None:
        """All new watches in one statement; none of them may exist already."""
        inserted = await self._connection.execute(
            insert_ignoring_duplicates(self._connection, sla_watch, returning=w.package_id),
            [_values(watch) | {"revision": 1} for watch in watches],
        )
        if len(inserted.all()) != len(watches):
            ids = sorted(watch.package_id for watch in watches)
            raise ConcurrentModification(f"one of the SLA watches of {ids} exists already")

    async def _update(self, watch: SlaWatch) -> None:
        values = _values(watch)
        updated = await self._connection.execute(
            _UPDATE,
            {
                **{name: values[name] for name in _WRITTEN[:-1]},
                "revision": watch.revision + 1,
                "id": watch.package_id,
                "read": watch.revision,
            },
        )
        if updated.rowcount != 1:
            raise ConcurrentModification(f"the SLA watch of {watch.package_id} changed meanwhile")

    async def _update_all(self, driver: asyncpg.Connection, watches: list[SlaWatch]) -> None:
        rows = [_values(watch) for watch in watches]
        for row in rows:
            row["raised"], row["facts"] = json.dumps(row["raised"]), json.dumps(row["facts"])
        arrays = [[row[name] for row in rows] for name in _SENT]
        status = await driver.execute(_UPDATE_ALL, *arrays, [w.revision for w in watches])
        if int(status.split()[-1]) != len(watches):
            ids = sorted(watch.package_id for watch in watches)
            raise ConcurrentModification(f"one of the SLA watches of {ids} changed meanwhile")

    async def overdue(self, cutoffs: Cutoffs, limit: int) -> list[SlaWatch]:
        rows = await self._connection.execute(
            select(sla_watch)
            .where(or_(_stuck_registered(cutoffs), _stuck_in_transit(cutoffs)))
            .order_by(w.since, w.package_id)
            .limit(limit)
        )
        return [_watch(row) for row in rows]


def _stuck_registered(cutoffs: Cutoffs) -> ColumnElement[bool]:
    return and_(w.open_kind == BreachKind.STUCK_REGISTERED.value, w.since <= cutoffs.registered)


def _stuck_in_transit(cutoffs: Cutoffs) -> ColumnElement[bool]:
    own = cutoffs.in_transit_by_carrier
    by_carrier = [and_(w.carrier == c, w.since <= cutoff) for c, cutoff in sorted(own.items())]
    others = or_(w.carrier.is_(None), w.carrier.not_in(sorted(own))) if own else true()
    return and_(
        w.open_kind == BreachKind.STUCK_IN_TRANSIT.value,
        or_(and_(others, w.since <= cutoffs.in_transit), *by_carrier),
    )


def _values(watch: SlaWatch) -> dict[str, Any]:
    return {
        "package_id": watch.package_id,
        "reservation_id": watch.reservation_id,
        "tracking_number": watch.tracking_number,
        "status": watch.status,
        "since": watch.since,
        "carrier": watch.carrier,
        "open_kind": watch.open_kind and watch.open_kind.value,
        "raised": sorted(kind.value for kind in watch.raised),
        "facts": [
            {
                "version": f.version,
                "step": f.step.value,
                "occurredOn": format_timestamp(f.occurred_on),
                "carrier": f.carrier,
            }
            for f in watch.facts
        ],
    }


def _watch(row: Any) -> SlaWatch:
    facts = tuple(
        PackageFact(
            version=f["version"],
            step=Step(f["step"]),
            occurred_on=parse_timestamp(f["occurredOn"]),
            carrier=f["carrier"],
        )
        for f in row.facts
    )
    return SlaWatch(
        package_id=row.package_id,
        reservation_id=row.reservation_id,
        tracking_number=row.tracking_number,
        facts=facts,
        raised=frozenset(BreachKind(kind) for kind in row.raised),
        revision=row.revision,
    )


class SqlSlaBreaches(SlaBreaches):
    def __init__(self, connection: AsyncConnection) -> None:
        super().__init__()
        self._connection = connection

    async def add(self, breach: SlaBreach) -> bool:
        # ON CONFLICT DO NOTHING waits for a concurrent raiser: if it commits, this adds
        # nothing (and records no event); if it rolls back, this one keeps the breach.
        watch, found = breach.watch, breach.breach
        kept = await self._connection.execute(
            insert_ignoring_duplicates(self._connection, sla_breaches, returning=b.package_id),
            [
                {
                    "package_id": watch.package_id,
                    "kind": found.kind.value,
                    "reservation_id": watch.reservation_id,
                    "tracking_number": watch.tracking_number,
                    "status": found.status,
                    "carrier": watch.carrier,
                    "since": found.since,
                    "threshold_seconds": _seconds(found.threshold),
                    "failures": found.failures,
                    "detected_at": breach.detected_at,
                }
            ],
        )
        if kept.first() is None:
            return False
        self.seen.append(breach)
        return True


class SqlSlaUnitOfWork(SqlUnitOfWork, SlaUnitOfWork):
    def _open(self) -> None:
        self.watches = self._watches = SqlSlaWatches(self.connection, self.driver)
        self.breaches = SqlSlaBreaches(self.connection)
        self.progress = self._progress = SqlProjectionProgress(self.connection, self.driver)

    async def _before_commit(self) -> None:
        await self._watches.flush()
        await self._progress.flush()


def _seconds(threshold: timedelta | None) -> float | None:
    return None if threshold is None else threshold.total_seconds()
