"""``logistics relay``, ``logistics consumer <context>`` and ``logistics dead-letters``."""

import asyncio
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints import workers
from logistics_platform.entrypoints.logging import configure_logging
from logistics_platform.entrypoints.runner import run, run_process, stop_on_signals
from logistics_platform.shared.application.dead_letters import (
    DeadLetter,
    DeadLetters,
    Republished,
)

T = TypeVar("T")

console = Console()
dead_letters = typer.Typer(help="Events a subscriber gave up on.", no_args_is_help=True)


class Context(StrEnum):
    logistics = "logistics"
    backoffice = "backoffice"


SubscriberOption = Annotated[
    str | None,
    typer.Option(
        help="Only this subscriber's, e.g. logistics.create_package_on_stock_item_reserved"
    ),
]


def _settings(*, broker: bool) -> Settings:
    settings = Settings()
    configure_logging(settings)
    if broker and settings.rabbitmq_url is None:
        console.print("[red]set RABBITMQ_URL (amqp://…): this command works with RabbitMQ[/red]")
        raise typer.Exit(2)
    return settings


async def _run_workers(
    settings: Settings, build: Callable[[Platform], list[workers.Worker]]
) -> int:
    stop = stop_on_signals()
    platform = await bootstrap(settings)
    return await run(
        host=settings.host,
        services=[],
        workers=build(platform),
        on_stop=platform.close,
        stop=stop,
    )


def relay() -> None:
    """Publish the outbox to RabbitMQ, in order, in batches (run one or several)."""
    settings = _settings(broker=True)
    code = run_process(
        _run_workers(settings, lambda platform: [workers.outbox_relay(platform).run])
    )
    if code:
        raise typer.Exit(code)


def consumer(context: Annotated[Context, typer.Argument(help="whose subscribers to run")]) -> None:
    """Consume the RabbitMQ queues of one context's subscribers."""
    settings = _settings(broker=True)

    def build(platform: Platform) -> list[workers.Worker]:
        subscribers = workers.subscribers_of(platform, context.value)
        name = f"{context.value}-consumer"
        return [workers.consumer(platform, subscribers, name=name).run]

    code = run_process(_run_workers(settings, build))
    if code:
        raise typer.Exit(code)


async def _with_dead_letters(
    subscriber: str | None, use: Callable[[DeadLetters], Awaitable[T]]
) -> T:
    platform = await bootstrap(_settings(broker=False))
    try:
        known = {s.name for s in platform.subscribers}
        if subscriber is not None and subscriber not in known:
            console.print(f"[red]no subscriber {subscriber!r}; known: {', '.join(sorted(known))}")
            raise typer.Exit(2)
        return await use(workers.dead_letters(platform))
    finally:
        await platform.close()


@dead_letters.command("list")
def list_dead_letters(subscriber: SubscriberOption = None) -> None:
    """Show dead letters (RabbitMQ's dead-letter queues when RABBITMQ_URL is set)."""
    letters = asyncio.run(_with_dead_letters(subscriber, lambda store: store.peek(subscriber)))
    console.print(_table(letters))


@dead_letters.command("republish")
def republish_dead_letters(
    subscriber: SubscriberOption = None,
    event_id: Annotated[str | None, typer.Option(help="Only this event")] = None,
) -> None:
    """Give dead letters to their subscriber again, once the cause is fixed."""
    outcome: Republished = asyncio.run(
        _with_dead_letters(subscriber, lambda store: store.republish(subscriber, event_id))
    )
    console.print(f"republished {outcome.republished}, failed again {outcome.failed}")
    if outcome.failed:
        raise typer.Exit(1)


def _table(letters: list[DeadLetter]) -> Table:
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
