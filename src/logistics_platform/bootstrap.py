"""The composition root: what a process role uses, built from settings when first used.

Every role starts from :func:`bootstrap` (an engine, migrated if asked) and touches only
the parts of :class:`Platform` it needs: the Inventory API never builds the read store,
the relay never builds a subscriber's unit of work. Subscribers are declared once, in
:meth:`Platform.subscribers`.
"""

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.backoffice.application import sla
from logistics_platform.backoffice.application import subscribers as backoffice
from logistics_platform.backoffice.application.sla_ports import SlaAlerts, SlaUnitOfWork
from logistics_platform.backoffice.application.webhook_queries import WebhookQueries
from logistics_platform.backoffice.application.webhooks import (
    WEBHOOKS,
    FollowedEvents,
    WebhookUnitOfWork,
    queue_deliveries_on_event,
)
from logistics_platform.backoffice.domain.sla import SlaPolicy
from logistics_platform.backoffice.infrastructure.sql_sla import SqlSlaUnitOfWork
from logistics_platform.backoffice.infrastructure.sql_sla_alerts import SqlSlaAlerts
from logistics_platform.config import Settings
from logistics_platform.inventory.application import handlers as inventory
from logistics_platform.inventory.application import subscribers as inventory_subscribers
from logistics_platform.inventory.application.expiry import ReservationSweeper
from logistics_platform.inventory.application.unit_of_work import InventoryUnitOfWork
from logistics_platform.inventory.infrastructure.queries import StockItemQueries
from logistics_platform.inventory.infrastructure.unit_of_work import SqlInventoryUnitOfWork
from logistics_platform.logistics.application import handlers as package_handlers
from logistics_platform.logistics.application import subscribers as logistics
from logistics_platform.logistics.application.unit_of_work import LogisticsUnitOfWork
from logistics_platform.logistics.infrastructure.queries import PackageQueries
from logistics_platform.logistics.infrastructure.unit_of_work import SqlLogisticsUnitOfWork
from logistics_platform.shared.application.command_bus import CommandBus
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.application.unit_of_work import Causation
from logistics_platform.shared.domain.events import DomainEvent
from logistics_platform.shared.infrastructure import tracing
from logistics_platform.shared.infrastructure.persistence import migrations
from logistics_platform.shared.infrastructure.persistence.database import (
    async_database_url,
    create_engine,
    reader,
    warn_if_autovacuum_is_off,
)
from logistics_platform.shared.infrastructure.persistence.unit_of_work import SqlUnitOfWork

if TYPE_CHECKING:
    from logistics_platform.backoffice.application.ports import (
        BackofficeUnitOfWork,
        TrackingQueries,
        TrackingStore,
    )
    from logistics_platform.backoffice.application.webhook_dispatcher import WebhookDispatcher
    from logistics_platform.backoffice.domain.webhooks import NetworkPolicy
    from logistics_platform.backoffice.infrastructure.sql_webhooks import SqlWebhookUnitOfWork
    from logistics_platform.backoffice.infrastructure.webhook_sender import (
        HttpWebhookSender,
        ReceiverCheck,
    )
    from logistics_platform.shared.application.dead_letters import DeadLetters
    from logistics_platform.shared.infrastructure.messaging.in_process import InProcessDelivery
    from logistics_platform.shared.infrastructure.messaging.rabbitmq.consumer import (
        RabbitMqConsumer,
    )
    from logistics_platform.shared.infrastructure.messaging.rabbitmq.topology import Topology
    from logistics_platform.shared.infrastructure.messaging.relay import OutboxRelay

U = TypeVar("U", bound=SqlUnitOfWork)
_PACKAGE = Path(__file__).parent


@functools.cache
def event_classes() -> list[type[DomainEvent]]:
    """Every context's event classes, by name (importing their modules registers them)."""
    for path in sorted(_PACKAGE.glob("*/domain/events.py")):
        importlib.import_module(f"{__package__}.{path.parent.parent.name}.domain.events")
    classes = (DomainEvent.class_for(name) for name in sorted(DomainEvent.registered_names()))
    # Only the platform's own: a test may declare an event class of its own.
    return [event for event in classes if event.__module__.startswith(f"{__package__}.")]


def event_names() -> frozenset[str]:
    return frozenset(event.EVENT_NAME for event in event_classes())


@dataclass
class CommitListeners:
    """Called after a transaction that recorded events commits, with the events' names
    (to wake up delivery)."""

    listeners: list[Callable[[frozenset[str]], None]] = field(default_factory=list)

    def __call__(self, names: frozenset[str]) -> None:
        for listener in self.listeners:
            listener(names)


class Platform:
    """What one process uses, each part built on first use."""

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        self.settings = settings
        self.engine = engine
        self.committed = CommitListeners()
        self._webhooks_queued: list[Callable[[], None]] = []

    def _unit_of_work(self, kind: type[U]) -> Callable[[Causation], U]:
        # In-process delivery follows the outbox by position: appends must commit in order.
        in_order = self.settings.rabbitmq_url is None
        return lambda causation: kind(
            self.engine,
            causation=causation,
            on_events_committed=self.committed,
            ordered_appends=in_order,
        )

    @property
    def _transactions_at_a_time(self) -> int:
        """A command bus's transactions at a time: two, but no more than the connections
        (SQLite's one): a transaction beyond them would only wait for one, holding back
        requests that could have joined the next batch."""
        connections = self.engine.pool.size()  # type: ignore[attr-defined]  # a QueuePool
        return min(2, int(connections))

    @functools.cached_property
    def commands(self) -> CommandBus[SqlInventoryUnitOfWork]:
        """Inventory's commands, the ones that arrive together committed together."""
        return CommandBus(
            inventory.HANDLERS,
            self._unit_of_work(SqlInventoryUnitOfWork),
            prepare=inventory.load_stock_items,
            concurrency=self._transactions_at_a_time,
        )

    def reservation_sweeper(self) -> ReservationSweeper:
        """Expires held reservations past their expiry (the roles that run Inventory)."""
        return ReservationSweeper(
            self.stock_items.due_reservations,
            self.commands,
            interval=self.settings.reservation_sweep_interval,
        )

    @functools.cached_property
    def stock_items(self) -> StockItemQueries:
        return StockItemQueries(reader(self.engine))

    @functools.cached_property
    def package_commands(self) -> CommandBus[SqlLogisticsUnitOfWork]:
        """Logistics' commands: a package's lifecycle steps."""
        return CommandBus(
            package_handlers.HANDLERS,
            self._unit_of_work(SqlLogisticsUnitOfWork),
            prepare=package_handlers.load_packages,
            concurrency=self._transactions_at_a_time,
        )

    @functools.cached_property
    def packages(self) -> PackageQueries:
        return PackageQueries(reader(self.engine))

    @functools.cached_property
    def subscribers(self) -> list[Subscriber[Any]]:
        return subscriber_table(
            self._unit_of_work(SqlLogisticsUnitOfWork),
            self._tracking_unit_of_work,
            self._unit_of_work(SqlInventoryUnitOfWork),
            self._unit_of_work(SqlSlaUnitOfWork),
            self.webhooks,
            sla_policy=self.sla_policy,
            webhooks_follow=self.followed_events,
        )

    @functools.cached_property
    def followed_events(self) -> FollowedEvents:
        """What the webhooks follow, as the fan-out and the webhooks' API share it."""
        from logistics_platform.backoffice.infrastructure.sql_webhooks import (  # noqa: PLC0415
            followed_event_types,
        )

        return FollowedEvents(lambda: followed_event_types(reader(self.engine)))

    @functools.cached_property
    def sla_policy(self) -> SlaPolicy:
        settings = self.settings
        return SlaPolicy(
            registered_max=timedelta(seconds=settings.sla_registered_max_seconds),
            in_transit_max=timedelta(seconds=settings.sla_in_transit_max_seconds),
            in_transit_max_by_carrier={
                carrier: timedelta(seconds=seconds)
                for carrier, seconds in settings.sla_in_transit_max_seconds_by_carrier.items()
            },
            max_failed_attempts=settings.sla_max_failed_attempts,
        )

    def sla_monitor(self) -> sla.SlaMonitor:
        """Raises the time-based SLA breaches that fall due (``serve``, ``consumer backoffice``)."""
        return sla.SlaMonitor(
            self._unit_of_work(SqlSlaUnitOfWork),
            self.sla_policy,
            interval=self.settings.sla_sweep_interval,
        )

    @functools.cached_property
    def sla_alerts(self) -> SlaAlerts:
        """The SLA alerts question (the Backoffice API and its pages)."""
        return SqlSlaAlerts(reader(self.engine))

    def webhooks(self, causation: Causation) -> "SqlWebhookUnitOfWork":
        """The webhooks' unit of work (the write database, whatever the read store)."""
        from logistics_platform.backoffice.infrastructure.sql_webhooks import (  # noqa: PLC0415 - the roles that use webhooks
            SqlWebhookUnitOfWork,
        )

        return SqlWebhookUnitOfWork(
            self.engine,
            causation=causation,
            on_events_committed=self.committed,
            ordered_appends=self.settings.rabbitmq_url is None,
            on_queued=self._wake_webhook_dispatchers,
        )

    @functools.cached_property
    def webhook_queries(self) -> WebhookQueries:
        """The webhooks and their delivery logs as the Backoffice API reads them."""
        from logistics_platform.backoffice.infrastructure.sql_webhook_queries import (  # noqa: PLC0415 - the roles that use webhooks
            SqlWebhookQueries,
        )

        return SqlWebhookQueries(reader(self.engine))

    def _wake_webhook_dispatchers(self) -> None:
        for wake_up in self._webhooks_queued:
            wake_up()

    @functools.cached_property
    def webhook_policy(self) -> "NetworkPolicy":
        from logistics_platform.backoffice.domain.webhooks import NetworkPolicy  # noqa: PLC0415

        return NetworkPolicy(
            self.settings.webhook_allow_private_networks,
            frozenset(host.lower() for host in self.settings.webhook_allowed_hosts),
        )

    @functools.cached_property
    def receiver_check(self) -> "ReceiverCheck":
        """Whether a new webhook's host may be called."""
        from logistics_platform.backoffice.infrastructure.webhook_sender import ReceiverCheck  # noqa: PLC0415

        return ReceiverCheck(self.webhook_policy)

    @functools.cached_property
    def _webhook_sender(self) -> "HttpWebhookSender":
        from logistics_platform.backoffice.infrastructure.webhook_sender import (  # noqa: PLC0415 - httpx only where webhooks go out
            HttpWebhookSender,
        )

        settings = self.settings
        return HttpWebhookSender(
            self.webhook_policy,
            timeout=settings.webhook_timeout_seconds,
            connections=settings.webhook_concurrency,
        )

    def webhook_dispatcher(self) -> "WebhookDispatcher":
        """Sends queued webhook deliveries (``serve`` and ``consumer backoffice``), woken by
        this process's fan-out; what other processes queue, its poll finds."""
        from logistics_platform.backoffice.application.webhook_dispatcher import (  # noqa: PLC0415
            WebhookDispatcher,
        )
        from logistics_platform.backoffice.domain.webhook_deliveries import Backoff  # noqa: PLC0415

        settings = self.settings
        dispatcher = WebhookDispatcher(
            self.webhooks,
            lambda: self._webhook_sender,
            backoff=Backoff(settings.webhook_retry_base_seconds, settings.webhook_max_attempts),
            timeout=settings.webhook_timeout_seconds,
            concurrency=settings.webhook_concurrency,
            per_endpoint=settings.webhook_concurrency_per_endpoint,
        )
        self._webhooks_queued.append(dispatcher.notify)
        return dispatcher

    def _tracking_unit_of_work(self, causation: Causation) -> "BackofficeUnitOfWork":
        return self.tracking_store.unit_of_work(causation)

    @functools.cached_property
    def tracking_store(self) -> "TrackingStore":
        """The read store; :func:`bootstrap` starts it for the roles that read or write views."""
        from logistics_platform.backoffice.infrastructure.stores import tracking_store  # noqa: PLC0415 - only roles that use it import Elasticsearch's client

        return tracking_store(self.settings, self.engine)

    @property
    def tracking(self) -> "TrackingQueries":
        return self.tracking_store.queries

    @functools.cached_property
    def delivery(self) -> "InProcessDelivery | None":
        """In-process delivery, unless RabbitMQ carries the events."""
        if self.settings.rabbitmq_url is not None:
            return None
        from logistics_platform.shared.infrastructure.messaging.in_process import InProcessDelivery  # noqa: PLC0415

        delivery = InProcessDelivery(self.engine, self.subscribers)
        self.committed.listeners.append(delivery.notify)
        return delivery

    def relay(self) -> "OutboxRelay":
        """The outbox relay to RabbitMQ, woken by this process's commits too (``serve``)."""
        from logistics_platform.shared.infrastructure.messaging.rabbitmq.publisher import (  # noqa: PLC0415 - RabbitMQ's client only where it is used
            RabbitMqPublisher,
        )
        from logistics_platform.shared.infrastructure.messaging.relay import OutboxRelay  # noqa: PLC0415

        settings = self.settings
        publisher = RabbitMqPublisher(self._broker_url(), self._topology(), self.subscribers)
        relay = OutboxRelay(
            self.engine,
            publisher,
            batch_size=settings.relay_batch_size,
            poll_interval=settings.relay_poll_interval,
            batch_window=settings.event_batch_window,
            batches_in_flight=settings.relay_batches_in_flight,
        )
        self.committed.listeners.append(lambda _names: relay.notify())
        return relay

    def subscribers_of(self, context: str) -> list[Subscriber[Any]]:
        """A context's subscribers: those named ``<context>.…``."""
        return [s for s in self.subscribers if s.name.startswith(f"{context}.")]

    def projections(self) -> dict[str, frozenset[str]]:
        """The read side's projections (the backoffice's subscribers) and their events."""
        return {
            s.name: s.events
            for s in self.subscribers_of("backoffice")
            if s.name != WEBHOOKS  # it projects nothing: it queues deliveries
        }

    def consumer(
        self, subscribers: list[Subscriber[Any]] | None = None, *, name: str = "all-consumer"
    ) -> "RabbitMqConsumer":
        """A consumer of the RabbitMQ queues of ``subscribers`` (by default, of all)."""
        from logistics_platform.shared.infrastructure.messaging.rabbitmq.consumer import (  # noqa: PLC0415
            RabbitMqConsumer,
        )

        return RabbitMqConsumer(
            self._broker_url(),
            self._topology(),
            self.subscribers if subscribers is None else subscribers,
            prefetch=self.settings.consumer_prefetch,
            batch_window=self.settings.event_batch_window,
            name=name,
        )

    def dead_letters(self) -> "DeadLetters":
        """RabbitMQ's dead-letter queues in production mode, the table in the embedded mode."""
        if self.settings.rabbitmq_url is None:
            from logistics_platform.shared.infrastructure.persistence.dead_letters import (  # noqa: PLC0415
                SqlDeadLetters,
            )

            return SqlDeadLetters(self.engine, self.subscribers)
        from logistics_platform.shared.infrastructure.messaging.rabbitmq.dead_letters import (  # noqa: PLC0415
            RabbitMqDeadLetters,
        )

        return RabbitMqDeadLetters(self._broker_url(), self._topology(), self.subscribers)

    def _broker_url(self) -> str:
        if self.settings.rabbitmq_url is None:
            raise ValueError("set RABBITMQ_URL (amqp://…): this role works with RabbitMQ only")
        return self.settings.rabbitmq_url

    def _topology(self) -> "Topology":
        from logistics_platform.shared.infrastructure.messaging.rabbitmq.topology import Topology  # noqa: PLC0415

        return Topology.from_settings(self.settings)

    async def close(self) -> None:
        if "tracking_store" in self.__dict__:
            await self.tracking_store.close()
        if "_webhook_sender" in self.__dict__:
            await self._webhook_sender.aclose()
        await self.engine.dispose()


# The batch window of the subscribers nobody waits on by the millisecond (seconds): an SLA
# breach is minutes in the making, and a webhook's sender retries over minutes anyway.
UNHURRIED = 0.2


def subscriber_table(
    packages: Callable[[Causation], LogisticsUnitOfWork],
    tracking: Callable[[Causation], "BackofficeUnitOfWork"],
    stock: Callable[[Causation], InventoryUnitOfWork] | None = None,
    watches: Callable[[Causation], SlaUnitOfWork] | None = None,
    webhooks: Callable[[Causation], WebhookUnitOfWork] | None = None,
    *,
    sla_policy: SlaPolicy = SlaPolicy(),  # noqa: B008 - immutable
    webhooks_follow: FollowedEvents | None = None,
) -> list[Subscriber[Any]]:
    """Every event subscriber: its name (its queue and checkpoint), the events it follows,
    its handler and its unit of work. (Without ``stock``, Inventory's are left out;
    without ``watches``, the SLA watch; without ``webhooks``, the webhooks' fan-out, which
    takes only the events some webhook follows when ``webhooks_follow`` says which.)"""
    stock_follows_packages = (
        [
            Subscriber(name, frozenset({event}), reaction, stock)
            for name, event, reaction in inventory_subscribers.REACTIONS
        ]
        if stock is not None
        else []
    )
    sla_watch = (
        [
            Subscriber(
                sla.SLA_WATCH,
                sla.SLA_WATCH_EVENTS,
                sla.watching(sla_policy),
                watches,
                prepare=sla.load_watches,
                batch_window=UNHURRIED,
            )
        ]
        if watches is not None
        else []
    )
    return [
        *stock_follows_packages,
        Subscriber(
            "logistics.create_package_on_stock_item_reserved",
            frozenset({logistics.STOCK_ITEM_RESERVED}),
            logistics.create_package_on_stock_item_reserved,
            packages,
            prepare=logistics.find_packages_of,
        ),
        Subscriber(
            "logistics.cancel_package_on_reservation_ended",
            frozenset({logistics.RESERVATION_RELEASED, logistics.RESERVATION_EXPIRED}),
            logistics.cancel_package_on_reservation_ended,
            packages,
            prepare=logistics.find_packages_of,
        ),
        Subscriber(
            backoffice.CATALOG,
            backoffice.CATALOG_EVENTS,
            backoffice.projecting(backoffice.CATALOG),
            tracking,
            prepare=backoffice.load_catalog_entries,
        ),
        Subscriber(
            backoffice.TRACKING,
            backoffice.TRACKING_EVENTS,
            backoffice.projecting(backoffice.TRACKING),
            tracking,
            prepare=backoffice.load_views_and_names,
            formerly=backoffice.FORMERLY_TRACKING,
        ),
        *sla_watch,
        *(
            [
                Subscriber(
                    WEBHOOKS,
                    event_names(),
                    queue_deliveries_on_event,
                    webhooks,
                    # The events some webhook follows (the broker routes only those).
                    wants=None if webhooks_follow is None else webhooks_follow.of,
                    routed=None
                    if webhooks_follow is None
                    else functools.partial(webhooks_follow.among, event_names()),
                    batch_window=UNHURRIED,
                )
            ]
            if webhooks is not None
            else []
        ),
    ]


async def bootstrap(
    settings: Settings | None = None, *, migrate: bool | None = None, read_store: bool = True
) -> Platform:
    """The database engine (migrated unless ``migrate`` is False or AUTO_MIGRATE is off),
    and with ``read_store`` the read store started (its index created if missing)."""
    settings = settings or Settings()
    url = async_database_url(settings.database_url)
    engine = create_engine(url, pool_size=settings.db_pool_size)
    _trace(settings, engine)
    platform = Platform(settings, engine)
    try:
        if settings.auto_migrate if migrate is None else migrate:
            await migrations.upgrade(engine)
            await warn_if_autovacuum_is_off(engine)
        if read_store:
            await platform.tracking_store.start()
    except BaseException:
        await platform.close()
        raise
    return platform


def _trace(settings: Settings, engine: AsyncEngine) -> None:
    """The process traces as its settings say (imports OpenTelemetry only then)."""
    if settings.tracing == "none":
        tracing.install(None)
        return
    from logistics_platform.shared.infrastructure import otel  # noqa: PLC0415 - the extra

    otel.start().instrument_engine(engine)
