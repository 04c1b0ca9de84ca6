"""The real worker on a real broker: scoring, dead letters, crash recovery, HTTP."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
from confluent_kafka import Consumer, TopicPartition

from stream.kafka.clients import produce
from stream.kafka.security import librdkafka_config
from stream.records import DeadLetter, ScoredTweet
from stream.settings import Settings
from training.tools.local_worker import get_json, read_events, settings_from

pytestmark = pytest.mark.kafka

VALID = [
    "I love flying with @AirParadis, the crew was amazing!",
    "@AirParadis lost my bag again, worst airline ever",
    "Flight delayed 3 hours and nobody tells us anything #fail",
    "great service and a smooth landing, thank you",
]


def tweet(text: str, **extra: object) -> bytes:
    return json.dumps(
        {"id": uuid.uuid4().hex, "text": text, "created_at": "2026-11-26T10:00:00Z", **extra}
    ).encode()


MALFORMED = {
    "malformed_json": b'{"id": "x", "text": ',
    "bad_encoding": b'{"id": "x", "text": "caf\xe9"}',
    "missing_text": json.dumps({"id": "m", "created_at": "2026-11-26T10:00:00Z"}).encode(),
    "empty_text": tweet("   "),
    "invalid_text": tweet("placeholder").replace(b'"placeholder"', b"42"),
    "oversize_text": tweet("x" * 5000),
    "unknown_schema_version": tweet("hello", schema_version=99),
    "unknown_field": tweet("hello", colour="blue"),
}


def test_valid_tweets_are_scored_and_malformed_ones_dead_lettered(start_worker, small_model_dir):
    worker = start_worker(str(small_model_dir), AIRPARADIS_MAX_TEXT_CHARS="1000")
    settings = settings_from(worker.env)
    valid = [tweet(text) for text in VALID]
    payloads = valid + list(MALFORMED.values())
    produce(settings, [(None, p) for p in payloads])

    scored = [
        ScoredTweet.model_validate(e)
        for e in read_events(settings, settings.topic_scored, len(valid))
    ]
    dead = [
        DeadLetter.model_validate(e)
        for e in read_events(settings, settings.topic_deadletter, len(MALFORMED))
    ]

    assert sorted(s.id for s in scored) == sorted(json.loads(v)["id"] for v in valid)
    assert sorted(d.reason for d in dead) == sorted(MALFORMED)
    assert len(scored) + len(dead) == len(payloads)
    by_text = {s.text: s for s in scored}
    assert by_text[VALID[0]].label == "positive"
    assert by_text[VALID[1]].label == "negative"
    assert all(s.model_version == "local" and s.latency_s >= 0 for s in scored)
    assert all(d.source_topic == settings.topic_raw and d.offset >= 0 for d in dead)
    metrics = _metrics(worker.url)
    assert metrics['tweets_deadlettered_total{reason="oversize_text"}'] == 1.0
    assert metrics["tweets_consumed_total"] == len(payloads)


def test_kill_9_mid_stream_loses_nothing(start_worker, small_model_dir, kafka_bootstrap):
    worker = start_worker(str(small_model_dir), AIRPARADIS_BATCH_SIZE="16")
    settings = settings_from(worker.env)
    payloads = [tweet(f"{VALID[i % len(VALID)]} #{i}") for i in range(3000)]
    ids = {json.loads(p)["id"] for p in payloads}
    producer = threading.Thread(
        target=produce, args=(settings, [(None, p) for p in payloads], 300.0)
    )
    producer.start()
    read_events(settings, settings.topic_scored, 1, timeout_s=30)  # scoring has begun
    worker.kill()
    at_kill = {e["id"] for e in read_events(settings, settings.topic_scored, 10**9, 8)}
    assert 0 < len(at_kill & ids) < len(ids), "the kill must land mid-stream"
    producer.join()
    worker.start()

    seen: set[str] = set()  # every id on tweets.scored so far (duplicates are allowed)
    deadline = time.monotonic() + 150
    while not ids <= seen and time.monotonic() < deadline:
        everything = read_events(settings, settings.topic_scored, 10**9, timeout_s=10)
        seen |= {e["id"] for e in everything}
    assert ids <= seen, f"{len(ids - seen)} tweets lost"
    # and the commits catch up: none stuck behind a hole or a repeated ack
    lag = wait_until_committed(settings, deadline_s=30)
    assert lag == 0, f"{lag} input records still uncommitted 30 s after the last was scored"


def test_the_worker_serves_a_real_lstm(start_worker, small_lstm_dir):
    """The kind of model the product serves (Word2Vec + BiLSTM), not only TF-IDF."""
    from models.kinds import load_model

    worker = start_worker(str(small_lstm_dir))
    settings = settings_from(worker.env)
    produce(settings, [(None, tweet(text)) for text in VALID] + [(None, MALFORMED["bad_encoding"])])

    scored = [
        ScoredTweet.model_validate(e)
        for e in read_events(settings, settings.topic_scored, len(VALID))
    ]
    [dead] = read_events(settings, settings.topic_deadletter, 1)
    expected = dict(zip(VALID, load_model(small_lstm_dir).predict_proba(VALID), strict=True))
    assert sorted(s.text for s in scored) == sorted(VALID)
    assert all(s.score == pytest.approx(float(expected[s.text]), abs=1e-5) for s in scored)
    assert dead["reason"] == "bad_encoding"
    assert get_json(f"{worker.url}/health")["model"] == "lstm/local"
    assert get_json(f"{worker.url}/predict", {"text": VALID[0]})["model_version"] == "local"


def wait_until_committed(settings: Settings, deadline_s: float) -> int:
    """Uncommitted records of tweets.raw for the worker's group, polled until none or late."""
    consumer = Consumer({**librdkafka_config(settings.kafka), "group.id": settings.app_id})
    try:
        partitions = consumer.list_topics(settings.topic_raw, timeout=10).topics
        tps = [
            TopicPartition(settings.topic_raw, p) for p in partitions[settings.topic_raw].partitions
        ]
        deadline = time.monotonic() + deadline_s
        while True:
            committed = consumer.committed(tps, timeout=10)
            lag = sum(
                consumer.get_watermark_offsets(tp, timeout=10)[1] - max(tp.offset, 0)
                for tp in committed
            )
            if lag == 0 or time.monotonic() > deadline:
                return lag
            time.sleep(1)
    finally:
        consumer.close()


def test_predict_and_health_endpoints(start_worker, small_model_dir):
    worker = start_worker(str(small_model_dir))
    single = get_json(f"{worker.url}/predict", {"text": "I love this airline"})
    assert single["sentiment"] == "Positif" and single["label"] == "positive"
    assert 0.5 <= single["confidence"] <= 1 and single["model_version"] == "local"
    batch = get_json(f"{worker.url}/predict", {"texts": ["awful delay", "thank you so much"]})
    assert [p["label"] for p in batch["predictions"]] == ["negative", "positive"]
    bad = get_json(f"{worker.url}/predict", {"text": ""})
    assert bad["http_status"] == 400 and "non-empty" in bad["error"]
    health = get_json(f"{worker.url}/health")
    assert health == {
        "status": "ready",
        "model_loaded": True,
        "model": "tfidf/local",
        "kafka_reachable": True,
    }


def _metrics(url: str) -> dict[str, float]:
    import urllib.request

    text = urllib.request.urlopen(f"{url}/metrics", timeout=5).read().decode()
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }
