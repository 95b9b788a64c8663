"""The Backoffice API's webhook routes: subscriptions, and the log of their deliveries."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from logistics_platform.backoffice.application.webhook_queries import find_webhook
from logistics_platform.backoffice.application.webhooks import (
    CreateWebhook,
    create_webhook,
    delete_webhook,
    redeliver,
)
from logistics_platform.backoffice.domain.webhook_deliveries import DeliveryStatus
from logistics_platform.bootstrap import event_names
from logistics_platform.entrypoints.http.dependencies import CausationDep, PlatformDep
from logistics_platform.entrypoints.http.openapi import problems
from logistics_platform.entrypoints.http.schemas import PageNumber, PageSize
from logistics_platform.entrypoints.http.webhook_schemas import (
    CreatedWebhookResponse,
    CreateWebhookRequest,
    DeliveryListResponse,
    DeliveryResponse,
    WebhookListResponse,
    WebhookResponse,
)

WebhookId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$", description="the webhook's id")]
DeliveryId = Annotated[str, Path(pattern=r"^msg_[0-9a-f]{32}$", description="its webhook-id")]

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.post(
    "",
    summary="Subscribe a receiver to events",
    status_code=201,
    response_model=CreatedWebhookResponse,
    responses=problems(422),
)
async def create(
    body: CreateWebhookRequest, response: Response, platform: PlatformDep, causation: CausationDep
) -> CreatedWebhookResponse:
    """Deliveries of the named events (``*``: all) to ``url``, signed as Standard Webhooks
    say with ``secret`` (generated when absent, and shown in this answer only). A URL
    whose host resolves to an internal address is refused unless the settings allow it."""
    command = CreateWebhook(body.url, tuple(body.event_types), body.secret)
    async with platform.webhooks(causation) as uow:
        created = await create_webhook(
            command, uow, known_events=event_names(), check_host=platform.receiver_check
        )
    platform.followed_events.forget()
    response.headers["Location"] = f"/webhooks/{created.id}"
    return CreatedWebhookResponse.created(created)


@router.get(
    "", summary="List webhooks", response_model=WebhookListResponse, responses=problems(422)
)
async def list_webhooks(
    platform: PlatformDep, page: PageNumber = 1, size: PageSize = 20
) -> WebhookListResponse:
    found = await platform.webhook_queries.page(page, size)
    return WebhookListResponse.paged(found, WebhookResponse.of)


@router.get(
    "/{webhook_id}",
    summary="Get a webhook",
    response_model=WebhookResponse,
    responses=problems(404, 422),
)
async def get_webhook(webhook_id: WebhookId, platform: PlatformDep) -> WebhookResponse:
    return WebhookResponse.of(await find_webhook(webhook_id, platform.webhook_queries))


@router.delete(
    "/{webhook_id}", summary="Delete a webhook", status_code=204, responses=problems(404, 422)
)
async def delete(webhook_id: WebhookId, platform: PlatformDep, causation: CausationDep) -> Response:
    """The subscription and its delivery log; nothing more is sent to it."""
    async with platform.webhooks(causation) as uow:
        await delete_webhook(webhook_id, uow)
    platform.followed_events.forget()
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries",
    summary="A webhook's deliveries",
    response_model=DeliveryListResponse,
    responses=problems(404, 422),
)
async def list_deliveries(
    *,
    webhook_id: WebhookId,
    platform: PlatformDep,
    status: DeliveryStatus | None = None,
    page: PageNumber = 1,
    size: PageSize = 20,
) -> DeliveryListResponse:
    """Newest first: each delivery's attempts, last answer or error, next attempt."""
    webhooks = platform.webhook_queries
    await find_webhook(webhook_id, webhooks)
    found = await webhooks.deliveries(webhook_id, status, page, size)
    return DeliveryListResponse.paged(found, DeliveryResponse.of)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    summary="Send a delivery again",
    status_code=202,
    response_model=DeliveryResponse,
    responses=problems(404, 409, 422),
)
async def redeliver_delivery(
    webhook_id: WebhookId, delivery_id: DeliveryId, platform: PlatformDep, causation: CausationDep
) -> DeliveryResponse:
    """A dead or delivered delivery gets a new series of attempts (same webhook-id); one
    still being tried is a conflict."""
    async with platform.webhooks(causation) as uow:
        return DeliveryResponse.of(await redeliver(webhook_id, delivery_id, uow))
