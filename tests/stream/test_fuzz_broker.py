"""Hostile input on a real broker and a real worker: every record accounted for.

2,000 valid tweets with 20 malformed payloads in the middle (the two that stopped the
worker among them: deeply nested brackets, and a 900 KB payload whose dead letter used to
be refused by the broker), then 2,000 fuzzed payloads, then valid tweets again. Each input
record, by partition and offset, must end as exactly the outcome the parser gives it in
this process: a scored event (by id) or a dead letter with the same reason.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from typing import Any

import pytest
from confluent_kafka import Producer

from stream.kafka.security import librdkafka_config
from stream.records import InputLimits, InvalidRecord, parse_raw_tweet
from stream.settings import Settings
from tests.stream.test_records import HOSTILE
from training.tools.local_worker import get_json, read_events, settings_from

pytestmark = pytest.mark.kafka

NOW = "2026-11-26T10:00:00Z"
TEXTS = [
    "I love flying with @AirParadis, the crew was amazing!",
    "@AirParadis lost my bag again, worst airline ever",
    "Flight delayed 3 hours and nobody tells us anything #fail",
]
NESTED = b"[" * 200_000  # the RecursionError
HUGE = json.dumps({"id": "huge", "text": "x" * 900_000, "created_at": NOW}).encode()


def valid(tag: str, i: int) -> bytes:
    return json.dumps(
        {"id": f"{tag}{i}", "text": f"{TEXTS[i % 3]} {i}", "created_at": NOW}
    ).encode()


def fuzzed(rng: random.Random, i: int) -> bytes:
    """Random bytes, a valid tweet mutated at random, a hostile case, or a swapped field."""
    base = valid("fz", i)
    kind = rng.randrange(5)
    if kind == 0:
        return rng.randbytes(rng.randrange(0, 300))
    if kind == 1:  # flip, drop or insert a few bytes
        data = bytearray(base)
        for _ in range(rng.randrange(1, 4)):
            at = rng.randrange(len(data))
            data[at : at + rng.randrange(0, 3)] = rng.randbytes(rng.randrange(0, 3))
        return bytes(data)
    if kind == 2:
        return rng.choice(HOSTILE)[0]
    if kind == 3:
        field = rng.choice(["text", "created_at", "tags", "user", "colour"])
        value: Any = rng.choice([None, 0, -1, 2**70, 1.5, "", " ", [], {}, ["#a"], "x" * 20_000])
        return json.dumps({**json.loads(base), field: value}).encode()
    return base  # a valid one among the fuzz


def expected(payload: bytes, limits: InputLimits) -> tuple[str, str]:
    """("scored", id) or ("dead", reason), as the parser decides here."""
    try:
        return "scored", parse_raw_tweet(payload, limits).id
    except InvalidRecord as error:
        return "dead", error.reason


def produce_recording(settings: Settings, payloads: list[bytes]) -> list[tuple[int, int]]:
    """Produce in order; (partition, offset) of each payload, from the delivery reports."""
    producer = Producer({**librdkafka_config(settings.kafka), "linger.ms": 5, "acks": "all"})
    where: list[tuple[int, int]] = [(-1, -1)] * len(payloads)

    def on_delivery(index: int) -> Any:
        def report(error: Any, message: Any) -> None:
            assert error is None, error
            where[index] = (message.partition(), message.offset())

        return report

    for index, payload in enumerate(payloads):
        while True:
            try:
                producer.produce(settings.topic_raw, payload, on_delivery=on_delivery(index))
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    assert producer.flush(60) == 0
    return where


def test_fuzzed_payloads_are_each_scored_or_dead_lettered(start_worker, small_model_dir):
    worker = start_worker(str(small_model_dir))
    settings = settings_from(worker.env)
    rng = random.Random(12)
    malformed = [NESTED, HUGE] + [payload for payload, _, _ in rng.sample(HOSTILE, 18)]
    payloads = (
        [valid("a", i) for i in range(1_000)]
        + malformed
        + [valid("b", i) for i in range(1_000)]
        + [fuzzed(rng, i) for i in range(2_000)]
    )
    outcomes = [expected(payload, settings.limits) for payload in payloads]
    started = time.monotonic()
    where = produce_recording(settings, payloads)
    want_dead = {
        at: value for at, (kind, value) in zip(where, outcomes, strict=True) if kind == "dead"
    }
    want_scored = Counter(value for kind, value in outcomes if kind == "scored")
    assert outcomes[1_000] == ("dead", "too_deep") and len(want_dead) >= 500

    scored = read_events(settings, settings.topic_scored, want_scored.total(), timeout_s=60)
    dead = read_events(settings, settings.topic_deadletter, len(want_dead), timeout_s=30)
    elapsed = time.monotonic() - started
    got_dead = {(d["partition"], d["offset"]): d["reason"] for d in dead}
    assert len(got_dead) == len(dead)  # none twice
    assert got_dead == want_dead  # each malformed record, by partition and offset, and why
    assert Counter(event["id"] for event in scored) == want_scored  # each valid one, once
    assert all(d["source_topic"] == settings.topic_raw for d in dead)
    assert max(len(json.dumps(d)) for d in dead) <= settings.limits.deadletter_max_bytes
    [huge] = [d for d in dead if d["payload_size"] == len(HUGE)]
    assert huge["reason"] == "oversize_payload" and huge["payload_truncated"]

    produce_recording(settings, [valid("c", i) for i in range(50)])  # still scoring after it
    scored = read_events(settings, settings.topic_scored, want_scored.total() + 50, timeout_s=30)
    assert {f"c{i}" for i in range(50)} <= {event["id"] for event in scored}
    assert get_json(f"{worker.url}/health")["status"] == "ready"
    print(f"{len(payloads)} records, {len(dead)} dead letters, all accounted in {elapsed:.1f} s")
