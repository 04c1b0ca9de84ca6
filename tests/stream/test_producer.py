import gzip
import json
from pathlib import Path

import pytest

from stream.producer import as_raw_tweet, read_tweet_file, tags_of


def test_tags_are_mentions_and_hashtags_lowercased_once() -> None:
    assert tags_of("@AirParadis lost my bag #Baggage again @airparadis") == [
        "@airparadis",
        "#baggage",
    ]
    assert tags_of("mail me at a@b.com") == []


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
