"""Production wiring: the `consumer backoffice` process fans events out to webhook
deliveries (its RabbitMQ queue follows every event) and sends them itself."""

import pytest

from logistics_platform.bootstrap import Platform
from logistics_platform.shared.application.unit_of_work import Causation
from tests.integration.rabbitmq.conftest import Background, eventually
from tests.mothers.inventory import a_reservation_of, an_add_stock_item
from tests.mothers.webhooks import a_subscription
from tests.processes import Processes
from tests.receiver import Receiver

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.system]


async def test_the_backoffice_consumer_sends_a_reservation_s_webhook(
    production: Platform, processes: Processes, background: Background
) -> None:
    async with Receiver().running() as receiver:
        subscription = a_subscription(receiver.url, "inventory.stock_item.reserved")
        async with production.webhooks(Causation()) as uow:
            await uow.subscriptions.add(subscription)
            await uow.commit()
        consumer = processes.logistics(
            "backoffice-consumer",
            "consumer",
            "backoffice",
            WEBHOOK_ALLOW_PRIVATE_NETWORKS="true",  # the receiver listens on 127.0.0.1
        )
        background.start(production.relay().run)
        await processes.wait_for_log(consumer, "consuming")
        add = an_add_stock_item()
        await production.commands.handle(add)
        await production.commands.handle(a_reservation_of(add.id))

        async def arrived() -> bool:
            return bool(receiver.requests)

        await eventually(arrived, what="the webhook", details=processes.logs)
    (request,) = receiver.requests
    body = request.verified(subscription.secret)
    assert body["type"] == "inventory.stock_item.reserved"
    assert body["data"]["aggregateId"] == add.id
