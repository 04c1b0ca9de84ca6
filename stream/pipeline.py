"""The scoring pipeline behind the scoring agent: validate, score in one model call, publish.

Delivery is at-least-once. `take_events` acks a batch's input offsets only when the agent
asks for the next batch, and each batch first awaits the broker's acknowledgement of every
scored event and dead letter it produced, so a committed offset always has its output.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import faust

from stream import metrics
from stream.analytics import Analytics
from stream.records import DeadLetter, Label, ScoredTweet
from stream.rules import needs_review
from stream.scoring import (
    Origin,
    ParsedBatch,
    model_failure_letters,
    parse_batch,
    score_with_retries,
    scored_events,
)
from stream.serving import ModelSlot
from stream.settings import Settings
from stream.topics import Topics

log = logging.getLogger(__name__)


class RecentPredictions:
    """Bounded memory of tweet id -> predicted label, to join feedback that lacks it."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._labels: OrderedDict[str, Label] = OrderedDict()

    def remember(self, tweet_id: str, label: Label) -> None:
        self._labels[tweet_id] = label
        self._labels.move_to_end(tweet_id)
        while len(self._labels) > self.capacity:
            self._labels.popitem(last=False)

    def get(self, tweet_id: str) -> Label | None:
        return self._labels.get(tweet_id)


def origin_of(event: faust.EventT) -> Origin:
    message = event.message
    return Origin(message.topic, message.partition, message.offset, message.timestamp)


async def send(topic: faust.TopicT, key: str | None, value: bytes) -> Awaitable[Any]:
    """Send now (not attached to the current event) and return the broker-ack future."""
    return await topic.send(key=key.encode() if key else None, value=value, force=True)


class WindowSink(Protocol):
    """Where scored batches go for windowed aggregation (stream.alert_pipeline)."""

    async def send_deltas(self, tweets: Sequence[ScoredTweet]) -> list[Awaitable[Any]]: ...


def _count(scored: Sequence[ScoredTweet]) -> None:
    positives = sum(event.label == "positive" for event in scored)
    metrics.TWEETS_SCORED.labels("positive").inc(positives)
    metrics.TWEETS_SCORED.labels("negative").inc(len(scored) - positives)


class ScoringPipeline:
    """One micro-batch: validate, score in one model call, publish, await acks."""

    def __init__(
        self,
        settings: Settings,
        topics: Topics,
        slot: ModelSlot,
        analytics: Analytics,
        windows: WindowSink | None = None,
    ) -> None:
        self.settings = settings
        self.topics = topics
        self.slot = slot
        self.analytics = analytics
        self.windows = windows
        self.recent = RecentPredictions()

    async def handle(self, events: Sequence[faust.EventT]) -> list[ScoredTweet]:
        metrics.TWEETS_CONSUMED.inc(len(events))
        batch = parse_batch([(e.value, origin_of(e)) for e in events], self.settings.max_text_chars)
        scored: list[ScoredTweet] = []
        if batch.tweets:
            scored = await self._score(batch)
        pending = [await self._dead(letter) for letter in batch.dead]
        for event in scored:
            pending += await self._publish(event)
        if self.windows is not None:
            pending += await self.windows.send_deltas(scored)
        _count(scored)
        await asyncio.gather(*pending)
        return scored

    async def _score(self, batch: ParsedBatch) -> list[ScoredTweet]:
        served = self.slot.current
        if served is None:
            raise RuntimeError("no model loaded")
        texts = [tweet.text for tweet in batch.tweets]
        started = time.perf_counter()
        try:
            scores, oov = await asyncio.get_running_loop().run_in_executor(
                None, score_with_retries, served.score, texts, self.settings.model_retries
            )
        except Exception as error:
            log.exception("model failed on a batch of %d tweets", len(texts))
            metrics.MODEL_FAILURES.inc()
            batch.dead.extend(model_failure_letters(batch, error))
            return []
        metrics.INFERENCE_LATENCY.observe(time.perf_counter() - started)
        metrics.BATCH_SIZE.observe(len(texts))
        return scored_events(batch, scores, oov, (served.name, served.version), datetime.now(UTC))

    async def _publish(self, event: ScoredTweet) -> list[Awaitable[Any]]:
        payload = event.to_json()
        acks = [await send(self.topics.scored, event.id, payload)]
        self.recent.remember(event.id, event.label)
        self.analytics.capture_prediction(event)
        if needs_review(event.score, self.settings.review_band):
            metrics.REVIEW_QUEUED.inc()
            acks.append(await send(self.topics.review, event.id, payload))
        metrics.PRODUCE_TO_SCORED.observe(event.latency_s)
        return acks

    async def _dead(self, letter: DeadLetter) -> Awaitable[Any]:
        metrics.TWEETS_DEADLETTERED.labels(letter.reason).inc()
        self.analytics.capture_error(letter)
        return await send(self.topics.deadletter, None, letter.to_json())
