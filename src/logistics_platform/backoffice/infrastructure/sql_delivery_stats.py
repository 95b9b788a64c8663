"""Delivery analytics on the SQL tracking views: per carrier (of the latest dispatch) and
overall, packages dispatched, failed at least once, returned, and the lead time from
registration to delivery (median and 90th percentile, as ``percentile_cont``)."""

from typing import Any

from sqlalchemy import ColumnElement, Integer, case, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncConnection

from logistics_platform.backoffice.application.queries import DeliveryStats, Durations
from logistics_platform.backoffice.infrastructure.tables import tracking_views

c = tracking_views.c
_OVERALL = ""  # the group key of every package together (no carrier is empty)
_FRACTIONS = (0.5, 0.9)


async def delivery_stats(
    connection: AsyncConnection, within: list[ColumnElement[bool]]
) -> tuple[DeliveryStats, dict[str, DeliveryStats]]:
    """Overall, and by carrier."""
    counts = await _counts(connection, within)
    lead_times = {
        **await _lead_times(connection, c.carrier, within),
        **await _lead_times(connection, None, within),
    }
    stats = {
        key: DeliveryStats(
            dispatched=dispatched,
            failed=failed,
            returned=returned,
            lead_time=lead_times.get(key, Durations()),
        )
        for key, (dispatched, failed, returned) in counts.items()
    }
    overall = stats.pop(_OVERALL, DeliveryStats())
    return overall, dict(sorted(stats.items()))


async def _counts(
    connection: AsyncConnection, within: list[ColumnElement[bool]]
) -> dict[str, tuple[int, int, int]]:
    failed = func.sum(case((c.failures > 0, 1), else_=0))
    returned = func.sum(case((c.status == "returned", 1), else_=0))
    rows = await connection.execute(
        select(c.carrier, func.count(), failed, returned)
        .where(c.attempts > 0, c.carrier.is_not(None), *within)
        .group_by(c.carrier)
    )
    counts = {carrier: (int(n), int(f or 0), int(r or 0)) for carrier, n, f, r in rows}
    totals = [sum(column) for column in zip(*counts.values(), strict=True)] or [0, 0, 0]
    return {**counts, _OVERALL: (totals[0], totals[1], totals[2])}


async def _lead_times(
    connection: AsyncConnection,
    group: ColumnElement[Any] | None,
    within: list[ColumnElement[bool]],
) -> dict[str, Durations]:
    """By ``group``, or overall (``None``)."""
    both = [c.registered_at.is_not(None), c.delivered_at.is_not(None), c.carrier.is_not(None)]
    if connection.dialect.name == "postgresql":
        elapsed: ColumnElement[Any] = func.extract("epoch", c.delivered_at - c.registered_at)
        statement = select(
            literal_column("''") if group is None else group,
            func.count(),
            *(func.percentile_cont(f).within_group(elapsed) for f in _FRACTIONS),
        ).where(*both, *within)
        if group is not None:
            statement = statement.group_by(group)
        rows = await connection.execute(statement)
        return {key: _durations(n, p50, p90) for key, n, p50, p90 in rows if n}
    return await _lead_times_on_sqlite(connection, group, [*both, *within])


async def _lead_times_on_sqlite(
    connection: AsyncConnection,
    group: ColumnElement[Any] | None,
    where: list[ColumnElement[bool]],
) -> dict[str, Durations]:
    """Only the rows next to each percentile's rank are fetched (ranked by a window)."""
    elapsed = (func.julianday(c.delivered_at) - func.julianday(c.registered_at)) * 86400.0
    ranked = (
        select(
            (literal_column("''") if group is None else group).label("key"),
            elapsed.label("elapsed"),
            (func.row_number().over(partition_by=group, order_by=elapsed) - 1).label("rank"),
            func.count().over(partition_by=group).label("n"),
        )
        .where(*where)
        .subquery()
    )
    lows = [cast(fraction * (ranked.c.n - 1), Integer) for fraction in _FRACTIONS]
    near = [ranked.c.rank.in_([low, low + 1]) for low in lows]
    rows = await connection.execute(
        select(ranked.c.key, ranked.c.n, ranked.c.rank, ranked.c.elapsed).where(near[0] | near[1])
    )
    found: dict[str, tuple[int, dict[int, float]]] = {}
    for key, n, rank, value in rows:
        found.setdefault(key, (n, {}))[1][rank] = float(value)
    return {
        key: _durations(n, *(_at(values, fraction * (n - 1)) for fraction in _FRACTIONS))
        for key, (n, values) in found.items()
    }


def _at(values: dict[int, float], rank: float) -> float:
    low = int(rank)
    high = low + 1 if low + 1 in values else low
    return values[low] + (values[high] - values[low]) * (rank - low)


def _durations(count: int, median: float | None, p90: float | None) -> Durations:
    def seconds(value: float | None) -> float | None:
        return None if value is None else round(float(value), 3)

    return Durations(count=int(count), median=seconds(median), p90=seconds(p90))
