"""Alerts on a real broker: bad buzz for one airline, drift, production accuracy."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from datetime import UTC, datetime

import pytest

from models.kinds import load_model
from stream.kafka.clients import _consumer, produce
from stream.kafka.events import key_partition
from stream.records import Alert, Feedback
from training.tools.local_worker import get_json, read_events, settings_from

pytestmark = pytest.mark.kafka

NEGATIVE = "@{} worst airline ever, lost my bag and so angry"
POSITIVE = "@{} love this airline, great crew, thank you"
WINDOW_ENV = {
    "AIRPARADIS_WINDOW_SIZE_S": "60",
    "AIRPARADIS_WINDOW_HOPPING_SIZE_S": "120",
    "AIRPARADIS_WINDOW_ALLOWED_LATENESS_S": "60",
}


def raw(text: str, ts: float) -> tuple[str, bytes]:
    """Keyed by its id, as the project's producers do: tweets spread over every partition,
    so no partition left unheard holds a scope's watermark for `idle_close_s` (a minute)."""
    created = datetime.fromtimestamp(ts, UTC).isoformat()
    tweet_id = uuid.uuid4().hex
    return tweet_id, json.dumps({"id": tweet_id, "text": text, "created_at": created}).encode()


def minute_zero() -> float:
    return (time.time() // 60 - 30) * 60  # half an hour ago, on a minute boundary


def read_alerts(settings, done, timeout_s: float = 90.0) -> list[Alert]:
    deadline, alerts = time.monotonic() + timeout_s, []
    while time.monotonic() < deadline:
        alerts = [
            Alert.model_validate(e) for e in read_events(settings, settings.topic_alerts, 10**6, 3)
        ]
        if done(alerts):
            break
    return alerts


@pytest.fixture
def check_model(small_model_dir):
    model = load_model(small_model_dir)
    negative, positive = model.predict_proba([NEGATIVE.format("x"), POSITIVE.format("x")])
    assert negative < 0.5 < positive, "test texts must be labelled as intended by the model"


@pytest.mark.usefixtures("check_model")
def test_a_negative_burst_raises_one_bad_buzz_for_that_airline_only(start_worker, small_model_dir):
    env = {
        **WINDOW_ENV,
        "AIRPARADIS_BUZZ_MIN_NEGATIVE": "10",
        "AIRPARADIS_BUZZ_WARMUP_WINDOWS": "3",
        "AIRPARADIS_SCOPE_KNOWN_AIRLINES": '["airparadis", "calmair"]',
    }
    worker = start_worker(str(small_model_dir), **env)
    settings = settings_from(worker.env)
    t0, records = minute_zero(), []
    for minute in range(14):
        for airline in ("airparadis", "calmair"):
            burst = minute == 8 and airline == "airparadis"
            negatives, positives = (40, 4) if burst else (3, 7)
            texts = [NEGATIVE.format(airline)] * negatives + [POSITIVE.format(airline)] * positives
            records += [raw(text, t0 + 60 * minute + i) for i, text in enumerate(texts)]
    produce(settings, records)

    def resolved(alerts):
        return any(a.scope == "airline:airparadis" and a.status == "resolved" for a in alerts)

    buzz = [a for a in read_alerts(settings, resolved) if a.kind == "bad_buzz"]
    ours = [a for a in buzz if a.scope == "airline:airparadis"]
    assert [a.status for a in ours] == ["raised", "resolved"]
    assert ours[0].window_start.timestamp() == t0 + 8 * 60 and ours[0].observed > 0.85
    assert not [a for a in buzz if "calmair" in a.scope]
    assert_changelog_on_key_partitions(settings, f"{settings.app_id}-scope-state-changelog")


def assert_changelog_on_key_partitions(settings, topic: str) -> None:
    """Each scope's state is restored with the partition holding its `<app>-scoped`
    records (keyed by scope, murmur2): its changelog records (JSON keys) must be there."""
    consumer, _ = _consumer(settings, [topic], from_start=True)
    landed: dict[str, set[int]] = {}
    deadline = time.monotonic() + 15
    try:
        while time.monotonic() < deadline and len(landed) < 3:
            for message in consumer.consume(num_messages=1000, timeout=1.0):
                if not message.error():
                    landed.setdefault(json.loads(message.key()), set()).add(message.partition())
    finally:
        consumer.close()
    assert {"global", "airline:airparadis", "airline:calmair"} <= landed.keys()
    partitions = settings.topic_partitions
    assert all(found == {key_partition(key, partitions)} for key, found in landed.items())


@pytest.mark.usefixtures("check_model")
def test_shifted_scores_raise_a_drift_alert_with_the_ks_value(start_worker, small_model_dir):
    env = {**WINDOW_ENV, "AIRPARADIS_DRIFT_MIN_WINDOW_TWEETS": "100"}
    worker = start_worker(str(small_model_dir), **env)
    settings = settings_from(worker.env)
    t0 = minute_zero()
    records = [raw(POSITIVE.format("airparadis"), t0 + i * 0.75) for i in range(400)]  # 5 minutes
    produce(settings, records)

    alerts = read_alerts(settings, lambda alerts: any(a.kind == "drift" for a in alerts))
    ks = [a for a in alerts if a.kind == "drift" and a.metric == "ks_statistic"]
    assert len(ks) == 1 and ks[0].scope == "global"
    assert ks[0].observed > 0.3 and ks[0].threshold == 0.3 and ks[0].status == "raised"


def metric_value(url: str, name: str) -> float:
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
        lines = response.read().decode().splitlines()
    return sum(float(line.split()[-1]) for line in lines if line.startswith(name + " "))


def test_contradicting_feedback_joins_recorded_predictions_and_raises_an_accuracy_alert(
    start_worker, small_model_dir
):
    """Feedback carries no predicted_label: the worker joins it with what it predicted.
    A client's predicted_label does not override the recorded one; unmatched feedback
    is counted, not dead-lettered."""
    worker = start_worker(str(small_model_dir))
    settings = settings_from(worker.env)
    unmatched = Feedback(tweet_id="never-scored", true_label="negative")
    produce(settings, [(None, unmatched.to_json())], topic=settings.topic_feedback)
    now = time.time()
    produce(settings, [raw(POSITIVE.format("airparadis"), now + i / 1000) for i in range(100)])
    scored = read_events(settings, settings.topic_scored, 100)
    assert len(scored) == 100 and {e["label"] for e in scored} == {"positive"}
    lying = {"tweet_id": scored[0]["id"], "true_label": "negative", "predicted_label": "negative"}
    assert get_json(f"{worker.url}/feedback", lying) == {
        "accepted": True,
        "tweet_id": lying["tweet_id"],
    }
    feedback = [
        Feedback(tweet_id=e["id"], true_label="negative", source="test") for e in scored[1:]
    ]
    produce(settings, [(f.tweet_id, f.to_json()) for f in feedback], topic=settings.topic_feedback)

    alerts = read_alerts(settings, lambda alerts: any(a.kind == "accuracy" for a in alerts))
    [accuracy] = [a for a in alerts if a.kind == "accuracy"]
    assert accuracy.status == "raised" and accuracy.threshold == 0.7
    assert accuracy.observed == 0.0  # the client's "negative" prediction was not believed
    assert metric_value(worker.url, "feedback_unmatched_total") == 1.0
    assert metric_value(worker.url, "feedback_joined_total") == 100.0
    assert read_events(settings, settings.topic_deadletter, 1, timeout_s=3) == []


@pytest.mark.usefixtures("check_model")
def test_a_burst_on_a_scope_that_then_goes_silent_alerts_and_resolves(
    start_worker, small_model_dir
):
    """No later tweet closes the window: the timer does, then resolves on empty windows."""
    env = {
        "AIRPARADIS_WINDOW_SIZE_S": "10",
        "AIRPARADIS_WINDOW_HOPPING_SIZE_S": "10",
        "AIRPARADIS_WINDOW_ALLOWED_LATENESS_S": "5",
        "AIRPARADIS_WINDOW_IDLE_CLOSE_S": "3",
        "AIRPARADIS_WINDOW_TICK_S": "1",
        "AIRPARADIS_BUZZ_MIN_NEGATIVE": "10",
        "AIRPARADIS_SCOPE_KNOWN_AIRLINES": '["quietair"]',
    }
    worker = start_worker(str(small_model_dir), **env)
    settings = settings_from(worker.env)
    t0 = (time.time() // 10 - 3) * 10
    produce(settings, [raw(NEGATIVE.format("quietair"), t0 + i / 5) for i in range(25)])

    def resolved(alerts):
        return any(a.scope == "airline:quietair" and a.status == "resolved" for a in alerts)

    alerts = [a for a in read_alerts(settings, resolved) if a.scope == "airline:quietair"]
    assert [(a.kind, a.status) for a in alerts] == [
        ("bad_buzz", "raised"),
        ("bad_buzz", "resolved"),
    ]
    assert alerts[0].window_start.timestamp() == t0 and alerts[0].observed == 1.0


def test_feedback_after_a_restart_joins_predictions_made_before_it(start_worker, small_model_dir):
    """Recorded predictions live in a changelog-backed table, not in process memory."""
    worker = start_worker(str(small_model_dir))
    settings = settings_from(worker.env)
    produce(settings, [raw(POSITIVE.format("airparadis"), time.time()) for _ in range(5)])
    scored = read_events(settings, settings.topic_scored, 5)
    worker.stop()
    worker.start()
    feedback = [Feedback(tweet_id=e["id"], true_label="negative") for e in scored]
    produce(settings, [(f.tweet_id, f.to_json()) for f in feedback], topic=settings.topic_feedback)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and metric_value(worker.url, "feedback_joined_total") < 5:
        time.sleep(1)
    # At least once: a rebalance after the restart may replay some feedback (9 joins for 5
    # feedbacks were seen once in CI); none of the 5 may go unmatched.
    assert metric_value(worker.url, "feedback_joined_total") >= 5.0
    assert metric_value(worker.url, "feedback_unmatched_total") == 0.0
    # ...but each feedback counts once in production accuracy, replayed or not.
    labels = 'production_accuracy_labels{scope="global"}'
    while time.monotonic() < deadline and metric_value(worker.url, labels) < 5:
        time.sleep(1)
    time.sleep(3)  # a replayed outcome would land within a tick or two
    assert metric_value(worker.url, labels) == 5.0
