"""The batch side of the learning loop on a real broker: the airline history replayed as
feedback through Kafka, stored by the labels sink, then `retrain` and its gate on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import Result

from stream.kafka_admin import ensure_topics
from stream.labels.replay import feedback_of
from stream.labels.sink import LabelSink
from stream.labels.store import LabelStore
from stream.settings import Settings
from tests.kafka_broker import delete_topics_containing

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "training/data/sample_tweets.csv.gz"
AIRLINE = ROOT.parent / "shared/data/airline/airline_tweets_2015-02-16_to_21.csv.gz"
NAME = "air-paradis-tfidf"
CUTOFF = datetime(2015, 2, 20, 8, tzinfo=UTC)  # 20 Feb, Pacific midnight


@pytest.fixture
def loop_env(
    kafka_bootstrap: str, test_suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Environment the CLI commands read: this test's topics, consumer group and store."""
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    for topic in ("feedback", "review", "scored"):
        monkeypatch.setenv(f"AIRPARADIS_TOPIC_{topic.upper()}", f"test.{topic}.{test_suffix}")
    monkeypatch.setenv("AIRPARADIS_LABELS_URL", f"sqlite:///{tmp_path / 'labels.db'}")
    monkeypatch.setenv("AIRPARADIS_LABELS_GROUP_ID", f"test-labels-{test_suffix}")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    ensure_topics(settings, [settings.topic_feedback, settings.topic_review, settings.topic_scored])
    yield settings
    delete_topics_containing(kafka_bootstrap, test_suffix)


@pytest.mark.kafka
@pytest.mark.timeout(900)
def test_feedback_through_kafka_feeds_a_gated_retrain(
    cli: Callable[..., Result], loop_env: Settings, tmp_path: Path
) -> None:
    from models import registry

    settings = loop_env
    cli("train", "--model", "tfidf", "--data", str(SAMPLE), "--alias", "champion")
    sent = cli("labels", "replay", str(AIRLINE), "--until", CUTOFF.isoformat()).output
    count = int(sent.split()[0])
    expected = list(feedback_of(AIRLINE, CUTOFF))
    assert count == len(expected) > 2_000

    store = LabelStore.from_url(settings.labels_db_url)
    stored = LabelSink(settings, store).run(idle_exit_s=5)
    assert stored["labels"] == count and stored["invalid"] == 0
    snapshot = store.snapshot()
    assert len(snapshot) == count and set(snapshot["source"]) == {"feedback"}
    assert set(snapshot["tweet_id"]) == {f.tweet_id for f in expected}
    assert snapshot["tweet_time"].max() < CUTOFF

    reports = tmp_path / "reports"
    reports.mkdir()
    until = "2015-02-19T08:00:00"  # train on 16-18 Feb (Pacific), judge on the 19th
    args = ["--base-data", str(SAMPLE), "--train-until", until, "--resamples", "200"]
    output = cli("retrain", *args, "--report-dir", str(reports)).output
    assert "version 2 (parent champion v1)" in output
    tags = registry.client(settings).get_model_version(NAME, "2").tags
    trained = int(tags["labels.feedback"])
    assert 0 < trained < count  # the last day is held back from training
    assert int(tags["gate.recent.n"]) > 100
    assert tags["gate.decision"] in {"approved", "refused"}
    assert (reports / f"gate_{NAME}_v2.md").is_file()
