from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from confluent_kafka import Producer

from stream.kafka.admin import ensure_topics
from stream.kafka.security import librdkafka_config
from stream.labels.sink import LabelSink, sampled
from stream.labels.store import LabelStore
from stream.records import Feedback, ScoredTweet
from stream.settings import Settings

T0 = datetime(2015, 2, 20, 9, 0, tzinfo=UTC)


def scored(tweet_id: str, score: float) -> ScoredTweet:
    return ScoredTweet(
        id=tweet_id,
        text=f"<b>tweet</b> {tweet_id}",
        created_at=T0 + timedelta(minutes=int(tweet_id.split("-")[-1])),
        label="positive" if score >= 0.5 else "negative",
        score=score,
        confidence=max(score, 1 - score),
        model_name="air-paradis-tfidf",
        model_version="7",
        scored_at=T0,
        latency_s=0.01,
    )


def produce(settings: Settings, records: list[tuple[str, str, bytes]]) -> None:
    producer = Producer(librdkafka_config(settings.kafka))
    for topic, key, value in records:
        producer.produce(topic, value, key=key)
    assert producer.flush(30) == 0


def test_sample_is_deterministic_and_near_its_share() -> None:
    ids = [f"t{i}" for i in range(20_000)]
    picked = [i for i in ids if sampled(i, 0.05)]
    assert 0.04 < len(picked) / len(ids) < 0.06
    assert picked == [i for i in ids if sampled(i, 0.05)]


@pytest.mark.kafka
def test_sink_stores_feedback_and_review_at_least_once_without_duplicates(
    settings_factory: Callable[..., Settings], test_suffix: str
) -> None:
    settings = settings_factory(
        labels_group_id=f"test-labels-{test_suffix}", labels_random_share=0.5
    )
    ensure_topics(settings, [settings.topic_feedback, settings.topic_review, settings.topic_scored])
    review = [scored(f"r-{i}", 0.4 + i / 100) for i in range(5)]
    ordinary = [scored(f"s-{i}", 0.9) for i in range(40)]
    with_text = Feedback(
        tweet_id="f-1",
        true_label="negative",
        text="late again",
        created_at=T0,
        score=0.8,
        model_version="7",
        source="replay",
    )
    plain = Feedback(tweet_id="r-2", true_label="positive", predicted_label="negative")
    produce(
        settings,
        [(settings.topic_review, t.id, t.to_json()) for t in review]
        + [(settings.topic_scored, t.id, t.to_json()) for t in ordinary]
        + [
            (settings.topic_feedback, "f-1", with_text.to_json()),
            (settings.topic_feedback, "r-2", plain.to_json()),
            (settings.topic_feedback, "bad", b'{"tweet_id": "x"}'),
        ],
    )
    store = LabelStore.from_url(settings.labels_db_url)

    class CrashAfterStore(LabelSink):
        """Dies between the database commit and the offset commit."""

        def handle(self, messages: list[Any]) -> Any:
            super().handle(messages)
            raise RuntimeError("crash before the offset commit")

    crashed = CrashAfterStore(settings, store)
    try:
        crashed.run(idle_exit_s=10)
        raise AssertionError("the sink should have crashed")
    except RuntimeError:
        pass
    assert crashed.stored["labels"] + crashed.stored["queued"] > 0

    counts = LabelSink(settings, store).run(idle_exit_s=3)
    expected_random = sum(sampled(t.id, 0.5) for t in ordinary)
    assert counts == {"labels": 2, "queued": 5 + expected_random, "invalid": 1}  # all redelivered
    stats = store.stats()
    assert stats["labels"] == 2 and stats["without_text"] == 0
    assert stats["queue"] == {"uncertain": 5, "random": expected_random}
    snap = store.snapshot().set_index("tweet_id")
    assert snap.loc["f-1", ["text", "label", "source"]].tolist() == [
        "late again",
        "negative",
        "feedback",
    ]
    # plain feedback took its text and the model's score from the review record
    assert snap.loc["r-2", "text"] == "<b>tweet</b> r-2"
    assert snap.loc["r-2", "model_score"] == pytest.approx(0.42)
    assert snap.loc["r-2", "tweet_time"] == T0 + timedelta(minutes=2)
    # offsets were committed: a third run reads nothing
    assert LabelSink(settings, store).run(idle_exit_s=3) == {"labels": 0, "queued": 0, "invalid": 0}
