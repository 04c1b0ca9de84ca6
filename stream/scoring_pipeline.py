"""The scoring pipeline behind the scoring agent: validate, score in one model call, publish.

Batches overlap: while one is scored (in the scorer process) the one before it publishes,
and batches publish strictly in arrival order, so event time stays ordered downstream.

Delivery is at-least-once. Each input message is held (its reference count raised) when
its batch is submitted, so `take_events`' own ack does not make its offset committable;
it is released only after the broker has acknowledged every scored event, window delta
and dead letter of its batch. A committed offset therefore always has its outputs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, NamedTuple, Protocol

import faust

from stream import metrics
from stream.alerts.scopes import FoundScopes, ScopeConfig
from stream.analytics import Analytics
from stream.kafka.events import release
from stream.kafka.outbox import Outbox, Record
from stream.records import DeadLetter, InvalidRecord, ScoredTweet
from stream.rollout.records import ShadowScore
from stream.rollout.serving import ChallengerSlot
from stream.rollout.serving import apply as apply_rollout
from stream.scoring import (
    Origin,
    ParsedBatch,
    analyse_with_retries,
    dead_letter,
    model_failure_letters,
    needs_review,
    parse_batch,
    scored_events,
)
from stream.serving import ModelSlot
from stream.settings import Settings
from stream.topics import Topics
from stream.watchdog import Watchdog

log = logging.getLogger(__name__)


def origin_of(event: faust.EventT) -> Origin:
    message = event.message
    return Origin(message.topic, message.partition, message.offset, message.timestamp)


class WindowSink(Protocol):
    """Where scored batches go for windowed aggregation (stream.alert_pipeline)."""

    def delta_records(
        self,
        tweets: Sequence[ScoredTweet],
        found: Sequence[FoundScopes],
        origins: Sequence[Origin],
    ) -> list[Record]: ...


class BatchResult(NamedTuple):
    parsed: ParsedBatch
    scored: list[ScoredTweet]
    found: list[FoundScopes]  # scopes of each scored tweet, before bounding
    shadow: Sequence[ShadowScore] = ()  # the challenger's scores while in shadow (or failures)


def _count(scored: Sequence[ScoredTweet]) -> None:
    positives = sum(event.label == "positive" for event in scored)
    metrics.TWEETS_SCORED.labels("positive").inc(positives)
    metrics.TWEETS_SCORED.labels("negative").inc(len(scored) - positives)
    for (version, label), n in Counter((e.model_version, e.label) for e in scored).items():
        metrics.TWEETS_BY_VERSION.labels(version, label).inc(n)


class ScoringPipeline:
    """One micro-batch: validate, score in one model call, publish, await acks."""

    def __init__(
        self,
        settings: Settings,
        topics: Topics,
        slot: ModelSlot,
        analytics: Analytics,
        outbox: Outbox,
        windows: WindowSink | None = None,
        watchdog: Watchdog | None = None,
        rollout: ChallengerSlot | None = None,
    ) -> None:
        self.settings = settings
        self.topics = topics
        self.slot = slot
        self.analytics = analytics
        self.outbox = outbox
        self.scopes = ScopeConfig.of(settings.scopes)
        self.limits = settings.limits
        self.windows = windows
        self._in_flight: deque[asyncio.Future[None]] = deque()
        self.watchdog = watchdog
        self.rollout = rollout
        self.held = 0  # records submitted and not yet released (the watchdog's "waiting")

    async def submit(self, events: Sequence[faust.EventT]) -> None:
        """Start a batch; return once fewer than `batches_in_flight` are unfinished.

        A failed batch raises here (on a later call): its messages and those of the
        batches after it stay unacknowledged, so they are consumed again after a restart.
        """
        for event in events:
            event.message.incref()  # released in release, after the broker's acks
        self.held += len(events)
        previous = self._in_flight[-1] if self._in_flight else None
        self._in_flight.append(asyncio.ensure_future(self._run(events, previous)))
        while self._in_flight and (
            len(self._in_flight) >= self.settings.batches_in_flight or self._in_flight[0].done()
        ):
            await self._in_flight.popleft()

    async def flush(self) -> None:
        """Wait for every submitted batch; the first failure propagates."""
        while self._in_flight:
            await self._in_flight.popleft()

    async def _run(self, events: Sequence[faust.EventT], previous: Awaitable[Any] | None) -> None:
        try:
            result = await self._validate_and_score(events)
            if previous is not None:
                await previous  # publish in order; an earlier failure stops this batch too
            await self._publish(result)
        except Exception as error:  # the in-order chain is broken: say so, then exit
            if self.watchdog is not None:
                self.watchdog.fail(f"a batch of {len(events)} records failed: {error!r}")
            raise
        release(events)
        self.held -= len(events)
        if self.watchdog is not None:
            self.watchdog.published()

    async def _validate_and_score(self, events: Sequence[faust.EventT]) -> BatchResult:
        metrics.TWEETS_CONSUMED.inc(len(events))
        payloads = [(e.value, origin_of(e)) for e in events]
        try:
            batch = parse_batch(payloads, self.limits)
            if not batch.tweets:
                return BatchResult(batch, [], [])
            return await self._score(batch)
        except Exception as error:  # a bug on one batch must not wedge the in-order chain
            log.exception("batch of %d records failed before publishing", len(events))
            failure = InvalidRecord("internal_error", f"{type(error).__name__}: {error}")
            letters = [self._letter(raw or b"", failure, origin) for raw, origin in payloads]
            return BatchResult(ParsedBatch(dead=letters), [], [])

    async def _publish(self, result: BatchResult) -> None:
        try:
            records = self._records(result)
        except Exception as error:  # never seen; still, dead letters rather than a wedge
            log.exception("building the output records of a batch failed")
            letters = result.parsed.dead + model_failure_letters(
                result.parsed, error, self.limits.deadletter_max_bytes, "internal_error"
            )
            records = [self._dead(letter) for letter in letters]
        await self.outbox.send(records)

    def _records(self, result: BatchResult) -> list[Record]:
        """The batch's output records. A tweet whose event or window delta cannot be built
        is dead-lettered (`internal_error`) instead of failing this batch and all after it."""
        parsed, dead = result.parsed, list(result.parsed.dead)
        payloads: dict[int, bytes] = {}  # index in result.scored -> serialized event
        for i, event in enumerate(result.scored):
            try:
                payloads[i] = event.to_json()
            except Exception as error:
                dead.append(self._tweet_letter(parsed, i, error))
        deltas, failed = self._deltas(result, list(payloads))
        for i, reason in failed.items():
            del payloads[i]
            dead.append(self._tweet_letter(parsed, i, reason))
        records: list[Record] = [self._dead(letter) for letter in dead]
        for i, payload in payloads.items():
            records += self._scored(result.scored[i], payload)
        _count([result.scored[i] for i in payloads])
        shadow = [
            (self.settings.topic_shadow, s.tweet_id.encode(), s.to_json()) for s in result.shadow
        ]
        return records + deltas + shadow

    def _deltas(
        self, result: BatchResult, indices: list[int]
    ) -> tuple[list[Record], dict[int, Exception]]:
        """Window deltas of these tweets. If the batch's fail: tweet by tweet, returning the
        tweets whose own deltas fail, with their errors."""
        if self.windows is None or not indices:
            return [], {}
        tweets, found = [result.scored[i] for i in indices], [result.found[i] for i in indices]
        origins = [result.parsed.origins[i] for i in indices]
        try:
            return self.windows.delta_records(tweets, found, origins), {}
        except Exception:
            log.exception("window deltas failed on a batch; retrying tweet by tweet")
        deltas: list[Record] = []
        failed: dict[int, Exception] = {}
        for i in indices:
            try:
                deltas += self.windows.delta_records(
                    [result.scored[i]], [result.found[i]], [result.parsed.origins[i]]
                )
            except Exception as error:
                failed[i] = error
        return deltas, failed

    def _tweet_letter(self, parsed: ParsedBatch, i: int, error: Exception) -> DeadLetter:
        failure = InvalidRecord("internal_error", f"{type(error).__name__}: {error}")
        return self._letter(parsed.raws[i], failure, parsed.origins[i])

    def _letter(self, raw: bytes, error: InvalidRecord, origin: Origin) -> DeadLetter:
        return dead_letter(raw, error, origin, self.limits.deadletter_max_bytes)

    async def _score(self, batch: ParsedBatch) -> BatchResult:
        served = self.slot.current
        if served is None:
            raise RuntimeError("no model loaded")
        texts = [tweet.text for tweet in batch.tweets]
        tags = [tweet.tags for tweet in batch.tweets]
        run = partial(served.analyse, texts, tags, self.scopes)
        started = time.perf_counter()
        try:
            analysis = await analyse_with_retries(run, len(texts), self.settings.model_retries)
        except Exception as error:
            log.exception("model failed on a batch of %d tweets", len(texts))
            metrics.MODEL_FAILURES.inc()
            batch.dead.extend(model_failure_letters(batch, error, self.limits.deadletter_max_bytes))
            return BatchResult(batch, [], [])
        latency = time.perf_counter() - started
        metrics.INFERENCE_LATENCY.observe(latency)
        metrics.BATCH_SIZE.observe(len(texts))
        model = (served.name, served.version)
        scored = scored_events(batch, analysis.scores, analysis.oov_rate, model, datetime.now(UTC))
        challenger = self.rollout.current if self.rollout else None
        scored, shadow = await apply_rollout(challenger, texts, scored, latency)
        return BatchResult(batch, scored, analysis.found, shadow)

    def _scored(self, event: ScoredTweet, payload: bytes) -> list[Record]:
        key = event.id.encode()
        records: list[Record] = [(self.topics.scored.get_topic_name(), key, payload)]
        self.analytics.capture_prediction(event)
        if needs_review(event.score, self.settings.review_band):
            metrics.REVIEW_QUEUED.inc()
            records.append((self.topics.review.get_topic_name(), key, payload))
        metrics.PRODUCE_TO_SCORED.observe(event.latency_s)
        return records

    def _dead(self, letter: DeadLetter) -> Record:
        metrics.TWEETS_DEADLETTERED.labels(letter.reason).inc()
        self.analytics.capture_error(letter)
        return (self.topics.deadletter.get_topic_name(), None, letter.to_json())
