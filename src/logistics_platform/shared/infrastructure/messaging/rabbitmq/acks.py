"""Acknowledging a channel's deliveries together, with one ``multiple`` ack where it can.

A batch's handlers finish together, in one turn of the event loop; acked one by one, each
message would cost a frame to send and a command for the broker (a quorum queue writes
each to its log). Instead the acks settled in a turn go out at the end of it: one
``multiple`` ack for the run of delivery tags that follows the last one acknowledged, and
one ack each for tags behind a gap (an earlier delivery still being handled), so that no
message is acknowledged before it is settled and none waits for another.
"""

import asyncio
import weakref
from dataclasses import dataclass, field
from typing import Protocol


class Delivery(Protocol):
    """The part of a received message acknowledging needs."""

    @property
    def delivery_tag(self) -> int | None: ...

    @property
    def channel(self) -> object: ...

    async def ack(self, multiple: bool = False) -> None: ...


@dataclass(slots=True)
class ChannelAcks:
    """One channel's acknowledgements; delivery tags count up from 1 on each channel."""

    acknowledged_up_to: int = 0  # every delivery up to this tag is settled
    settled_beyond: set[int] = field(default_factory=set)  # settled after a gap
    pending: dict[int, tuple[Delivery, asyncio.Future[None]]] = field(default_factory=dict)
    last_sent: asyncio.Task[None] | None = None  # the acks go out one after another

    async def ack(self, delivery: Delivery) -> None:
        """Acknowledge ``delivery`` with what else settles in this turn of the event loop;
        returns once its ack was sent, raises what sending it raised."""
        tag = delivery.delivery_tag
        if tag is None:  # not from a consumer with acknowledgements
            await delivery.ack()
            return
        sent = asyncio.get_running_loop().create_future()
        if not self.pending:
            asyncio.get_running_loop().call_soon(self._send_pending)
        self.pending[tag] = (delivery, sent)
        await sent

    def settled_otherwise(self, delivery: Delivery) -> None:
        """``delivery`` was settled by other means (rejected, handed back)."""
        if delivery.delivery_tag is not None:
            self.settled_beyond.add(delivery.delivery_tag)

    def _send_pending(self) -> None:
        pending, self.pending = self.pending, {}
        last_of_run: int | None = None
        while (following := self.acknowledged_up_to + 1) in pending or (
            following in self.settled_beyond
        ):
            if following in pending:
                last_of_run = following
            self.settled_beyond.discard(following)
            self.acknowledged_up_to = following
        if last_of_run is not None:
            covered = [sent for tag, (_, sent) in pending.items() if tag <= last_of_run]
            self._send(pending[last_of_run][0], covered, multiple=True)
        for tag, (delivery, sent) in pending.items():
            if tag > self.acknowledged_up_to:
                self.settled_beyond.add(tag)
                self._send(delivery, [sent], multiple=False)

    def _send(
        self, delivery: Delivery, waiting: list[asyncio.Future[None]], *, multiple: bool
    ) -> None:
        # In order: a `multiple` ack must not overtake a single one for a tag it covers,
        # which the broker would then not know any more (and close the channel for).
        self.last_sent = asyncio.create_task(
            self._sent(delivery, waiting, multiple=multiple, after=self.last_sent)
        )

    @staticmethod
    async def _sent(
        delivery: Delivery,
        waiting: list[asyncio.Future[None]],
        *,
        multiple: bool,
        after: asyncio.Task[None] | None,
    ) -> None:
        if after is not None:
            await asyncio.wait([after])  # its outcome is its own callers'
        try:
            await delivery.ack(multiple=multiple)
        except Exception as error:
            for sent in waiting:
                if not sent.done():
                    sent.set_exception(error)
        else:
            for sent in waiting:
                if not sent.done():
                    sent.set_result(None)


class Acknowledgements:
    """The acknowledgements of every channel a consumer receives on; a channel that is
    replaced (after a reconnection) starts counting its delivery tags anew."""

    def __init__(self) -> None:
        self._channels: weakref.WeakKeyDictionary[object, ChannelAcks] = weakref.WeakKeyDictionary()

    async def ack(self, delivery: Delivery) -> None:
        await self._of(delivery).ack(delivery)

    def settled_otherwise(self, delivery: Delivery) -> None:
        self._of(delivery).settled_otherwise(delivery)

    def _of(self, delivery: Delivery) -> ChannelAcks:
        channel = delivery.channel
        if (acks := self._channels.get(channel)) is None:
            acks = self._channels[channel] = ChannelAcks()
        return acks
