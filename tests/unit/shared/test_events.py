import json
from datetime import UTC, datetime

import pytest

from logistics_platform.inventory.domain.events import StockItemAdded, StockItemReserved
from logistics_platform.logistics.domain.events import PackageRegistered
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.domain.aggregate import AggregateRoot
from logistics_platform.shared.domain.errors import InvalidArgument
from logistics_platform.shared.domain.events import DomainEvent

AGGREGATE = "550e8400-e29b-41d4-a716-446655440000"


def test_each_event_name_maps_to_its_class() -> None:
    assert DomainEvent.class_for("inventory.stock_item.added") is StockItemAdded
    assert DomainEvent.class_for("inventory.stock_item.reserved") is StockItemReserved
    assert DomainEvent.class_for("logistics.package.registered") is PackageRegistered


def test_an_unknown_event_name_is_refused() -> None:
    with pytest.raises(InvalidArgument):
        DomainEvent.class_for("inventory.stock_item.vanished")


def test_two_event_classes_cannot_share_a_name() -> None:
    with pytest.raises(TypeError, match="already used"):

        class Impostor(DomainEvent):  # pragma: no cover - the definition itself fails
            EVENT_NAME = "inventory.stock_item.added"


@pytest.mark.parametrize(
    "event",
    [
        StockItemAdded(aggregate_id=AGGREGATE, name="iPhone 15 Pro", quantity=100),
        StockItemReserved(aggregate_id=AGGREGATE, quantity=10, reservation_id="order-1"),
        PackageRegistered(
            aggregate_id=AGGREGATE, tracking_number="AB12CD34EF", reservation_id="order-1"
        ),
    ],
    ids=lambda event: event.EVENT_NAME,
)
def test_an_event_survives_the_envelope_round_trip(event: DomainEvent) -> None:
    envelope = EventEnvelope.wrap(event, correlation_id="c0ffee00-0000-4000-8000-000000000000")
    assert EventEnvelope.from_json(envelope.to_json()).to_domain_event() == event


def test_the_envelope_has_the_spec_shape() -> None:
    occurred = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    event = StockItemReserved(
        aggregate_id=AGGREGATE, quantity=10, reservation_id="order-1", occurred_on=occurred
    )
    envelope = EventEnvelope.wrap(event, correlation_id="corr", causation_id="cause")
    assert json.loads(envelope.to_json()) == {
        "data": {
            "id": event.event_id,
            "type": "inventory.stock_item.reserved",
            "occurredOn": "2026-01-01T12:00:00.000000Z",
            "aggregateId": AGGREGATE,
            "attributes": {
                "id": AGGREGATE,
                "quantity": 10,
                "reservationId": "order-1",
                "expiresAt": None,
            },
        },
        "meta": {"correlationId": "corr", "causationId": "cause"},
    }


@pytest.mark.parametrize(
    "text",
    ["", "[]", "{}", '{"data": {"id": "x"}}', '{"data": {"id": 1, "type": "t", "occurredOn": 5}}'],
)
def test_a_malformed_envelope_is_refused(text: str) -> None:
    with pytest.raises(InvalidArgument):
        EventEnvelope.from_json(text)


def test_an_aggregate_hands_out_its_events_once() -> None:
    aggregate = AggregateRoot()
    event = StockItemAdded(aggregate_id=AGGREGATE, name="x", quantity=1)
    aggregate.record(event)
    assert aggregate.pull_domain_events() == [event]
    assert aggregate.pull_domain_events() == []


def test_rebuilding_an_event_without_one_of_its_attributes_is_refused() -> None:
    envelope = EventEnvelope.wrap(
        StockItemReserved(aggregate_id=AGGREGATE, quantity=1, reservation_id="order-1"),
        correlation_id="corr",
    )
    incomplete = EventEnvelope(
        event_id=envelope.event_id,
        name=envelope.name,
        occurred_on=envelope.occurred_on,
        aggregate_id=envelope.aggregate_id,
        attributes={"id": AGGREGATE, "quantity": 1},
    )
    with pytest.raises(InvalidArgument, match="reservationId"):
        incomplete.to_domain_event()


def test_an_event_recorded_before_an_attribute_was_added_reads_with_its_default() -> None:
    recorded_by_an_earlier_version = EventEnvelope(
        event_id="c6aaaae2-2efa-485d-88c9-5e216757e05a",
        name="inventory.stock_item.added",
        occurred_on=datetime(2026, 1, 1, tzinfo=UTC),
        aggregate_id=AGGREGATE,
        attributes={"id": AGGREGATE, "name": "Mug", "quantity": 3},
    )
    event = recorded_by_an_earlier_version.to_domain_event()
    assert isinstance(event, StockItemAdded)
    assert (event.warehouse, event.sku, event.low_stock_threshold) == ("MAIN", None, 0)
