"""The scoring pipeline's overlap of batches: publish order and when offsets are released.

In memory (no broker): real Faust messages and topics, a model that is slow on some
batches, and an outbox that records what it is given and acknowledges on demand.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from faust.types import TP, Message

from stream.analytics import Analytics
from stream.app import create_app
from stream.kafka.delivery import DeliveryError
from stream.kafka.outbox import Record
from stream.scoring_pipeline import ScoringPipeline
from stream.serving import ModelSlot, ServedModel
from stream.settings import Settings
from stream.topics import declare_topics


class SlowOnRequestModel:
    """Scores 0.9; a batch whose first text starts with 'slow' takes 0.3 s."""

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if texts[0].startswith("slow"):
            time.sleep(0.3)
        return np.full(len(texts), 0.9)

    def oov_rate(self, texts: Sequence[str]) -> float:
        return 0.0


class ManualOutbox:
    """Records each batch of records; acknowledges them when told to (or fails them)."""

    def __init__(self, auto_ack: bool = True, fail: bool = False) -> None:
        self.batches: list[list[Record]] = []
        self.acked = asyncio.Event()
        self.fail = fail
        if auto_ack:
            self.acked.set()

    async def send(self, records: Sequence[Record]) -> None:
        self.batches.append(list(records))
        await self.acked.wait()
        if self.fail:
            raise DeliveryError("tweets.scored: broker down")


class FakeEvent:
    """What the pipeline reads of a Faust event: value, message, ack(), app.sensors and
    app.consumer.mark_done."""

    def __init__(self, tweet_id: str, text: str, offset: int) -> None:
        self.value = json.dumps(
            {"id": tweet_id, "text": text, "created_at": "2026-11-27T10:00:00Z"}
        ).encode()
        self.message = Message(
            "tweets.raw", 0, offset, time.time(), 0, None, None, self.value, None, tp=TP("raw", 0)
        )
        self.message.incref()  # the stream's own reference, dropped by take_events' ack
        self.marked_done = False  # by the pipeline, for the consumer's commit guard
        consumer = SimpleNamespace(mark_done=lambda message: setattr(self, "marked_done", True))
        self.app = SimpleNamespace(
            sensors=SimpleNamespace(on_message_out=lambda *_: None), consumer=consumer
        )

    def ack(self) -> bool:
        return self.message.ack(None)  # type: ignore[arg-type]


def batch(prefix: str, first_offset: int, size: int = 3) -> list[FakeEvent]:
    return [FakeEvent(f"{prefix}{i}", f"{prefix} tweet {i}", first_offset + i) for i in range(size)]


async def pipeline_with(settings: Settings, outbox: ManualOutbox) -> ScoringPipeline:
    app = create_app(settings)
    slot = ModelSlot(settings)
    slot.current = ServedModel(SlowOnRequestModel(), "fake", "1")  # type: ignore[arg-type]
    topics = declare_topics(app, settings)
    return ScoringPipeline(settings, topics, slot, Analytics(settings), outbox)  # type: ignore[arg-type]


async def submit_as_take_events_does(pipeline: ScoringPipeline, events: list[Any]) -> None:
    await pipeline.submit(events)
    for event in events:  # take_events acks a batch when the agent asks for the next one
        event.ack()


def published_ids(outbox: ManualOutbox) -> list[list[str]]:
    return [[key.decode() for _, key, _ in records if key] for records in outbox.batches]


def test_a_slow_batch_still_publishes_before_the_batch_after_it(settings: Settings) -> None:
    async def scenario() -> list[list[str]]:
        outbox = ManualOutbox()
        pipeline = await pipeline_with(settings.model_copy(update={"batches_in_flight": 4}), outbox)
        slow, fast = batch("slow", 0), batch("fast", 3)
        await submit_as_take_events_does(pipeline, slow)
        await submit_as_take_events_does(pipeline, fast)  # scored while `slow` still scores
        await pipeline.flush()
        assert all(event.message.acked for event in slow + fast)
        return published_ids(outbox)

    assert asyncio.run(scenario()) == [["slow0", "slow1", "slow2"], ["fast0", "fast1", "fast2"]]


def test_offsets_stay_held_until_the_broker_acknowledges_the_outputs(settings: Settings) -> None:
    async def scenario() -> None:
        outbox = ManualOutbox(auto_ack=False)
        pipeline = await pipeline_with(settings, outbox)
        events = batch("t", 0)
        await submit_as_take_events_does(pipeline, events)
        for _ in range(50):  # scored and handed to the outbox, not yet acknowledged
            if outbox.batches:
                break
            await asyncio.sleep(0.02)
        assert outbox.batches and not any(event.message.acked for event in events)
        assert not any(event.marked_done for event in events)
        outbox.acked.set()
        await pipeline.flush()
        assert all(event.message.acked and event.marked_done for event in events)

    asyncio.run(scenario())


def test_a_failed_publish_releases_nothing_and_stops_later_batches(settings: Settings) -> None:
    async def scenario() -> tuple[list[FakeEvent], list[FakeEvent]]:
        outbox = ManualOutbox(fail=True)
        pipeline = await pipeline_with(settings.model_copy(update={"batches_in_flight": 4}), outbox)
        first, second = batch("a", 0), batch("b", 3)
        await submit_as_take_events_does(pipeline, first)
        await submit_as_take_events_does(pipeline, second)
        with pytest.raises(DeliveryError):
            await pipeline.flush()
        return first, second

    first, second = asyncio.run(scenario())
    assert not any(event.message.acked for event in first + second)
