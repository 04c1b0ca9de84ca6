"""Faust events and the delivery contract (see `stream.kafka`): send now, release."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any, Protocol, runtime_checkable

import faust
from aiokafka.partitioner import murmur2
from faust.types import Message


@runtime_checkable
class DoneMarker(Protocol):
    """The consumer side of the contract (`ProcessedOffsets` in our transport): `message`'s
    outputs are on the broker, so on a guarded topic its offset may now be committed."""

    def mark_done(self, message: Message) -> None: ...


def key_partition(key: str, partitions: int) -> int:
    """The partition Kafka's default (murmur2) partitioner gives a text key: the outbox,
    Faust's producer and Java clients agree on it."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


async def send(topic: faust.TopicT, key: str | None, value: bytes) -> Awaitable[Any]:
    """Send now (not attached to the current event) and return the broker-ack future."""
    return await topic.send(key=key.encode() if key else None, value=value, force=True)


def release(events: Sequence[faust.EventT]) -> None:
    """Drop the hold taken in `submit`: the offsets become committable."""
    for event in events:
        message = event.message
        consumer = event.app.consumer
        if isinstance(consumer, DoneMarker):  # our transport's (not memory://)
            consumer.mark_done(message)
        if event.ack():  # the last reference: Faust's consumer may now commit it
            event.app.sensors.on_message_out(message.tp, message.offset, message)
