import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stream.demo.loop_traffic import airline_feedback, interleave, run, send_rounds
from stream.kafka.admin import ensure_topics
from stream.kafka.clients import read_topic
from stream.kafka.delivery import DeliveryError
from stream.records import Feedback
from stream.settings import Settings

AIRLINE = (
    Path(__file__).resolve().parents[4]
    / "shared/data/airline/airline_tweets_2015-02-16_to_21.csv.gz"
)
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
THEN = datetime(2015, 2, 17, 9, 0, tzinfo=UTC)


def labels(n: int) -> list[Feedback]:
    return [Feedback(tweet_id=f"t{i}", true_label="negative", text=f"tweet {i}", created_at=THEN)
            for i in range(n)]  # fmt: skip


def test_each_label_follows_its_tweet_lag_tweets_later():
    sent = list(interleave(labels(5), lag=2, now=lambda: NOW))
    order = [(kind, key) for kind, key, _ in sent]
    assert order == [
        ("raw", "t0"), ("raw", "t1"), ("raw", "t2"), ("feedback", "t0"), ("raw", "t3"),
        ("feedback", "t1"), ("raw", "t4"), ("feedback", "t2"), ("feedback", "t3"),
        ("feedback", "t4"),
    ]  # fmt: skip
    raw = json.loads(sent[0][2])
    assert (raw["id"], raw["text"], raw["created_at"]) == ("t0", "tweet 0", "2026-11-30T12:00:00Z")
    feedback = json.loads(sent[3][2])
    assert feedback["tweet_id"] == "t0" and feedback["created_at"].startswith("2015-02-17")


def test_rounds_repeat_the_same_tweets():
    got: list[tuple[str, str]] = []
    count = send_rounds(lambda kind, key, _: got.append((kind, key)), labels(3), 2, 1, lambda: None)
    assert count == 6 and [key for kind, key in got if kind == "raw"] == ["t0", "t1", "t2"] * 2
    assert sum(kind == "feedback" for kind, _ in got) == 6


def test_the_airline_file_gives_its_trusted_binary_labels_in_time_order():
    until = datetime(2015, 2, 19, 8, tzinfo=UTC)
    labelled = airline_feedback(AIRLINE, until)
    assert 2_000 < len(labelled) < 7_189
    assert {f.true_label for f in labelled} == {"negative", "positive"}
    times = [f.created_at for f in labelled]
    assert times == sorted(times) and times[-1] < until and all(f.text for f in labelled)


@pytest.mark.kafka
def test_every_tweet_and_label_reaches_its_topic(settings: Settings) -> None:
    ensure_topics(settings, [settings.topic_raw, settings.topic_feedback])
    assert run(settings, labels(30), rate=500, rounds=2, lag_s=0.01) == 60
    raw = read_topic(settings, settings.topic_raw, 61, timeout_s=10)
    feedback = read_topic(settings, settings.topic_feedback, 61, timeout_s=10)
    assert len(raw) == len(feedback) == 60
    assert {json.loads(value)["tweet_id"] for _, value in feedback} == {f"t{i}" for i in range(30)}


def test_traffic_the_broker_did_not_take_is_an_error(settings: Settings) -> None:
    """`settings` of an unmarked test point at a port where nothing listens."""
    with pytest.raises(DeliveryError, match=r"^4 of 4 records not delivered; 4 still queued"):
        run(settings, labels(2), rate=1000, rounds=1, lag_s=0.01, delivery_timeout_s=0.5)
