"""The composition root: builds every adapter from settings, once per process."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.backoffice.application.ports import TrackingQueries, TrackingStore
from logistics_platform.backoffice.application.subscribers import backoffice_subscribers
from logistics_platform.backoffice.infrastructure.stores import open_tracking_store
from logistics_platform.config import Settings
from logistics_platform.inventory.application import handlers as inventory
from logistics_platform.inventory.application.commands import AddStockItem, ReserveStock
from logistics_platform.inventory.infrastructure.queries import StockItemQueries
from logistics_platform.inventory.infrastructure.unit_of_work import SqlInventoryUnitOfWork
from logistics_platform.logistics.application import subscribers as logistics
from logistics_platform.logistics.infrastructure.unit_of_work import SqlLogisticsUnitOfWork
from logistics_platform.shared.application.command_bus import CommandBus
from logistics_platform.shared.application.group_commit import GroupCommit
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.application.unit_of_work import Causation
from logistics_platform.shared.infrastructure.messaging.in_process import InProcessDelivery
from logistics_platform.shared.infrastructure.persistence import migrations
from logistics_platform.shared.infrastructure.persistence.database import (
    async_database_url,
    create_engine,
    warn_if_autovacuum_is_off,
)
from logistics_platform.shared.infrastructure.persistence.unit_of_work import SqlUnitOfWork

U = TypeVar("U", bound=SqlUnitOfWork)
# Enough to take the requests in flight at once (the pool holds 20 connections).
RESERVATIONS_PER_TRANSACTION = 64
# Reservation transactions at a time per process: a slow one (a row lock held elsewhere)
# holds back only the requests of its own batch.
RESERVATION_TRANSACTIONS = 2


@dataclass
class CommitListeners:
    """Called after a transaction that recorded events commits (to wake up delivery)."""

    listeners: list[Callable[[], None]] = field(default_factory=list)

    def __call__(self) -> None:
        for listener in self.listeners:
            listener()


@dataclass
class Platform:
    """Everything a process needs, built by :func:`bootstrap`."""

    settings: Settings
    engine: AsyncEngine
    commands: CommandBus
    stock_items: StockItemQueries
    tracking: TrackingQueries
    tracking_store: TrackingStore
    subscribers: list[Subscriber[Any]]
    delivery: InProcessDelivery | None
    committed: CommitListeners

    async def close(self) -> None:
        await self.tracking_store.close()
        await self.engine.dispose()


def _ensure_sqlite_directory(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def reservations_in_groups(
    unit_of_work: Callable[[Causation], SqlInventoryUnitOfWork],
) -> GroupCommit[tuple[ReserveStock, Causation]]:
    """Reservations that arrive while one commits are granted together in the next
    transaction (docs/adr/0002-event-delivery.md), each still answered on its own."""

    async def reserve_together(
        requests: Sequence[tuple[ReserveStock, Causation]],
    ) -> Sequence[Exception | None]:
        return await inventory.reserve_stock_together(requests, unit_of_work(Causation()))

    async def reserve_one(request: tuple[ReserveStock, Causation]) -> None:
        command, causation = request
        await inventory.reserve_stock(command, unit_of_work(causation))

    return GroupCommit(
        reserve_together,
        reserve_one,
        max_batch=RESERVATIONS_PER_TRANSACTION,
        concurrency=RESERVATION_TRANSACTIONS,
    )


async def bootstrap(settings: Settings | None = None, *, migrate: bool | None = None) -> Platform:
    """Build the platform. In-process delivery is wired unless RabbitMQ carries events."""
    settings = settings or Settings()
    url = async_database_url(settings.database_url)
    _ensure_sqlite_directory(url)
    engine = create_engine(url, pool_size=settings.db_pool_size)
    if settings.auto_migrate if migrate is None else migrate:
        await migrations.upgrade(engine)
    await warn_if_autovacuum_is_off(engine)
    tracking_store = await open_tracking_store(settings, engine)
    committed = CommitListeners()
    in_process = settings.rabbitmq_url is None

    def unit_of_work(kind: type[U]) -> Callable[[Causation], U]:
        return lambda causation: kind(
            engine, causation=causation, on_events_committed=committed, ordered_appends=in_process
        )

    subscribers = [
        Subscriber(
            "logistics.create_package_on_stock_item_reserved",
            frozenset({logistics.STOCK_ITEM_RESERVED}),
            logistics.create_package_on_stock_item_reserved,
            unit_of_work(SqlLogisticsUnitOfWork),
            prepare=logistics.find_packages_of,
        ),
        *backoffice_subscribers(tracking_store.unit_of_work),
    ]
    delivery = None
    if in_process:
        delivery = InProcessDelivery(engine, subscribers)
        committed.listeners.append(delivery.notify)
    inventory_uow = unit_of_work(SqlInventoryUnitOfWork)
    reservations = reservations_in_groups(inventory_uow)
    commands = CommandBus(
        {
            AddStockItem: lambda command, causation: inventory.add_stock_item(
                command, inventory_uow(causation)
            ),
            ReserveStock: lambda command, causation: reservations.submit((command, causation)),
        }
    )
    return Platform(
        settings=settings,
        engine=engine,
        commands=commands,
        stock_items=StockItemQueries(engine),
        tracking=tracking_store.queries,
        tracking_store=tracking_store,
        subscribers=subscribers,
        delivery=delivery,
        committed=committed,
    )
