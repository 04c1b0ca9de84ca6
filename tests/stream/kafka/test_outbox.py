"""The scoring agent's C producer on the real broker: acks per batch, errors, partitioning."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiokafka.partitioner import DefaultPartitioner
from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient, NewTopic

from stream.kafka.admin import ensure_topics
from stream.kafka.delivery import DeliveryError
from stream.kafka.outbox import Outbox, Record
from stream.kafka.security import librdkafka_config
from stream.settings import Settings

pytestmark = pytest.mark.kafka


def read_all(settings: Settings, topic: str, expected: int) -> list:
    consumer = Consumer(
        {
            **librdkafka_config(settings.kafka),
            "group.id": f"{settings.app_id}-outbox-reader",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([topic])
    messages, deadline = [], time.monotonic() + 30
    try:
        while len(messages) < expected and time.monotonic() < deadline:
            messages += [m for m in consumer.consume(100, timeout=0.5) if m.error() is None]
    finally:
        consumer.close()
    return messages


def test_a_batch_returns_once_every_record_is_on_the_broker(settings: Settings) -> None:
    ensure_topics(settings, [settings.topic_scored, settings.topic_deadletter])
    topic = settings.topic_scored
    records: list[Record] = [(topic, f"id-{i}".encode(), f"event {i}".encode()) for i in range(300)]
    records.append((settings.topic_deadletter, None, b"a dead letter"))
    outbox = Outbox(settings)
    try:
        asyncio.run(outbox.send(records))
        asyncio.run(outbox.send([]))  # nothing to send returns at once
    finally:
        assert outbox.close() == 0

    scored = read_all(settings, settings.topic_scored, 300)
    assert sorted(m.value() for m in scored) == sorted(value for _, _, value in records[:300])
    assert [m.value() for m in read_all(settings, settings.topic_deadletter, 1)] == [
        b"a dead letter"
    ]
    # murmur2, as Java clients, aiokafka and so Faust partition keys
    partitions = list(range(settings.topic_partitions))
    for message in scored:
        assert message.partition() == DefaultPartitioner()(message.key(), partitions, partitions)


def test_a_record_the_broker_refuses_fails_the_batch(settings: Settings, test_suffix: str) -> None:
    topic = f"test.small.{test_suffix}"
    admin = AdminClient(librdkafka_config(settings.kafka))
    created = admin.create_topics([NewTopic(topic, 1, 1, config={"max.message.bytes": "1000"})])
    created[topic].result(30)
    outbox = Outbox(settings)
    try:
        with pytest.raises(DeliveryError, match=topic):
            asyncio.run(outbox.send([(topic, None, b"small"), (topic, None, b"x" * 5000)]))
    finally:
        outbox.close()
