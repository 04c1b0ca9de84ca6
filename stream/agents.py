"""Faust agents: thin loops that read, call the pure functions, and send.

Delivery is at-least-once. `take_events` acks a batch's input offsets only when the loop
asks for the next batch, and each batch first awaits the broker's acknowledgement of every
scored event and dead letter it produced, so a committed offset always has its output.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime
from typing import Any

import faust

from stream import metrics
from stream.records import DeadLetter, ScoredTweet
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


def origin_of(event: faust.EventT) -> Origin:
    message = event.message
    return Origin(message.topic, message.partition, message.offset, message.timestamp)


async def _send(topic: faust.TopicT, key: str | None, value: bytes) -> Awaitable[Any]:
    """Send now (not attached to the current event) and return the broker-ack future."""
    return await topic.send(key=key.encode() if key else None, value=value, force=True)


class ScoringPipeline:
    """One micro-batch: validate, score in one model call, publish, await acks."""

    def __init__(self, settings: Settings, topics: Topics, slot: ModelSlot) -> None:
        self.settings = settings
        self.topics = topics
        self.slot = slot

    async def handle(self, events: Sequence[faust.EventT]) -> list[ScoredTweet]:
        metrics.TWEETS_CONSUMED.inc(len(events))
        batch = parse_batch([(e.value, origin_of(e)) for e in events], self.settings.max_text_chars)
        scored: list[ScoredTweet] = []
        if batch.tweets:
            scored = await self._score(batch)
        pending = [await self._dead(letter) for letter in batch.dead]
        for event in scored:
            pending += await self._publish(event)
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
        acks = [await _send(self.topics.scored, event.id, payload)]
        low, high = self.settings.review_band
        if low <= event.score <= high:
            metrics.REVIEW_QUEUED.inc()
            acks.append(await _send(self.topics.review, event.id, payload))
        metrics.TWEETS_SCORED.labels(event.label).inc()
        metrics.PRODUCE_TO_SCORED.observe(event.latency_s)
        return acks

    async def _dead(self, letter: DeadLetter) -> Awaitable[Any]:
        metrics.TWEETS_DEADLETTERED.labels(letter.reason).inc()
        return await _send(self.topics.deadletter, None, letter.to_json())


def register_scoring_agent(app: faust.App, pipeline: ScoringPipeline) -> None:
    settings = pipeline.settings

    @app.agent(pipeline.topics.raw, name="score-tweets")
    async def score_tweets(stream: faust.StreamT) -> None:
        take = stream.take_events  # type: ignore[attr-defined]  # missing from StreamT stubs
        async for events in take(settings.batch_size, within=settings.batch_timeout_s):
            await pipeline.handle(events)
