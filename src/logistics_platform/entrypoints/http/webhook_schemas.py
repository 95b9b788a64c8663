"""Wire models of the webhook routes."""

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import Field

from logistics_platform.backoffice.application.webhook_queries import (
    DeliverySummary,
    WebhookSummary,
)
from logistics_platform.backoffice.domain.webhook_deliveries import DeliveryStatus
from logistics_platform.backoffice.domain.webhooks import (
    ALL_EVENTS,
    MAX_URL_LENGTH,
    SECRET_PATTERN,
    Subscription,
)
from logistics_platform.bootstrap import event_names
from logistics_platform.entrypoints.http.schemas import CamelModel, PageMeta

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
# What the domain takes (backoffice.domain.webhooks.host_of), less IPv6 literals: an http(s)
# URL with a host name or IPv4 address, no user name, and printable ASCII only.
URL_PATTERN = rf"^https?://{_LABEL}(?:\.{_LABEL})*(?::{_PORT})?(?:[/?#][!-~]*)?$"


def _known_event_names(schema: dict[str, Any]) -> None:
    schema["enum"] = sorted(event_names() | {ALL_EVENTS})


EventType = Annotated[
    str, Field(min_length=1, max_length=200, json_schema_extra=_known_event_names)
]


class CreateWebhookRequest(CamelModel):
    url: str = Field(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        pattern=URL_PATTERN,
        examples=["https://receiver.example.com/hooks"],
    )
    event_types: list[EventType] = Field(
        min_length=1,
        max_length=100,
        description="event names from the catalogue (docs/asyncapi.yaml), or * for all",
        examples=[["logistics.package.delivered"]],
    )
    secret: str | None = Field(
        default=None,
        pattern=SECRET_PATTERN,
        description="whsec_ and the base64 of 24 to 64 bytes; generated when absent",
    )


class WebhookResponse(CamelModel):
    id: str
    url: str
    event_types: list[str]
    created_at: datetime

    @classmethod
    def of(cls, webhook: WebhookSummary) -> Self:
        return cls(
            id=webhook.id,
            url=webhook.url,
            event_types=sorted(webhook.event_types),
            created_at=webhook.created_at,
        )


class CreatedWebhookResponse(WebhookResponse):
    secret: str = Field(description="the signing secret: shown in this answer only")

    @classmethod
    def created(cls, subscription: Subscription) -> Self:
        shown = WebhookResponse.of(WebhookSummary.of(subscription))
        return cls(**shown.model_dump(), secret=subscription.secret)


class WebhookListResponse(PageMeta):
    items: list[WebhookResponse]


class DeliveryResponse(CamelModel):
    id: str = Field(description="the webhook-id header of its every attempt")
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, delivery: DeliverySummary) -> Self:
        return cls(
            id=delivery.id,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            status=delivery.status,
            attempts=delivery.attempts,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            next_attempt_at=delivery.next_attempt_at,
            created_at=delivery.created_at,
            updated_at=delivery.updated_at,
            delivered_at=delivery.delivered_at,
        )


class DeliveryListResponse(PageMeta):
    items: list[DeliveryResponse]
