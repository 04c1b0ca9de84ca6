"""Alerts on a real broker: bad buzz for one airline, drift, production accuracy."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import pytest

from models.base import load_model
from stream.local_worker import get_json, read_events, settings_from
from stream.producer import produce
from stream.records import Alert, Feedback

pytestmark = pytest.mark.kafka

NEGATIVE = "@{} worst airline ever, lost my bag and so angry"
POSITIVE = "@{} love this airline, great crew, thank you"
WINDOW_ENV = {
    "AIRPARADIS_WINDOW_SIZE_S": "60",
    "AIRPARADIS_WINDOW_HOPPING_SIZE_S": "120",
    "AIRPARADIS_WINDOW_ALLOWED_LATENESS_S": "60",
}


def raw(text: str, ts: float) -> tuple[None, bytes]:
    created = datetime.fromtimestamp(ts, UTC).isoformat()
    return None, json.dumps({"id": uuid.uuid4().hex, "text": text, "created_at": created}).encode()


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


def test_contradicting_feedback_raises_an_accuracy_alert(start_worker, small_model_dir):
    worker = start_worker(str(small_model_dir))
    settings = settings_from(worker.env)
    produce(settings, [raw(POSITIVE.format("airparadis"), time.time())])
    [scored] = read_events(settings, settings.topic_scored, 1)
    joined = get_json(
        f"{worker.url}/feedback", {"tweet_id": scored["id"], "true_label": "negative"}
    )
    assert joined == {"accepted": True, "tweet_id": scored["id"]}
    feedback = [
        Feedback(tweet_id=f"t{i}", predicted_label="positive", true_label="negative", source="test")
        for i in range(100)
    ]
    produce(settings, [(f.tweet_id, f.to_json()) for f in feedback], topic=settings.topic_feedback)
    unmatched = Feedback(tweet_id="never-scored", true_label="negative")
    produce(settings, [(None, unmatched.to_json())], topic=settings.topic_feedback)

    alerts = read_alerts(settings, lambda alerts: any(a.kind == "accuracy" for a in alerts))
    [accuracy] = [a for a in alerts if a.kind == "accuracy"]
    assert accuracy.observed < 0.7 and accuracy.threshold == 0.7 and accuracy.status == "raised"
    [dead] = read_events(settings, settings.topic_deadletter, 1)
    assert dead["reason"] == "unmatched_feedback" and "never-scored" in dead["message"]
