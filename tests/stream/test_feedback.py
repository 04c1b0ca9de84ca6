"""The feedback join's bookkeeping: what a replayed feedback record does to accuracy.

The join itself runs on the real broker in tests/stream/test_alerts_e2e.py; here the
topics are recorders, so one replay can be staged exactly."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from stream.alert_pipeline import AlertPipeline
from stream.alerts.accuracy import AccuracyState
from stream.analytics import Analytics
from stream.feedback import ACCURACY_KEY, FeedbackPipeline
from stream.records import Feedback
from stream.serving import ModelSlot


@dataclass
class RecordingTopic:
    sent: list[tuple[bytes | None, bytes]] = field(default_factory=list)

    async def send(self, key: bytes | None, value: bytes, force: bool) -> asyncio.Future[None]:
        self.sent.append((key, value))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    def get_topic_name(self) -> str:
        return "recorded"


def event(value: bytes, partition: int, offset: int) -> Any:
    message = SimpleNamespace(topic="t", partition=partition, offset=offset, timestamp=0.0)
    return SimpleNamespace(value=value, message=message)


def test_a_feedback_forwarded_twice_after_a_crash_counts_once(settings):
    names = ("joins", "scoped", "deadletter")
    topics: Any = SimpleNamespace(**{name: RecordingTopic() for name in names})
    feedback = FeedbackPipeline(settings, topics, Analytics(settings))
    alerts = AlertPipeline(settings, topics, ModelSlot(settings), Analytics(settings))
    record = Feedback(tweet_id="t-1", true_label="negative").to_json()
    predictions: dict[str, Any] = {}
    table: dict[str, Any] = {}
    scored = json.dumps({"predictions": [["t-1", "positive"]]}).encode()

    async def run() -> None:
        await feedback.join(predictions, event(scored, partition=1, offset=0))
        for _ in range(2):  # forwarded, then forwarded again from the uncommitted offset 41
            await feedback.handle(event(record, partition=2, offset=41))
        for join_offset, (_, forwarded) in enumerate(topics.joins.sent, start=1):
            await feedback.join(predictions, event(forwarded, partition=1, offset=join_offset))
        for _, outcome in topics.scoped.sent:
            await alerts.on_outcome(table, 0, json.loads(outcome)["outcome"])

    asyncio.run(run())
    assert len(topics.joins.sent) == 2 and len(topics.scoped.sent) == 2  # at least once...
    state = AccuracyState.from_dict(table[ACCURACY_KEY]["state"])
    assert state.outcomes == (False,)  # ...counted once, against the recorded prediction


def test_predictions_are_kept_per_joins_record_within_capacity_and_rebuilt_from_the_table(
    settings_factory,
):
    settings = settings_factory(feedback_join_capacity=4)
    feedback = FeedbackPipeline(settings, None, Analytics(settings))  # type: ignore[arg-type]
    table: dict[str, Any] = {}

    def remember(offset: int, pairs: list[list[str]]) -> None:
        value = json.dumps({"predictions": pairs}).encode()
        asyncio.run(feedback.join(table, event(value, partition=1, offset=offset)))

    remember(0, [["a", "positive"], ["b", "negative"]])
    remember(0, [["a", "positive"], ["b", "negative"]])  # the same record, replayed
    remember(1, [["c", "negative"], ["a", "negative"]])  # `a` scored again (a replayed batch)
    assert sorted(table) == ["1:0", "1:1"] and feedback._index[1].size == 4
    remember(2, [["d", "positive"]])  # 5 > 4: the oldest record goes
    assert sorted(table) == ["1:1", "1:2"]
    index = feedback._index[1]
    assert {i: index.batch_of(i) for i in "abcd"} == {"a": "1:1", "b": None, "c": "1:1", "d": "1:2"}

    restarted = FeedbackPipeline(settings, None, Analytics(settings))  # type: ignore[arg-type]
    rebuilt = restarted._index_of(table, 1)  # type: ignore[arg-type]
    assert rebuilt.where == index.where and rebuilt.size == 3
    assert table[rebuilt.batch_of("a")]["a"] == "negative"


def test_after_a_rebalance_the_index_is_rebuilt_with_what_another_worker_added(settings):
    feedback = FeedbackPipeline(settings, None, Analytics(settings))  # type: ignore[arg-type]
    table: dict[str, Any] = {"0:5": {"a": "positive"}}
    assert feedback._index_of(table, 0).batch_of("a") == "0:5"  # type: ignore[arg-type]
    table["0:9"] = {"b": "negative"}  # written by the worker that held partition 0 meanwhile
    feedback.reassigned()
    assert feedback._index_of(table, 0).batch_of("b") == "0:9"  # type: ignore[arg-type]
