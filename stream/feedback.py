"""The feedback join: a tweet's recorded prediction and its human verdict, by tweet id.

Scoring batches write predictions to the internal `<app>-joins` topic (one record per joins
partition, keyed by one of its tweet ids); the `feedback` agent validates `tweets.feedback`
records and forwards them there under the tweet id, with their own `tweets.feedback` partition
and offset (their origin). Both use Kafka's murmur2 partitioner,
so a tweet's prediction and its feedback meet in one partition, on one worker, where the
changelog-backed `prediction-batches` table holds the recorded labels, one entry per joins record
(its predictions by tweet id: one changelog write per record, not per tweet), indexed by
tweet id in memory. Joined outcomes go to
`<app>-scoped` under the key `accuracy` (stream.alert_pipeline), naming the feedback's origin
and join partition: a feedback record forwarded twice (a replay after a crash or a
rebalance) counts once in production accuracy.
"""

from __future__ import annotations

import json
import logging
from collections import deque

import faust
from faust.types import TableT

from stream import metrics
from stream.analytics import Analytics
from stream.kafka.events import send
from stream.records import Feedback, InvalidRecord
from stream.scoring import dead_letter
from stream.scoring_pipeline import origin_of
from stream.settings import Settings
from stream.topics import Topics

log = logging.getLogger(__name__)

ACCURACY_KEY = "accuracy"  # scope-state key of the production-accuracy state


class FeedbackPipeline:
    """Feedback joined with the recorded prediction by tweet id (see the module docstring).

    A client's `predicted_label` is never used: the recorded prediction decides. Feedback
    for a tweet with no recorded prediction (never scored, or evicted after
    `feedback_join_capacity` later predictions of its partition) is counted in
    `feedback_unmatched_total` and left out of accuracy; it is not an error.
    """

    def __init__(self, settings: Settings, topics: Topics, analytics: Analytics) -> None:
        self.topics = topics
        self.analytics = analytics
        self.partitions = settings.topic_partitions
        self.capacity = settings.feedback_join_capacity
        self._index: dict[int, PredictionIndex] = {}  # join partition -> its index

    async def handle(self, event: faust.EventT) -> None:
        """A `tweets.feedback` record: validate, then forward it keyed by tweet id."""
        try:
            feedback = Feedback.from_json(event.value or b"")
        except InvalidRecord as error:
            letter = dead_letter(event.value or b"", error, origin_of(event))
            metrics.FEEDBACK_DEADLETTERED.labels(letter.reason).inc()
            await (await send(self.topics.deadletter, None, letter.to_json()))
            return
        metrics.FEEDBACK_RECEIVED.inc()
        origin = origin_of(event)
        forwarded = {"feedback": feedback.model_dump(mode="json"),
                     "origin": [origin.partition, origin.offset]}  # fmt: skip
        await (await send(self.topics.joins, feedback.tweet_id, json.dumps(forwarded).encode()))

    async def join(self, predictions: TableT, event: faust.EventT) -> None:
        """A `<app>-joins` record: predictions to remember, or feedback to join."""
        data, partition = json.loads(event.value), event.message.partition
        if "predictions" in data:
            key = f"{partition}:{event.message.offset}"
            index = self._index_of(predictions, partition)
            if key not in predictions:  # else: this record, replayed
                predictions[key] = dict(data["predictions"])
                for evicted in index.add(key, predictions[key], self.capacity):
                    predictions.pop(evicted, None)
            return
        if "feedback" not in data:  # forwarded before origins were named: its join offset
            data = {"feedback": data, "origin": [f"join{partition}", event.message.offset]}
        feedback = Feedback.model_validate(data["feedback"])
        tweet_id = feedback.tweet_id
        batch = self._index_of(predictions, partition).batch_of(tweet_id)
        predicted = predictions[batch].get(tweet_id) if batch in predictions else None
        if predicted is None:
            metrics.FEEDBACK_UNMATCHED.inc()
            log.info("feedback for tweet %r: no recorded prediction (unmatched)", tweet_id)
            return
        metrics.FEEDBACK_JOINED.inc()
        recorded = feedback.model_copy(update={"predicted_label": predicted})
        self.analytics.capture_feedback(recorded)
        feedback_partition, feedback_offset = data["origin"]
        outcome = {"predicted": predicted, "true": feedback.true_label,
                   "source": [f"{feedback_partition}/{partition}", feedback_offset]}  # fmt: skip
        payload = json.dumps({"outcome": outcome}).encode()
        await (await send(self.topics.scoped, ACCURACY_KEY, payload))

    def reassigned(self) -> None:
        """After a rebalance, forget every partition's index: one that left may come back
        with predictions another worker added, so each is rebuilt from the table."""
        self._index.clear()

    def _index_of(self, predictions: TableT, partition: int) -> PredictionIndex:
        """This partition's index; after a restart or a rebalance, rebuilt from the table."""
        if partition not in self._index:
            index = self._index[partition] = PredictionIndex()
            keys = [k for k in list(predictions.keys()) if k.startswith(f"{partition}:")]
            for key in sorted(keys, key=lambda k: int(k.split(":")[1])):
                index.add(key, predictions[key], capacity=None)
        return self._index[partition]


class PredictionIndex:
    """Which joins record (table key) holds a tweet's prediction, oldest record first."""

    def __init__(self) -> None:
        self.where: dict[str, str] = {}  # tweet id -> table key
        self.order: deque[tuple[str, list[str]]] = deque()  # (table key, its tweet ids)
        self.size = 0

    def add(self, key: str, batch: dict[str, str], capacity: int | None) -> list[str]:
        """Index one record's predictions; the keys of the records evicted to stay within
        `capacity` predictions."""
        self.order.append((key, list(batch)))
        self.size += len(batch)
        self.where.update(dict.fromkeys(batch, key))
        evicted = []
        while capacity is not None and self.size > capacity and len(self.order) > 1:
            old, ids = self.order.popleft()
            self.size -= len(ids)
            for tweet_id in ids:
                if self.where.get(tweet_id) == old:
                    del self.where[tweet_id]
            evicted.append(old)
        return evicted

    def batch_of(self, tweet_id: str) -> str | None:
        return self.where.get(tweet_id)
