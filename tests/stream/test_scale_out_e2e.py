"""Scale-out on a real broker: two workers on a 4-partition topic, one of them stopped and
started mid-stream, publish the same alerts (with the same counts) as one worker."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import pytest

from stream.kafka.clients import produce
from stream.kafka.events import key_partition
from stream.records import Alert
from tests.stream.test_alerts_e2e import NEGATIVE, POSITIVE, minute_zero
from training.tools.local_worker import free_port, isolated_env, read_events, settings_from

pytestmark = pytest.mark.kafka

ENV = {
    "AIRPARADIS_TOPIC_PARTITIONS": "4",
    "AIRPARADIS_WINDOW_SIZE_S": "60",
    # default lateness (60 s) and idle time (60 s): a scope's event time follows its slowest
    # source partition, so partitions paused by the rebalances lose no tweet as late
    "AIRPARADIS_BUZZ_MIN_NEGATIVE": "10",
    "AIRPARADIS_BUZZ_WARMUP_WINDOWS": "3",
    "AIRPARADIS_SCOPE_KNOWN_AIRLINES": '["airparadis", "calmair"]',
}


def tweets(t0: float) -> list[tuple[str, bytes]]:
    """8 minutes of 2 airlines, a negative burst on airparadis in minute 5; keyed by id."""
    records = []
    for minute in range(8):
        for airline in ("airparadis", "calmair"):
            burst = minute == 5 and airline == "airparadis"
            negatives, positives = (30, 2) if burst else (3, 9)
            texts = [NEGATIVE.format(airline)] * negatives + [POSITIVE.format(airline)] * positives
            records += [record(text, t0 + 60 * minute + i) for i, text in enumerate(texts)]
    return records


def record(text: str, ts: float, partition: int | None = None) -> tuple[str, bytes]:
    """A raw tweet keyed by its id (on `partition` of 4 when given)."""
    tweet_id = uuid.uuid4().hex
    while partition is not None and key_partition(tweet_id, 4) != partition:
        tweet_id = uuid.uuid4().hex
    created = datetime.fromtimestamp(ts, UTC).isoformat()
    return tweet_id, json.dumps({"id": tweet_id, "text": text, "created_at": created}).encode()


def closing(t0: float) -> list[tuple[str, bytes]]:
    """A tweet per scope and partition far ahead: every partition's event time (the scopes
    follow the slowest) passes every window of the input."""
    return [
        record(POSITIVE.format(a), t0 + 1500, partition)
        for a in ("airparadis", "calmair") for partition in range(4)
    ]  # fmt: skip


def scored_ids(settings, expected: int, timeout_s: float = 240.0) -> set[str]:
    deadline, ids = time.monotonic() + timeout_s, set()
    while time.monotonic() < deadline and len(ids) < expected:
        ids = {e["id"] for e in read_events(settings, settings.topic_scored, 10**6, 3)}
    return ids


def alerts_of(settings, expected: int, timeout_s: float = 120.0) -> list[tuple]:
    """The alerts once at least `expected` are there and no more come for a few seconds."""
    deadline, alerts, seen = time.monotonic() + timeout_s, [], -1
    while time.monotonic() < deadline and (len(alerts) < expected or len(alerts) != seen):
        seen = len(alerts)
        time.sleep(3)
        events = read_events(settings, settings.topic_alerts, 10**6, 3)
        alerts = [Alert.model_validate(e) for e in events]
    return sorted((a.kind, a.scope, a.status, a.window_start, a.message) for a in alerts)


def run(settings, records, t0, expected, between=None) -> tuple[set[str], list[tuple]]:
    """Produce in three chunks (`between[i]()` after chunk i), then the closing tweets."""
    chunks = [records[: len(records) // 3], records[len(records) // 3 : 2 * len(records) // 3]]
    chunks.append(records[2 * len(records) // 3 :])
    for i, chunk in enumerate(chunks):
        produce(settings, chunk)
        if between and i < len(between):
            scored_ids(settings, len(records) // 3 * (i + 1) // 2)  # mid-stream, not drained
            between[i]()
    ids = scored_ids(settings, len(records))
    assert len(ids) == len(records), f"{len(records) - len(ids)} tweets not scored in time"
    time.sleep(2)
    produce(settings, closing(t0))
    return ids, alerts_of(settings, expected)


def test_two_workers_with_a_restart_match_one_worker(
    start_worker, small_model_dir, kafka_bootstrap
):
    t0 = minute_zero() - 600
    records = tweets(t0)
    single = start_worker(str(small_model_dir), **ENV)
    ids, reference = run(settings_from(single.env), records, t0, expected=2)
    assert ids == {key for key, _ in records}
    assert {(k, s, st) for k, s, st, _, _ in reference} >= {
        ("bad_buzz", "airline:airparadis", "raised"),
        ("bad_buzz", "airline:airparadis", "resolved"),
    }
    single.stop()

    env = isolated_env(kafka_bootstrap, str(small_model_dir), **ENV)
    first = start_worker(str(small_model_dir), env=env)
    second = start_worker(
        str(small_model_dir), env={**env, "AIRPARADIS_WEB_PORT": str(free_port())}
    )
    settings = settings_from(env)
    ids, alerts = run(settings, records, t0, len(reference), [second.stop, second.start])
    assert ids == {key for key, _ in records}  # nothing lost
    assert alerts == reference  # same alerts, same counts in their messages
    assert first.process and first.process.poll() is None
