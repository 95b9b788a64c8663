"""The order-tolerance property on real stores (SQLite, and the search server: Elasticsearch or
its stand-in), through the live subscribers."""

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics_platform.shared.application.envelope import EventEnvelope
from tests.fakes.backoffice import delivered
from tests.integration.backoffice.conftest import ReadSide
from tests.mothers.backoffice import Shop, a_tracking_number


@st.composite
def scrambled_shops(draw: st.DrawFn) -> tuple[list[EventEnvelope], list[EventEnvelope]]:
    """A valid stream with fresh ids (the store is shared by all examples), and a
    permutation of it with repeats."""
    run = uuid.uuid4().hex[:8]
    shop = Shop()
    items = [shop.add(f"Item {run} {n}") for n in range(draw(st.integers(1, 2)))]
    for n in range(draw(st.integers(1, 4))):
        reservation = shop.reserve(draw(st.sampled_from(items)), f"order-{run}-{n}")
        if draw(st.booleans()):
            shop.register(reservation, a_tracking_number(n), after=draw(st.integers(1, 600)))
    repeated = draw(st.lists(st.sampled_from(shop.events), max_size=4))
    return shop.events, draw(st.permutations(shop.events + repeated))


@given(scrambled_shops())
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
async def test_a_scrambled_stream_gives_the_in_order_views(
    file_or_search_read: ReadSide, stream: tuple[list[EventEnvelope], list[EventEnvelope]]
) -> None:
    in_order, scrambled = stream
    expected = await delivered(in_order)
    await file_or_search_read.project(scrambled)
    for reservation, view in expected.items():
        assert await file_or_search_read.store.queries.find(reservation) == view


@given(scrambled_shops(), st.integers(2, 5))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
async def test_a_scrambled_stream_delivered_in_batches_gives_the_in_order_views(
    file_or_search_read: ReadSide,
    stream: tuple[list[EventEnvelope], list[EventEnvelope]],
    size: int,
) -> None:
    in_order, scrambled = stream
    expected = await delivered(in_order)
    await file_or_search_read.project_in_batches(scrambled, size)
    for reservation, view in expected.items():
        assert await file_or_search_read.store.queries.find(reservation) == view
