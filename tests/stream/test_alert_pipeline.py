"""The alert pipeline's process-side state: gauges follow partition ownership."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import faust
import pytest
from aiokafka.partitioner import DefaultPartitioner
from faust.types import TP
from prometheus_client import REGISTRY

from stream import metrics
from stream.alert_pipeline import AlertPipeline, deltas_in
from stream.alerts.accuracy import AccuracyState
from stream.alerts.drift import DriftReading
from stream.alerts.scopes import find_scopes
from stream.alerts.state import ClosedWindow, ScopeState, admit, deltas_of
from stream.alerts.windows import WindowStats
from stream.analytics import Analytics
from stream.kafka.admin import ensure_topics
from stream.kafka.clients import _consumer
from stream.kafka.events import key_partition
from stream.kafka.outbox import Outbox
from stream.records import Alert, ScoredTweet
from stream.scoring import Origin
from stream.serving import ModelSlot
from stream.topics import declare_topics


def pipeline(settings) -> AlertPipeline:
    app = faust.App(f"{settings.app_id}-gauges", broker="memory://", autodiscover=False)
    topics = declare_topics(app, settings)
    return AlertPipeline(settings, topics, ModelSlot(settings), Analytics(settings))


def gauge(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


def test_gauges_of_a_partition_that_moved_to_another_worker_are_removed(settings):
    alerts = pipeline(settings)
    scoped = settings.topic_scoped
    reading = DriftReading(ks_statistic=0.42, positive_rate_shift=0.5, oov_rate_ratio=None)
    alerts._export_window(ClosedWindow("global", 0, 60, WindowStats.empty(), reading), 0)
    alerts._export_window(ClosedWindow("airline:movedair", 0, 60, WindowStats.empty()), 1)
    alerts._export_window(ClosedWindow("airline:stayair", 0, 60, WindowStats.empty()), 2)
    for scope, partition in (("global", 0), ("airline:movedair", 1), ("airline:stayair", 2)):
        metrics.ALERT_ACTIVE.labels("bad_buzz", scope).set(1)
        alerts._mark(partition, scope)
    assert gauge("drift_ks_statistic", scope="global") == 0.42

    alerts.reassigned({TP(scoped, 2), TP(settings.topic_raw, 0), TP(settings.topic_raw, 1)})

    for scope in ("global", "airline:movedair"):
        assert gauge("alert_active", kind="bad_buzz", scope=scope) is None
        assert gauge("window_tweets", scope=scope) is None
    assert gauge("drift_ks_statistic", scope="global") is None
    assert gauge("drift_positive_rate_shift", scope="global") is None
    assert gauge("alert_active", kind="bad_buzz", scope="airline:stayair") == 1
    assert gauge("window_tweets", scope="airline:stayair") == 0


@pytest.mark.kafka
def test_predictions_from_the_outbox_land_on_the_partition_of_their_feedback(settings_factory):
    """The join needs a tweet's prediction (outbox, librdkafka) and its feedback (Faust's
    producer, aiokafka) on one `<app>-joins` partition: the one `key_partition` names."""
    settings = settings_factory(topic_partitions=4)
    ensure_topics(settings, [settings.topic_joins])
    ids = [f"tweet-{i}" for i in range(40)]
    outbox = Outbox(settings)
    try:
        asyncio.run(outbox.send([(settings.topic_joins, i.encode(), b"{}") for i in ids]))
    finally:
        outbox.close()
    aiokafka = DefaultPartitioner()
    assert all(aiokafka(i.encode(), [0, 1, 2, 3], [0, 1, 2, 3]) == key_partition(i, 4) for i in ids)
    consumer, _ = _consumer(settings, [settings.topic_joins], from_start=True)
    landed: dict[str, int] = {}
    try:
        while len(landed) < len(ids):
            for message in consumer.consume(num_messages=100, timeout=1.0):
                landed[message.key().decode()] = message.partition()
    finally:
        consumer.close()
    assert landed == {i: key_partition(i, 4) for i in ids}
    assert len(set(landed.values())) == 4


def test_accuracy_gauges_follow_the_partition_of_the_accuracy_state(settings):
    alerts = pipeline(settings)
    alerts._export_window(ClosedWindow("global", 0, 60, WindowStats.empty()), 0)
    alerts._export_accuracy(AccuracyState(outcomes=(True, False)), 1)
    assert gauge("production_accuracy", scope="global") == 0.5

    alerts.reassigned({TP(settings.topic_scoped, 0)})

    assert gauge("production_accuracy", scope="global") is None
    assert gauge("production_accuracy_labels", scope="global") is None
    assert gauge("window_tweets", scope="global") == 0  # `global` stays on this worker


def test_a_feedback_forwarded_twice_counts_once_in_production_accuracy(settings):
    """Outcomes name (feedback partition/join partition, feedback offset): a replayed forward
    (new join offset, same origin) is skipped; another path with a lower offset is not."""
    alerts, table = pipeline(settings), {}

    def labels_after(source: str, offset: int) -> int:
        outcome = {"predicted": "negative", "true": "negative", "source": [source, offset]}
        asyncio.run(alerts.on_outcome(table, 0, outcome))
        return len(AccuracyState.from_dict(table["accuracy"]["state"]).outcomes)

    assert labels_after("3/0", 7) == 1
    assert labels_after("3/1", 5) == 2  # feedback 5 went to another join partition
    assert labels_after("3/0", 7) == 2  # feedback 7 forwarded again after a crash
    assert labels_after("3/1", 5) == 2
    assert labels_after("3/0", 8) == 3


def test_a_broker_outage_does_not_pass_for_quiet_windows(settings):
    """A scope silent because nothing could be read (no tick for 100 s) does not close its
    windows on the first tick after the outage: silence counts from when ticks resumed."""
    alerts = pipeline(settings)
    t0 = 1_800_000_000.0
    state = ScopeState.new(alerts.config)
    tweets = [
        ScoredTweet(id=f"t{i}", text="@calmair ok", created_at=datetime.fromtimestamp(t0 + i, UTC),
                    label="positive", score=0.9, confidence=0.9, model_name="m",
                    model_version="1", latency_s=0.0, scored_at=datetime.now(UTC))
        for i in range(5)
    ]  # fmt: skip
    for delta in deltas_of(tweets, [["airline:calmair"]] * 5, [(0, i, None) for i in range(5)]):
        admit(state, delta, alerts.config, now=t0 + 5)
    table = {"airline:calmair": {**state.to_dict(), "partition": 0}}

    def tick(at: float, sent_at: float | None = None) -> float | None:
        asyncio.run(alerts.on_tick(table, 0, at, at if sent_at is None else sent_at))
        return ScopeState.from_dict(table["airline:calmair"]).clock.max_event_time

    for at in range(10, 35, 5):  # the stream flows, the scope is quiet for 30 s
        assert tick(t0 + at) == t0 + 4
    assert tick(t0 + 130) == t0 + 4  # first tick after a 100 s outage: nothing closes
    assert tick(t0 + 135, sent_at=t0 + 40) == t0 + 4  # a tick delayed by the outage
    for at in range(140, 195, 5):
        assert tick(t0 + at) == t0 + 4  # 55 s of observed silence: not yet
    assert tick(t0 + 200) == t0 + 4 + 65  # 65 s observed: event time runs with the clock


def tweet(i: int, ts: float, text: str, score: float) -> ScoredTweet:
    return ScoredTweet(
        id=f"t{i}", text=text, created_at=datetime.fromtimestamp(ts, UTC),
        label="positive" if score >= 0.5 else "negative", score=score,
        confidence=max(score, 1 - score), model_name="m", model_version="1",
        latency_s=0.0, scored_at=datetime.now(UTC), oov_rate=0.1,
    )  # fmt: skip


def scoped_events(alerts: AlertPipeline, tweets: list[ScoredTweet], batch: int = 40) -> list:
    """The `<app>-scoped` records the scoring side writes for `tweets` (batches of `batch`,
    tweets spread over 3 raw partitions), as events on the partition of their key."""
    partitions, events, offsets = alerts.settings.topic_partitions, [], [0, 0, 0]
    for start in range(0, len(tweets), batch):
        chunk, origins = tweets[start : start + batch], []
        for i, scored_tweet in enumerate(chunk):
            partition = (start + i) % 3
            offsets[partition] += 1
            ts = scored_tweet.created_at.timestamp()
            origins.append(Origin("raw", partition, offsets[partition], ts))
        found = [find_scopes(t.text, [], alerts.scopes) for t in chunk]
        for topic, key, value in alerts.delta_records(chunk, found, origins):
            if topic == alerts.topics.scoped.get_topic_name():
                message = SimpleNamespace(partition=key_partition(key.decode(), partitions))
                events.append(SimpleNamespace(value=value, message=message))
    return events


def surge(t0: float) -> list[ScoredTweet]:
    """Ten calm minutes for two airlines, one minute of anger at @badair in the middle."""
    tweets = []
    for minute in range(10):
        for airline in ("badair", "calmair"):
            angry = minute == 6 and airline == "badair"
            for i in range(30 if angry else 10):
                score = 0.05 if angry or i % 3 == 0 else 0.9
                text = f"@{airline} {'awful delay' if score < 0.5 else 'great crew'}"
                tweets.append(tweet(len(tweets), t0 + 60 * minute + i, text, score))
    return sorted(tweets, key=lambda t: t.created_at)


def run_batches(alerts: AlertPipeline, events: list, size: int) -> tuple[list[Alert], dict]:
    table: dict = {}
    raised: list[Alert] = []
    for start in range(0, len(events), size):
        raised += asyncio.run(alerts.on_scoped(table, events[start : start + size]))
    return raised, table


def test_scoped_batches_give_the_alerts_and_states_of_record_by_record(settings_factory):
    """Batched window closing (read a scope once, admit its deltas, close and write once)
    is the record-by-record computation: same alerts, same windows, same rule states."""
    settings = settings_factory(
        windows={"size_s": 60, "hopping_size_s": 120, "allowed_lateness_s": 10},
        buzz={"min_negative": 5, "warmup_windows": 2},
        scopes={"known_airlines": ["badair", "calmair"]},
    )
    alerts = pipeline(settings)

    async def no_publish(raised, partition=None):  # the Kafka side is tested e2e
        return None

    alerts.publish = no_publish  # type: ignore[method-assign]
    events = scoped_events(alerts, surge((time.time() // 60 - 30) * 60))
    tick = SimpleNamespace(value=json.dumps({"tick": time.time()}).encode(),
                           message=SimpleNamespace(partition=0))  # fmt: skip
    events[len(events) // 2 : len(events) // 2] = [tick]

    one, one_table = run_batches(alerts, events, 1)
    many, many_table = run_batches(alerts, events, 17)

    seen = {(a.kind, a.scope, a.status) for a in one}  # record by record
    assert ("bad_buzz", "airline:badair", "raised") in seen
    assert not any(scope == "airline:calmair" for _, scope, _ in seen)

    def per_scope(raised: list[Alert]) -> list[tuple]:  # batches interleave scopes otherwise
        return sorted((a.scope, a.window_start, a.kind, a.status) for a in raised)

    assert per_scope(many) == per_scope(one)
    assert one_table.keys() == many_table.keys() >= {"global", "airline:badair"}
    for scope in one_table:
        a, b = ScopeState.from_dict(one_table[scope]), ScopeState.from_dict(many_table[scope])
        assert (a.open, a.closed, a.buzz, a.applied) == (b.open, b.closed, b.buzz, b.applied)
        assert a.clock == b.clock and a.partition == b.partition


def test_one_scoped_record_per_scope_holds_the_deltas_of_every_source_partition(settings):
    alerts = pipeline(settings)
    t0 = time.time() - 600
    tweets = [tweet(i, t0 + i, "@airparadis hello", 0.1) for i in range(9)]
    events = scoped_events(alerts, tweets, batch=9)
    keys = sorted({json.loads(e.value)["deltas"][0]["scope"] for e in events})
    assert len(events) == len(keys) == 2  # global and airline:airparadis
    for event in events:
        deltas = deltas_in(json.loads(event.value))
        assert sorted(d.partition for d in deltas) == [0, 1, 2]
        assert sum(len(d.entries) for d in deltas) == 9


def test_a_delta_record_written_before_batching_is_still_read():
    legacy = {"scope": "global", "partition": 2, "entries": [[7, 1.0, 0.2, 1, 100]]}
    (delta,) = deltas_in(json.loads(json.dumps(legacy)))
    assert (delta.scope, delta.partition, delta.entries) == ("global", 2, [(7, 1.0, 0.2, 1, 100)])
