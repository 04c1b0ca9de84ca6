from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from stream.labels.records import LabelRecord, QueueItem
from stream.labels.resolve import COLUMNS
from stream.labels.store import LabelStore, snapshot_hash

T0 = datetime(2015, 2, 17, 16, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> LabelStore:
    return LabelStore.from_url(f"sqlite:///{tmp_path / 'var' / 'labels.db'}")


def label(tweet_id: str, value: str, source: str, minutes: int = 0, **kw: object) -> LabelRecord:
    fields = {"text": f"text {tweet_id}", "tweet_time": T0, **kw}
    return LabelRecord(
        tweet_id=tweet_id,
        label=value,
        source=source,
        labelled_at=T0 + timedelta(minutes=minutes),
        **fields,
    )


def test_resending_a_label_updates_it_instead_of_duplicating(store: LabelStore) -> None:
    assert store.add([label("1", "negative", "feedback"), label("2", "positive", "feedback")]) == 2
    assert store.add([label("1", "positive", "feedback", minutes=5)]) == 0
    assert store.add([label("1", "positive", "feedback", minutes=5)]) == 0
    rows = store.rows()
    assert len(rows) == 2
    assert rows.set_index("tweet_id").loc["1", "label"] == "positive"
    # a second source of the same tweet is a second row
    assert store.add([label("1", "negative", "import:a.csv")]) == 1
    assert len(store.rows()) == 3


def test_snapshot_columns_and_types(store: LabelStore) -> None:
    store.add([label("1", "negative", "feedback", model_version="3", model_score=0.45)])
    df = store.snapshot()
    assert list(df.columns) == COLUMNS
    row = df.iloc[0]
    assert row["tweet_time"] == pd.Timestamp(T0) and str(row["tweet_time"].tz) == "UTC"
    assert row["labelled_at"].tzinfo is not None
    assert (row["model_version"], row["model_score"], row["trusted"]) == ("3", 0.45, True)
    assert str(df["tweet_time"].dtype) == str(df["labelled_at"].dtype) == "datetime64[us, UTC]"
    assert (df["model_score"].dtype, df["trusted"].dtype) == ("float64", "bool")


def test_empty_store_gives_an_empty_snapshot_with_the_columns(store: LabelStore) -> None:
    df = store.snapshot()
    assert list(df.columns) == COLUMNS and len(df) == 0
    assert len(snapshot_hash(df)) == 64


def test_resolution_annotation_consensus_beats_import_beats_feedback(store: LabelStore) -> None:
    store.add(
        [
            label("a", "negative", "feedback"),
            label("a", "positive", "import:f.csv"),
            label("b", "negative", "feedback"),
            label("b", "neutral", "import:f.csv"),
            label("b", "positive", "annotator:ann", minutes=1),
            label("b", "positive", "annotator:bob", minutes=2),
            label("c", "negative", "feedback"),
        ]
    )
    df = store.snapshot().set_index("tweet_id")
    assert df.loc["a", ["label", "source"]].tolist() == ["positive", "import:f.csv"]
    assert df.loc["b", ["label", "source"]].tolist() == ["positive", "annotator:ann"]
    assert df.loc["b", "labelled_at"] == pd.Timestamp(T0 + timedelta(minutes=2))
    assert df.loc["c", "source"] == "feedback"
    assert len(df) == 3


def test_untrusted_labels_are_kept_but_left_out_by_default(store: LabelStore) -> None:
    store.add(
        [
            label("a", "negative", "feedback"),
            label("a", "positive", "annotator:ann", trusted=False),
            label("a", "positive", "annotator:bob", trusted=False),
        ]
    )
    assert store.snapshot().iloc[0]["source"] == "feedback"
    everything = store.snapshot(trusted_only=False)
    assert everything.iloc[0]["source"] == "annotator:ann"
    assert not everything.iloc[0]["trusted"]
    assert store.stats()["untrusted"] == {"untrusted": 2}


def test_snapshot_filters_time_and_sources_and_needs_text(store: LabelStore) -> None:
    store.add(
        [
            label("old", "negative", "feedback", tweet_time=T0 - timedelta(days=2)),
            label("new", "positive", "import:x.csv"),
            LabelRecord(tweet_id="notext", label="negative", source="feedback"),
        ]
    )
    assert store.snapshot()["tweet_id"].tolist() == ["old", "new"]
    assert store.snapshot(since=T0 - timedelta(days=1))["tweet_id"].tolist() == ["new"]
    assert store.snapshot(until=T0)["tweet_id"].tolist() == ["old"]
    assert store.snapshot(sources=["import"])["tweet_id"].tolist() == ["new"]
    # the text arrives later (a review record): the label becomes usable
    store.queue([QueueItem(tweet_id="notext", text="late text", model_score=0.5)])
    assert "notext" in store.snapshot()["tweet_id"].tolist()


def test_snapshot_hash_is_canonical_and_sensitive(store: LabelStore) -> None:
    store.add([label(str(i), "negative", "feedback") for i in range(5)])
    df = store.snapshot()
    assert snapshot_hash(df) == snapshot_hash(df.sample(frac=1, random_state=1))
    store.add([label("3", "positive", "feedback")])
    assert snapshot_hash(store.snapshot()) != snapshot_hash(df)


def test_queue_counts_new_items_once(store: LabelStore) -> None:
    item = QueueItem(tweet_id="q", text="meh", model_score=0.52, model_version="1")
    assert store.queue([item, item]) == 1
    assert store.queue([item]) == 0
    assert store.stats()["queue"] == {"uncertain": 1}
