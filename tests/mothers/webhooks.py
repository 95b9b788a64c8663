"""Object mothers for webhooks: subscriptions, and events as the fan-out receives them."""

import uuid
from datetime import UTC, datetime

from logistics_platform.backoffice.domain.webhooks import Subscription
from logistics_platform.shared.application.envelope import EventEnvelope

DELIVERED = "logistics.package.delivered"
KNOWN = frozenset({DELIVERED, "inventory.stock_item.reserved"})


def a_subscription(url: str, *event_types: str, secret: str | None = None) -> Subscription:
    return Subscription.create(
        url, event_types or (DELIVERED,), KNOWN, datetime.now(UTC), secret=secret
    )


def a_package_delivered() -> EventEnvelope:
    package = str(uuid.uuid4())
    return EventEnvelope(
        event_id=str(uuid.uuid4()),
        name=DELIVERED,
        occurred_on=datetime.now(UTC),
        aggregate_id=package,
        attributes={"id": package, "signedBy": "R. Receiver"},
    )
