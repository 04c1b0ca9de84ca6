"""Kafka -> label store: feedback labels, review-queue tweets and a sample of scored tweets.

At least once: offsets are committed only after the database commit; the store's writes
are idempotent per (tweet, source), so a redelivered record changes nothing. Records that
break their contract are logged with their reason and counted (the worker's feedback agent
already dead-letters bad feedback; review and scored records come from the worker).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from stream.kafka.security import librdkafka_config
from stream.labels.records import LabelRecord, QueueItem, feedback_label
from stream.labels.store import LabelStore
from stream.records import Feedback, InvalidRecord, ScoredTweet
from stream.settings import Settings

log = logging.getLogger(__name__)


def sampled(tweet_id: str, share: float) -> bool:
    """Deterministic sample by id: a redelivered scored tweet gets the same answer."""
    digest = int.from_bytes(hashlib.sha256(tweet_id.encode()).digest()[:8], "big")
    return digest / 2**64 < share


@dataclass
class Decoded:
    labels: list[LabelRecord] = field(default_factory=list)
    items: list[QueueItem] = field(default_factory=list)
    invalid: list[tuple[str, int, int, str]] = field(default_factory=list)  # topic, part, off, why


def _item(event: ScoredTweet, kind: str) -> QueueItem:
    return QueueItem(
        tweet_id=event.id,
        text=event.text,
        tweet_time=event.created_at,
        model_version=event.model_version,
        model_score=event.score,
        kind=kind,
    )


def decode(messages: Iterable[Any], settings: Settings, now: datetime) -> Decoded:
    """Kafka messages (topic(), key(), value(), partition(), offset()) -> store writes."""
    out = Decoded()
    low, high = settings.review_band
    for message in messages:
        topic, value = message.topic(), message.value() or b""
        try:
            if topic == settings.topic_feedback:
                out.labels.append(feedback_label(Feedback.from_json(value), now))
            elif topic == settings.topic_review:
                out.items.append(_item(ScoredTweet.from_json(value), "uncertain"))
            elif topic == settings.topic_scored:
                key = (message.key() or b"").decode("utf-8", "replace")
                if key and not sampled(key, settings.labels_random_share):
                    continue
                event = ScoredTweet.from_json(value)
                if sampled(event.id, settings.labels_random_share) and not (
                    low <= event.score <= high  # the band comes through tweets.review
                ):
                    out.items.append(_item(event, "random"))
        except InvalidRecord as error:
            out.invalid.append((topic, message.partition(), message.offset(), error.reason))
    return out


class LabelSink:
    """Consumes the label topics into a LabelStore; commits after each stored batch."""

    def __init__(self, settings: Settings, store: LabelStore) -> None:
        self.settings = settings
        self.store = store
        self.stored = {"labels": 0, "queued": 0, "invalid": 0}

    def topics(self) -> list[str]:
        topics = [self.settings.topic_feedback, self.settings.topic_review]
        if self.settings.labels_random_share > 0:
            topics.append(self.settings.topic_scored)
        return topics

    def _consumer(self) -> Any:
        from confluent_kafka import Consumer

        consumer = Consumer(
            {
                **librdkafka_config(self.settings.kafka),
                "group.id": self.settings.labels_group_id,
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
            }
        )
        consumer.subscribe(self.topics())
        return consumer

    def handle(self, messages: list[Any]) -> Decoded:
        decoded = decode(messages, self.settings, datetime.now(UTC))
        for topic, partition, offset, reason in decoded.invalid:
            log.warning(
                "label sink: invalid record %s[%d]@%d: %s", topic, partition, offset, reason
            )
        self.store.add(decoded.labels)
        self.store.queue(decoded.items)
        self.stored["labels"] += len(decoded.labels)
        self.stored["queued"] += len(decoded.items)
        self.stored["invalid"] += len(decoded.invalid)
        return decoded

    def run(
        self,
        stop: Callable[[], bool] = lambda: False,
        idle_exit_s: float | None = None,
        batch: int = 500,
    ) -> dict[str, int]:
        """Consume until `stop()` or `idle_exit_s` without a record; returns the counts."""
        consumer = self._consumer()
        last = time.monotonic()
        try:
            while not stop():
                messages = []
                for message in consumer.consume(batch, timeout=0.5):
                    if message.error():
                        log.warning("label sink: consumer error: %s", message.error())
                    else:
                        messages.append(message)
                if not messages:
                    if idle_exit_s is not None and time.monotonic() - last > idle_exit_s:
                        break
                    continue
                last = time.monotonic()
                self.handle(messages)
                consumer.commit(asynchronous=False)  # only after the database commit
        finally:
            consumer.close()
        return self.stored
