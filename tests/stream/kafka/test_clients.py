import gzip
import json
import time
from pathlib import Path

import pytest

from stream.kafka.admin import ensure_topics
from stream.kafka.clients import PACING_S, as_raw_tweet, produce, read_tweet_file, tags_of
from stream.settings import Settings


def test_tags_are_mentions_and_hashtags_lowercased_once() -> None:
    assert tags_of("@AirParadis lost my bag #Baggage again @airparadis") == [
        "@airparadis",
        "#baggage",
    ]
    assert tags_of("mail me at a@b.com") == []


def test_tags_are_read_as_the_model_and_scopes_read_them() -> None:
    """One definition (`models.preprocessing`): no tags inside URLs, a hashtag not cut at 30."""
    assert tags_of("https://x.com/#frag http://m.com/@user") == []
    assert tags_of("#" + "A" * 40 + " &#64;Esc") == ["#" + "a" * 40, "@esc"]


def test_csv_gz_and_jsonl_files(tmp_path: Path) -> None:
    csv_path = tmp_path / "t.csv.gz"
    with gzip.open(csv_path, "wt") as handle:
        handle.write('polarity,text\n0,"late, again"\n')
    assert list(read_tweet_file(csv_path)) == [{"text": "late, again"}]
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text(json.dumps({"id": "9", "text": "hi"}) + "\n\n")
    assert list(read_tweet_file(jsonl)) == [{"id": "9", "text": "hi"}]


def test_csv_without_text_column_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="'text' column"):
        list(read_tweet_file(path))


def test_rows_are_completed_into_valid_raw_tweets() -> None:
    tweet = as_raw_tweet({"text": "@AirParadis thanks!"})
    assert tweet.tags == ["@airparadis"] and tweet.id and tweet.created_at.tzinfo


@pytest.mark.kafka
def test_a_paced_producer_never_runs_ahead_of_its_rate(settings: Settings) -> None:
    ensure_topics(settings, [settings.topic_raw])
    sent_at: list[float] = []
    rate, count = 2000.0, 300
    started = time.perf_counter()
    produce(
        settings,
        [(None, b'{"text": "on time"}')] * count,
        rate=rate,
        on_sent=lambda: sent_at.append(time.perf_counter() - started),
    )
    assert len(sent_at) == count
    # the i-th record goes no earlier than its slot, less the pacing step (a lower bound:
    # a slow machine only makes it later, so this does not depend on the machine's speed)
    early = [i / rate - PACING_S - at for i, at in enumerate(sent_at)]
    assert max(early) < 1e-3
