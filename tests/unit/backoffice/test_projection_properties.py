"""Any arrival order, with any duplicates, of a valid event stream ends in the same views."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from logistics_platform.backoffice.application.projectors import PROJECTORS
from logistics_platform.backoffice.domain.tracking_view import TrackingView
from logistics_platform.shared.application.envelope import EventEnvelope
from tests.fakes.backoffice import FakeBackofficeUnitOfWork, delivered
from tests.mothers.backoffice import Shop, a_tracking_number, reservation_changed

T0 = datetime(2026, 1, 1, tzinfo=UTC)


# SPEC §6: the steps a package may take from each status.
NEXT_STEPS = {
    "registered": {"dispatch": "in_transit", "cancel": "cancelled"},
    "in_transit": {"checkpoint": "in_transit", "deliver": "delivered", "fail": "failed"},
    "failed": {"dispatch": "in_transit", "return": "returned"},
    "delivered": {"return": "returned"},
    "returned": {},
    "cancelled": {},
}
# What Inventory says of the reservation after each step (if anything).
RESERVATION_AFTER = {"dispatch": "committed", "cancel": "released"}


@st.composite
def lives(draw: st.DrawFn, shop: Shop, item: str, reservation: str) -> None:
    """A legal walk through the package's lifecycle, with Inventory's reactions."""
    status = "registered"
    for _ in range(draw(st.integers(0, 6))):
        steps = NEXT_STEPS[status]
        if not steps:
            return
        step = draw(st.sampled_from(sorted(steps)))
        shop.step(reservation, step, after=draw(st.integers(1, 3600)))
        status = steps[step]
        if (verb := RESERVATION_AFTER.get(step)) and draw(st.booleans()):
            shop.events.append(reservation_changed(verb, item, reservation, on=shop.tick()))


@st.composite
def shops(draw: st.DrawFn) -> list[EventEnvelope]:
    """Items added, reservations of them, and packages for some of the reservations,
    each living a random legal life."""
    shop = Shop()
    items = [
        shop.add(f"Item {n}", warehouse=draw(st.sampled_from(["MAIN", "BER-1"])))
        for n in range(draw(st.integers(1, 3)))
    ]
    for n in range(draw(st.integers(1, 6))):
        item = draw(st.sampled_from(items))
        reservation = shop.reserve(item, f"order-{n}", draw(st.integers(1, 9)))
        if draw(st.booleans()):
            shop.register(reservation, a_tracking_number(n), after=draw(st.integers(1, 3600)))
            draw(lives(shop, item, reservation))
    return shop.events


@st.composite
def streams(draw: st.DrawFn) -> tuple[list[EventEnvelope], list[EventEnvelope]]:
    """A valid stream, and a permutation of it with some events repeated."""
    events = draw(shops())
    repeated = draw(st.lists(st.sampled_from(events), max_size=len(events)))
    return events, draw(st.permutations(events + repeated))


async def projected_without_dedup(events: list[EventEnvelope]) -> dict[str, TrackingView]:
    """Straight into the projectors: what Elasticsearch relies on (no handled-ids record)."""
    uow = FakeBackofficeUnitOfWork()
    for event in events:
        await PROJECTORS[event.name](event, uow)
    return uow.views.rows


@given(streams())
@settings(max_examples=150, deadline=None)
async def test_any_order_with_duplicates_gives_the_in_order_views(
    stream: tuple[list[EventEnvelope], list[EventEnvelope]],
) -> None:
    in_order, shuffled = stream
    expected = await delivered(in_order)
    assert await delivered(shuffled) == expected
    assert await projected_without_dedup(shuffled) == expected
    assert all(
        view.stock_item_name and view.warehouse for view in expected.values() if view.stock_item_id
    )
    for view in expected.values():
        assert len({entry.event_id for entry in view.timeline}) == len(view.timeline)
        assert view.status.value == _last_step_status(in_order, view.reservation_id)


def _last_step_status(events: list[EventEnvelope], reservation_id: str) -> str:
    """The status the package's last event (in the order it happened) left it in."""
    statuses = {
        "logistics.package.registered": "registered",
        "logistics.package.dispatched": "in_transit",
        "logistics.package.checkpoint_recorded": "in_transit",
        "logistics.package.delivered": "delivered",
        "logistics.package.delivery_failed": "delivery_failed",
        "logistics.package.returned": "returned",
        "logistics.package.cancelled": "cancelled",
    }
    mine = [
        statuses[e.name]
        for e in events
        if e.name in statuses and e.attributes["reservationId"] == reservation_id
    ]
    return mine[-1] if mine else "reserved"


@st.composite
def facts(draw: st.DrawFn) -> list[str]:
    kinds = ["reserved", "named", "registered"]
    return draw(st.permutations(kinds + draw(st.lists(st.sampled_from(kinds), max_size=6))))


@given(facts(), st.integers(0, 10_000), st.integers(0, 10_000))
def test_the_view_is_a_pure_function_of_its_facts(
    order: list[str], reserved_after: int, registered_after: int
) -> None:
    def apply(view: TrackingView, fact: str) -> TrackingView:
        if fact == "reserved":
            on = T0 + timedelta(seconds=reserved_after)
            return view.reserved(stock_item_id="item", quantity=3, stock_item_name=None, on=on)
        if fact == "named":
            return view.named("Drone", warehouse="BER-1")
        on = T0 + timedelta(seconds=registered_after)
        return view.package_registered(package_id="p", tracking_number="AB12CD34EF", on=on)

    expected = TrackingView("order-1")
    for fact in ("reserved", "named", "registered"):
        expected = apply(expected, fact)
    actual = TrackingView("order-1")
    for fact in order:
        actual = apply(actual, fact)
    assert actual == expected
