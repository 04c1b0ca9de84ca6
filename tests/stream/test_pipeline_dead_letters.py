"""One bad record never wedges the in-order publishing chain (in memory, real Faust messages).

The two payloads that stopped the worker, and a window sink that fails on one tweet: each
ends as a dead letter with a reason, and the batches after it publish as usual.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from stream.alerts.scopes import FoundScopes
from stream.kafka.outbox import Record
from stream.records import DeadLetter, ScoredTweet
from stream.scoring import Origin
from stream.settings import Settings
from tests.stream.test_scoring_pipeline import (
    FakeEvent,
    ManualOutbox,
    batch,
    pipeline_with,
    submit_as_take_events_does,
)

NESTED = b"[" * 100_000  # RecursionError out of json.loads: the agent crashed
HUGE = json.dumps({"id": "big", "text": "x" * 900_000, "created_at": "2026"}).encode()


def raw_event(value: bytes, offset: int) -> FakeEvent:
    event = FakeEvent("unused", "unused", offset)
    event.value = event.message.value = value
    return event


def letters(outbox: ManualOutbox, topic: str) -> list[DeadLetter]:
    return [
        DeadLetter.from_json(value)
        for records in outbox.batches
        for name, _, value in records
        if name == topic
    ]


def scored_ids(outbox: ManualOutbox, topic: str) -> list[str]:
    return [
        key.decode()
        for records in outbox.batches
        for name, key, _ in records
        if key and name == topic
    ]


def test_the_two_payloads_that_stopped_the_worker_become_bounded_dead_letters(
    settings: Settings,
) -> None:
    async def scenario() -> ManualOutbox:
        outbox = ManualOutbox()
        pipeline = await pipeline_with(settings.model_copy(update={"batches_in_flight": 4}), outbox)
        poisoned = [*batch("a", 0, 2), raw_event(NESTED, 2), raw_event(HUGE, 3), *batch("b", 4, 2)]
        await submit_as_take_events_does(pipeline, poisoned)
        await submit_as_take_events_does(pipeline, batch("c", 6))
        await pipeline.flush()
        assert all(event.message.acked for event in poisoned)
        return outbox

    outbox = asyncio.run(scenario())
    dead = letters(outbox, settings.topic_deadletter)
    assert [(d.reason, d.offset) for d in dead] == [("too_deep", 2), ("oversize_payload", 3)]
    assert all(len(d.to_json()) <= settings.limits.deadletter_max_bytes for d in dead)
    assert dead[1].payload_truncated and dead[1].payload_size == len(HUGE)
    assert scored_ids(outbox, settings.topic_scored) == ["a0", "a1", "b0", "b1", "c0", "c1", "c2"]


class PoisonedWindows:
    """A window sink that fails on any batch holding a tweet whose text starts 'poison'."""

    def delta_records(
        self,
        tweets: Sequence[ScoredTweet],
        found: Sequence[FoundScopes],
        origins: Sequence[Origin],
    ) -> list[Record]:
        if any(tweet.text.startswith("poison") for tweet in tweets):
            raise OverflowError("date value out of range")
        return [("deltas", tweet.id.encode(), b"{}") for tweet in tweets]


def test_a_tweet_whose_records_cannot_be_built_is_dead_lettered_alone(settings: Settings) -> None:
    async def scenario() -> ManualOutbox:
        outbox = ManualOutbox()
        pipeline = await pipeline_with(settings.model_copy(update={"batches_in_flight": 4}), outbox)
        pipeline.windows = PoisonedWindows()
        first = [*batch("a", 0, 2), FakeEvent("p", "poison tweet", 2), *batch("b", 3, 2)]
        await submit_as_take_events_does(pipeline, first)
        await submit_as_take_events_does(pipeline, batch("c", 5))
        await pipeline.flush()
        return outbox

    outbox = asyncio.run(scenario())
    [letter] = letters(outbox, settings.topic_deadletter)
    assert (letter.reason, letter.offset) == ("internal_error", 2)
    assert "OverflowError" in letter.message and json.loads(letter.payload)["id"] == "p"
    kept = ["a0", "a1", "b0", "b1", "c0", "c1", "c2"]
    assert scored_ids(outbox, settings.topic_scored) == kept  # not the poisoned one
    assert scored_ids(outbox, "deltas") == kept  # its deltas are the only ones missing
