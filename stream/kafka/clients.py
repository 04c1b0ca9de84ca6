"""Replay tweets into `tweets.raw`, and read topics back: the producer and tail side."""

from __future__ import annotations

import csv
import gzip
import io
import json
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from models.preprocessing import tweet_terms
from stream.kafka.delivery import AccountedProducer
from stream.kafka.security import ClientErrors, librdkafka_config
from stream.records import RawTweet
from stream.settings import Settings

PACING_S = 0.002  # a rate-paced producer runs at most this far ahead of schedule


def tags_of(text: str) -> list[str]:
    """@mentions and #hashtags, lower-cased, in order, without duplicates."""
    return list(dict.fromkeys(entity.lower() for entity in tweet_terms(text).entities))


def _open_text(path: Path) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")


def read_tweet_file(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a JSONL file (raw tweet objects) or a CSV with a `text` column (.gz allowed)."""
    jsonl = ".jsonl" in path.suffixes or ".json" in path.suffixes
    with _open_text(path) as handle:
        if jsonl:
            for line in handle:
                if line.strip():
                    yield json.loads(line)
            return
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "text" not in reader.fieldnames:
            raise ValueError(f"{path}: a CSV needs a 'text' column, got {reader.fieldnames}")
        for row in reader:
            yield {"text": row["text"]}


def as_raw_tweet(row: dict[str, Any], now: datetime | None = None) -> RawTweet:
    """Complete a row into a valid raw tweet: id, created_at and tags when absent."""
    text = row["text"]
    return RawTweet.model_validate(
        {
            "id": row.get("id") or uuid.uuid4().hex,
            "created_at": row.get("created_at") or (now or datetime.now(UTC)),
            "tags": row.get("tags") or tags_of(text),
            **{k: v for k, v in row.items() if k not in {"id", "created_at", "tags"}},
        }
    )


def produce(
    settings: Settings,
    payloads: Iterable[tuple[str | None, bytes]],
    rate: float | None = None,
    topic: str | None = None,
    on_sent: Callable[[], None] | None = None,
    delivery_timeout_s: float = 30.0,
) -> int:
    """Send (key, value) pairs to `topic` (default tweets.raw), paced at `rate` per second;
    wait up to `delivery_timeout_s` for the broker to take them all, else `DeliveryError`."""
    config = {"linger.ms": 5, "acks": "all", "partitioner": "murmur2_random"}  # as Java, Faust
    producer = AccountedProducer(settings.kafka, config)
    started = time.perf_counter()
    for key, value in payloads:
        producer.send(topic or settings.topic_raw, key, value)
        if on_sent:
            on_sent()
        if rate:
            ahead = started + producer.sent / rate - time.perf_counter()
            if ahead > PACING_S:  # sleep in steps of a few tweets, not one wake-up per tweet
                time.sleep(ahead)
    producer.wait(delivery_timeout_s)
    return producer.sent


def _consumer(settings: Settings, topics: list[str], from_start: bool) -> tuple[Any, ClientErrors]:
    """A consumer of `topics`, and its errors: `check` them after each poll."""
    from confluent_kafka import Consumer

    errors = ClientErrors(settings.kafka)
    consumer = Consumer(
        {
            **librdkafka_config(settings.kafka),
            **errors.config(),
            "group.id": f"tail-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest" if from_start else "latest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe(topics)
    return consumer, errors


def consume(
    settings: Settings, topics: list[str], from_start: bool = True
) -> Iterator[tuple[str, bytes]]:
    """Yield (topic, value) forever; the caller stops iterating. A refused password or
    certificate raises `KafkaSecurityError`."""
    consumer, errors = _consumer(settings, topics, from_start)
    try:
        while True:
            message = consumer.poll(0.5)
            errors.check()
            if message is not None and not message.error():
                yield message.topic() or "", message.value() or b""
    finally:
        consumer.close()


def read_topic(
    settings: Settings, topic: str, count: int, timeout_s: float = 60.0
) -> list[tuple[float, bytes]]:
    """Read up to `count` records of `topic` from the start: (arrival time, value) pairs."""
    consumer, errors = _consumer(settings, [topic], from_start=True)
    records: list[tuple[float, bytes]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(records) < count and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=1000, timeout=0.2):
                if not message.error():
                    records.append((time.time(), message.value() or b""))
            errors.check()
    finally:
        consumer.close()
    return records
