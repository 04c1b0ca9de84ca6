"""A real broker round trip with confluent-kafka: what we produce is what we consume."""

from __future__ import annotations

import time
import uuid

import pytest
from confluent_kafka import Consumer, Producer

from stream.kafka.admin import describe_topics, ensure_topics
from stream.kafka.security import librdkafka_config
from stream.records import RawTweet, parse_raw_tweet, utcnow
from stream.settings import Settings
from tests.kafka_broker import delete_topics_containing

pytestmark = pytest.mark.kafka


def consume(settings: Settings, topic: str, expected: int, timeout_s: float = 30.0) -> list:
    consumer = Consumer(
        {
            **librdkafka_config(settings.kafka),
            "group.id": f"{settings.app_id}-reader",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([topic])
    messages, deadline = [], time.monotonic() + timeout_s
    try:
        while len(messages) < expected and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is not None:
                assert message.error() is None, message.error()
                messages.append(message)
    finally:
        consumer.close()
    return messages


def test_tweets_come_back_intact_keyed_and_in_order_per_key(settings: Settings) -> None:
    ensure_topics(settings, [settings.topic_raw])
    tweets = [
        RawTweet(id=f"{i}-{uuid.uuid4().hex[:6]}", text=f"flight {i} ✈ late", created_at=utcnow())
        for i in range(20)
    ]
    producer = Producer({**librdkafka_config(settings.kafka), "acks": "all"})
    for tweet in tweets:
        producer.produce(settings.topic_raw, tweet.to_json(), key=tweet.id)
    assert producer.flush(30) == 0

    messages = consume(settings, settings.topic_raw, expected=len(tweets))

    assert len(messages) == len(tweets)
    limit = settings.limits.max_text_chars
    by_id = {m.key().decode(): parse_raw_tweet(m.value(), limit) for m in messages}
    assert by_id == {tweet.id: tweet for tweet in tweets}
    partitions = {m.partition() for m in messages}
    assert partitions <= set(range(settings.topic_partitions))
    for partition in partitions:
        offsets = [m.offset() for m in messages if m.partition() == partition]
        assert offsets == sorted(offsets)


def test_tests_get_topics_no_other_test_has_written_to(settings: Settings) -> None:
    ensure_topics(settings, [settings.topic_scored])
    assert consume(settings, settings.topic_scored, expected=1, timeout_s=2.0) == []


def test_a_tests_topics_can_be_deleted_by_suffix(settings: Settings, test_suffix: str) -> None:
    ensure_topics(settings, [settings.topic_raw, settings.topic_alerts])
    deleted = delete_topics_containing(settings.kafka.bootstrap_servers, test_suffix)
    assert sorted(deleted) == sorted([settings.topic_raw, settings.topic_alerts])
    for _ in range(20):  # deletion is asynchronous on the broker
        if not {settings.topic_raw, settings.topic_alerts} & set(describe_topics(settings)):
            break
        time.sleep(0.25)
    assert not {settings.topic_raw, settings.topic_alerts} & set(describe_topics(settings))
