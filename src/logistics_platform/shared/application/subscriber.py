"""Event subscribers: any number per event, each isolated, idempotent and retried."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import structlog

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.retry import retry_on_concurrent_modification
from logistics_platform.shared.application.unit_of_work import Causation, UnitOfWork

U = TypeVar("U", bound=UnitOfWork)

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Subscriber(Generic[U]):
    """A handler of some events, under a stable name (``<context>.<action>_on_<event>``)
    that names its queue and its record of handled event ids."""

    name: str
    events: frozenset[str]
    handler: Callable[[EventEnvelope, U], Awaitable[None]]
    unit_of_work: Callable[[Causation], U]
    # Before a batch is handled, with its events (to load what they will read at once).
    prepare: Callable[[Sequence[EventEnvelope], U], Awaitable[None]] | None = None
    # Names it had before, whose queues may still hold events for it.
    formerly: tuple[str, ...] = ()
    # Before anything is claimed, the events of a batch it wants: the others are passed
    # over without a transaction or a record (no webhook follows them, say).
    wants: Callable[[Sequence[EventEnvelope]], Awaitable[Sequence[EventEnvelope]]] | None = None
    # With a broker, the events it routes to the queue, when that changes while the
    # platform runs (what some webhook follows): the publisher reads it before each batch
    # and binds the queue to match, so that events nobody follows are not even queued.
    # None: every one of ``events``, bound once when the queue is declared.
    routed: Callable[[], Awaitable[frozenset[str]]] | None = None
    # How long, in seconds, its events may wait after a batch to share the next one's
    # transaction, when nobody waits on it by the millisecond (an SLA watch, say): fewer
    # transactions, and more of the process left to the subscribers people watch.
    # None: the pipeline's window (EVENT_BATCH_WINDOW_MS).
    batch_window: float | None = None

    async def deliver(self, envelope: EventEnvelope) -> None:
        """Handle ``envelope`` at most once: the handler's writes and the record that it was
        handled commit in one transaction. Handler errors propagate to the transport.
        (A batch of one: its reads are prepared, and its writes flushed, as a batch's.)"""
        await self.deliver_all([envelope])

    async def deliver_all(
        self,
        envelopes: Sequence[EventEnvelope],
        *,
        before_commit: Callable[[U], Awaitable[bool]] | None = None,
    ) -> bool:
        """Handle several events in one transaction, in order, each at most once and each
        the cause of the events its handling records. All or nothing: if one handler
        fails, nothing of the batch is kept and the error propagates.

        ``before_commit`` runs in the transaction after the handlers, to write along
        with them (the transport's checkpoint, say); returns what it answered (whether
        it wrote), False without it or when every event had been handled already."""

        if self.wants is not None:
            envelopes = await self.wants(envelopes)
            if not envelopes:
                return False

        async def attempt() -> bool:
            async with self.unit_of_work(Causation()) as uow:
                unhandled = await uow.claim_all(self.name, [e.event_id for e in envelopes])
                if not unhandled:  # every one handled already: nothing to write
                    return False
                if self.prepare is not None:
                    await self.prepare([e for e in envelopes if e.event_id in unhandled], uow)
                for envelope in envelopes:
                    if envelope.event_id in unhandled:
                        unhandled.discard(envelope.event_id)  # a duplicate in the batch
                        uow.caused_by(Causation.of(envelope))
                        await self._handle(envelope, uow)
                wrote = before_commit is not None and await before_commit(uow)
                await uow.commit()
                return wrote

        return await retry_on_concurrent_modification(attempt)

    async def _handle(self, envelope: EventEnvelope, uow: U) -> None:
        # What the handler logs carries the correlation id of the request that began it.
        # (Tokens, not bound_contextvars: that one copies the whole context, every event.)
        tokens = structlog.contextvars.bind_contextvars(correlation_id=envelope.correlation_id)
        try:
            log.debug(
                "handling event",
                subscriber=self.name,
                event_name=envelope.name,
                event_id=envelope.event_id,
            )
            await self.handler(envelope, uow)
        finally:
            structlog.contextvars.reset_contextvars(**tokens)
