"""Acks settled together go out as one `multiple` ack for the run that follows the last
acknowledged tag; a tag behind a gap is acked on its own; nothing is acked before it is
settled. The broker's rule is modelled: a `multiple` ack settles every outstanding tag up
to its own, which must be outstanding itself."""

import asyncio
import random
from dataclasses import dataclass, field

import pytest

from logistics_platform.shared.infrastructure.messaging.rabbitmq.acks import Acknowledgements


class UnknownDeliveryTag(Exception):
    pass


@dataclass
class Channel:
    """The broker's side: the outstanding tags, and the ack frames received."""

    outstanding: set[int] = field(default_factory=set)
    frames: list[tuple[int, bool]] = field(default_factory=list)
    broken: bool = False

    def deliver(self, tag: int) -> "Message":
        self.outstanding.add(tag)
        return Message(tag, self)

    def settle(self, tag: int, *, multiple: bool) -> None:
        if self.broken:
            raise ConnectionError("channel closed")
        if tag not in self.outstanding:
            raise UnknownDeliveryTag(tag)
        self.frames.append((tag, multiple))
        covered = {t for t in self.outstanding if t <= tag} if multiple else {tag}
        self.outstanding -= covered

    def __hash__(self) -> int:
        return id(self)


@dataclass
class Message:
    delivery_tag: int
    channel: Channel
    turns_to_write: int = 1  # of the event loop, before the frame reaches the broker

    async def ack(self, multiple: bool = False) -> None:
        for _ in range(self.turns_to_write):
            await asyncio.sleep(0)
        self.channel.settle(self.delivery_tag, multiple=multiple)


async def _ack_together(acks: Acknowledgements, messages: list[Message]) -> None:
    await asyncio.gather(*(acks.ack(message) for message in messages))


async def test_acks_settled_together_go_out_as_one_multiple_ack() -> None:
    channel, acks = Channel(), Acknowledgements()
    messages = [channel.deliver(tag) for tag in range(1, 6)]

    await _ack_together(acks, messages)

    assert channel.frames == [(5, True)]
    assert channel.outstanding == set()


async def test_a_tag_behind_one_still_being_handled_is_acked_on_its_own() -> None:
    channel, acks = Channel(), Acknowledgements()
    first, second, third = (channel.deliver(tag) for tag in (1, 2, 3))

    await _ack_together(acks, [second, third])

    assert sorted(channel.frames) == [(2, False), (3, False)]
    assert channel.outstanding == {1}  # not acknowledged before it is settled

    await acks.ack(first)
    fourth, fifth = channel.deliver(4), channel.deliver(5)
    await _ack_together(acks, [fourth, fifth])

    assert channel.frames[2:] == [(1, True), (5, True)]
    assert channel.outstanding == set()


async def test_acks_reach_the_broker_in_the_order_they_were_sent() -> None:
    """A single ack still on its way must not be overtaken by a `multiple` ack covering
    its tag: the broker would then find that tag unknown and close the channel."""
    channel, acks = Channel(), Acknowledgements()
    first, second, third, fourth = (channel.deliver(tag) for tag in (1, 2, 3, 4))
    third.turns_to_write = 5

    third_acked = asyncio.create_task(acks.ack(third))  # alone: 1 and 2 are still in hand
    await asyncio.sleep(0)
    await _ack_together(acks, [first, second, fourth])  # 1-4 in a run now
    await third_acked

    assert channel.frames == [(3, False), (4, True)]
    assert channel.outstanding == set()


async def test_a_delivery_settled_otherwise_does_not_stop_the_run() -> None:
    channel, acks = Channel(), Acknowledgements()
    first, handed_back, third = (channel.deliver(tag) for tag in (1, 2, 3))
    channel.outstanding.discard(2)  # nacked: the broker took it back
    acks.settled_otherwise(handed_back)

    await _ack_together(acks, [first, third])

    assert channel.frames == [(3, True)]


async def test_each_channel_counts_its_own_tags() -> None:
    first_channel, second_channel, acks = Channel(), Channel(), Acknowledgements()
    messages = [first_channel.deliver(1), second_channel.deliver(1), second_channel.deliver(2)]

    await _ack_together(acks, messages)

    assert first_channel.frames == [(1, True)]
    assert second_channel.frames == [(2, True)]


async def test_a_failed_ack_is_raised_to_every_message_it_covered() -> None:
    channel, acks = Channel(broken=True), Acknowledgements()
    messages = [channel.deliver(tag) for tag in (1, 2)]

    outcomes = await asyncio.gather(
        *(acks.ack(message) for message in messages), return_exceptions=True
    )

    assert [type(outcome) for outcome in outcomes] == [ConnectionError, ConnectionError]


@pytest.mark.parametrize("seed", range(20))
async def test_whatever_the_order_every_message_is_acked_once_and_only_once_settled(
    seed: int,
) -> None:
    shuffled = random.Random(seed)
    channel, acks = Channel(), Acknowledgements()
    messages = [channel.deliver(tag) for tag in range(1, 41)]
    shuffled.shuffle(messages)
    settled: set[int] = set()

    async def settle(message: Message) -> None:
        for _ in range(shuffled.randrange(3)):
            await asyncio.sleep(0)
        settled.add(message.delivery_tag)
        await acks.ack(message)
        assert set(range(1, 41)) - channel.outstanding <= settled

    await asyncio.gather(*(settle(message) for message in messages))

    assert channel.outstanding == set()
    assert len(channel.frames) < 40
