"""A batch's views are written back at commit: still never over a change made meanwhile."""

from collections.abc import AsyncIterator
from dataclasses import replace

import asyncpg
import pytest
from sqlalchemy import event

from logistics_platform.backoffice.domain.tracking_view import TrackingView
from logistics_platform.shared.application.unit_of_work import Causation
from logistics_platform.shared.domain.errors import ConcurrentModification
from logistics_platform.shared.domain.events import utc_now
from tests.integration.backoffice.conftest import ReadSide, _store
from tests.mothers.backoffice import guide_flow
from tests.services import fresh_postgres_database


@pytest.fixture
async def postgres_read() -> AsyncIterator[ReadSide]:
    async with fresh_postgres_database() as url, _store(url) as side:
        yield side


async def test_a_prefetched_view_changed_by_a_single_delivery_fails_the_batch_at_commit(
    postgres_read: ReadSide,
) -> None:
    store = postgres_read.store
    await postgres_read.happen(guide_flow()[:2])
    async with store.unit_of_work(Causation()) as batch:
        await batch.tracking_views.prefetch(["order-12345"])
        view = await batch.tracking_views.get("order-12345")
        assert view is not None
        async with store.unit_of_work(Causation()) as single:  # takes no batch lock
            current = await single.tracking_views.get("order-12345")
            assert current is not None
            await single.tracking_views.save(replace(current, reserved_quantity=2))
            await single.commit()
        await batch.tracking_views.save(replace(view, reserved_quantity=3))

        with pytest.raises(ConcurrentModification):
            await batch.commit()

    found = await store.queries.find("order-12345")
    assert found is not None
    assert found.reserved_quantity == 2


async def test_a_view_saved_twice_in_a_batch_is_written_once_with_both_changes(
    postgres_read: ReadSide,
) -> None:
    store = postgres_read.store
    await postgres_read.happen(guide_flow()[:2])
    async with store.unit_of_work(Causation()) as batch:
        await batch.tracking_views.prefetch(["order-12345", "order-new"])
        view = await batch.tracking_views.get("order-12345")
        assert view is not None
        await batch.tracking_views.save(replace(view, reserved_quantity=2))
        again = await batch.tracking_views.get("order-12345")
        assert again is not None
        assert again.version == view.version + 1
        await batch.tracking_views.save(replace(again, reserved_quantity=3))
        with pytest.raises(ConcurrentModification):
            await batch.tracking_views.save(view)  # stale within the transaction
        await batch.commit()

    found = await store.queries.find("order-12345")
    assert found is not None
    assert (found.reserved_quantity, found.version) == (3, view.version + 2)


async def test_a_view_created_meanwhile_fails_the_batch_that_would_create_it(
    postgres_read: ReadSide,
) -> None:
    store = postgres_read.store

    def reserved(quantity: int) -> TrackingView:
        return TrackingView("order-new").reserved(
            stock_item_id="item-1", quantity=quantity, stock_item_name=None, on=utc_now()
        )

    async with store.unit_of_work(Causation()) as batch:
        await batch.tracking_views.prefetch(["order-new"])
        assert await batch.tracking_views.get("order-new") is None
        async with store.unit_of_work(Causation()) as single:  # takes no batch lock
            await single.tracking_views.save(reserved(2))
            await single.commit()
        await batch.tracking_views.save(reserved(3))

        with pytest.raises(ConcurrentModification):
            await batch.commit()

    found = await store.queries.find("order-new")
    assert found is not None
    assert (found.reserved_quantity, found.version) == (2, 1)


async def test_a_value_too_long_for_its_column_is_refused_not_cut_short(
    postgres_read: ReadSide,
) -> None:
    store = postgres_read.store
    name = "n" * 201  # the column holds 200
    view = TrackingView("order-long").reserved(
        stock_item_id="item-1", quantity=1, stock_item_name=name, on=utc_now()
    )
    async with store.unit_of_work(Causation()) as batch:
        await batch.tracking_views.prefetch(["order-long"])
        assert await batch.tracking_views.get("order-long") is None
        await batch.tracking_views.save(view)  # written by the commit
        with pytest.raises(asyncpg.StringDataRightTruncationError):
            await batch.commit()

    assert await store.queries.find("order-long") is None


@pytest.fixture
async def sqlite_read(sqlite_url: str) -> AsyncIterator[ReadSide]:
    async with _store(sqlite_url) as side:
        yield side


async def test_on_sqlite_a_batch_sets_the_columns_that_changed_and_no_other(
    sqlite_read: ReadSide,
) -> None:
    """SQLite rewrites the entries of every index on a column an update sets, changed or
    not: a batch sets only what changed (twice in one transaction, against the row as it
    was last written)."""
    store = sqlite_read.store
    await sqlite_read.happen(guide_flow()[:2])
    before = await store.queries.find("order-12345")
    assert before is not None
    updates: list[str] = []

    def note_updates(*arguments: object) -> None:
        statement = str(arguments[2])
        if statement.startswith("UPDATE backoffice_tracking_views"):
            updates.append(statement.split(" WHERE ", maxsplit=1)[0])

    event.listen(sqlite_read.engine.sync_engine, "before_cursor_execute", note_updates)
    async with store.unit_of_work(Causation()) as batch:
        views = batch.tracking_views
        await views.prefetch(["order-12345"])
        view = await views.get("order-12345")
        assert view is not None
        await views.save(replace(view, reserved_quantity=7))
        await views.flush()
        again = await views.get("order-12345")
        assert again is not None
        await views.save(replace(again, reserved_quantity=5, stock_item_name="Renamed"))
        await batch.commit()

    assert updates == [
        "UPDATE backoffice_tracking_views SET reserved_quantity=?, version=?",
        "UPDATE backoffice_tracking_views SET stock_item_name=?, reserved_quantity=?,"
        " version=?, search_text=?",
    ]
    after = await store.queries.find("order-12345")
    assert after == replace(before, reserved_quantity=5, stock_item_name="Renamed")
    assert after is not None
    assert after.version == before.version + 2
