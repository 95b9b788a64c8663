"""``logistics consumer <context>`` and ``logistics dead-letters``."""

import asyncio
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from logistics_platform.entrypoints.settings import settings_for_a_role

if TYPE_CHECKING:
    from rich.table import Table

    from logistics_platform.bootstrap import Platform
    from logistics_platform.entrypoints.runner import Worker
    from logistics_platform.shared.application.dead_letters import DeadLetter, DeadLetters

T = TypeVar("T")

dead_letters = typer.Typer(help="Events a subscriber gave up on.", no_args_is_help=True)


class Context(StrEnum):
    inventory = "inventory"
    logistics = "logistics"
    backoffice = "backoffice"


SubscriberOption = Annotated[
    str | None,
    typer.Option(
        help="Only this subscriber's, e.g. logistics.create_package_on_stock_item_reserved"
    ),
]


def consumer_role(context: Context) -> "Callable[[Platform], list[Worker]]":
    def workers(platform: "Platform") -> "list[Worker]":
        subscribers = platform.subscribers_of(context.value)
        consumer = platform.consumer(subscribers, name=f"{context.value}-consumer")
        if context is Context.backoffice:
            # Its subscribers keep the SLA watch and queue the webhooks' deliveries.
            return [consumer.run, platform.sla_monitor().run, platform.webhook_dispatcher().run]
        return [consumer.run]

    return workers


async def _with_dead_letters(
    subscriber: str | None, use: "Callable[[DeadLetters], Awaitable[T]]"
) -> T:
    from logistics_platform.bootstrap import bootstrap  # noqa: PLC0415 - only when it runs

    platform = await bootstrap(settings_for_a_role(), migrate=False, read_store=False)
    try:
        known = {s.name for s in platform.subscribers}
        if subscriber is not None and subscriber not in known:
            typer.secho(
                f"no subscriber {subscriber!r}; known: {', '.join(sorted(known))}", fg="red"
            )
            raise typer.Exit(2)
        return await use(platform.dead_letters())
    finally:
        await platform.close()


@dead_letters.command("list")
def list_dead_letters(subscriber: SubscriberOption = None) -> None:
    """Show dead letters (RabbitMQ's dead-letter queues when RABBITMQ_URL is set)."""
    from rich.console import Console  # noqa: PLC0415

    letters = asyncio.run(_with_dead_letters(subscriber, lambda store: store.peek(subscriber)))
    Console().print(_table(letters))


@dead_letters.command("republish")
def republish_dead_letters(
    subscriber: SubscriberOption = None,
    event_id: Annotated[str | None, typer.Option(help="Only this event")] = None,
) -> None:
    """Give dead letters to their subscriber again, once the cause is fixed."""
    outcome = asyncio.run(
        _with_dead_letters(subscriber, lambda store: store.republish(subscriber, event_id))
    )
    typer.echo(f"republished {outcome.republished}, failed again {outcome.failed}")
    if outcome.failed:
        raise typer.Exit(1)


def _table(letters: "list[DeadLetter]") -> "Table":
    from rich.table import Table  # noqa: PLC0415

    table = Table("subscriber", "event", "event id", "attempts", "failed at", "reason")
    for letter in letters:
        failed_at = letter.failed_at.isoformat() if letter.failed_at else "?"
        table.add_row(
            letter.subscriber,
            letter.event_name,
            letter.event_id,
            str(letter.attempts),
            failed_at,
            letter.reason,
        )
    table.caption = f"{len(letters)} dead letter(s)"
    return table
