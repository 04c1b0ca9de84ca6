"""Label rows, time windows and the weighted retraining set (training.loop.labels/dataset)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.data import LabelledTexts
from training.loop import dataset, labels

AIRLINE = Path(labels.__file__).resolve().parents[3] / (
    "shared/data/airline/airline_tweets_2015-02-16_to_21.csv.gz"
)
T0 = pd.Timestamp("2015-02-20 00:00", tz="UTC")


def _frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """(tweet_id, label, source, hours after T0) rows with the store's columns."""
    return pd.DataFrame(
        {
            "tweet_id": [r[0] for r in rows],
            "text": [f"text {r[0]}" for r in rows],
            "label": [r[1] for r in rows],
            "source": [r[2] for r in rows],
            "tweet_time": [T0 + pd.Timedelta(hours=r[3]) for r in rows],
            "labelled_at": [T0 + pd.Timedelta(hours=r[3] + 1) for r in rows],
            "model_version": None,
            "model_score": np.nan,
            "trusted": True,
        }
    )


def test_airline_file_reads_as_utc_label_rows() -> None:
    frame = labels.airline_frame(AIRLINE)
    assert list(frame.columns) == list(labels.COLUMNS)
    assert len(frame) == 7189
    assert frame["label"].value_counts().to_dict() == {
        "negative": 4212,
        "neutral": 1623,
        "positive": 1354,
    }
    with gzip.open(AIRLINE, "rt") as f:
        first_time = f.readlines()[1].split(",")[1]  # local time with its -0800 offset
    local = pd.Timestamp(first_time)
    assert frame["tweet_time"].iloc[0] == local.tz_convert("UTC")
    assert str(frame["tweet_time"].dt.tz) == "UTC"


def test_binary_keeps_trusted_negative_and_positive_oldest_first() -> None:
    frame = _frame([("b", "positive", "s", 2), ("a", "negative", "s", 1), ("c", "neutral", "s", 0)])
    frame.loc[3] = [*_frame([("d", "negative", "s", 0)]).iloc[0].tolist()]
    frame.loc[3, "trusted"] = False
    kept = labels.binary(frame)
    assert kept["tweet_id"].tolist() == ["a", "b"] and kept["y"].tolist() == [0, 1]


def test_snapshot_hash_names_the_content_not_the_order() -> None:
    frame = _frame([("a", "negative", "s", 1), ("b", "positive", "s", 2)])
    same = frame.iloc[::-1].reset_index(drop=True)
    changed = frame.assign(label=["negative", "negative"])
    assert labels.snapshot_hash(frame) == labels.snapshot_hash(same)
    assert labels.snapshot_hash(frame) != labels.snapshot_hash(changed)


def test_windows_hold_back_the_last_day_and_calibrate_on_the_one_before() -> None:
    hours = [-30, -20, -1, 5, 23, 30]
    frame = labels.binary(_frame([(str(h), "negative", "s", h) for h in hours]))
    windows = dataset.Windows.ending(frame, T0, holdout_days=1, calibration_days=1)
    train, calibration, holdout = dataset.label_parts(frame, windows, calibrate=True)
    assert train["tweet_id"].tolist() == ["-30"]
    assert calibration["tweet_id"].tolist() == ["-20", "-1"]
    assert holdout["tweet_id"].tolist() == ["5", "23"]  # 30 h is after the window
    train, calibration, _ = dataset.label_parts(frame, windows, calibrate=False)
    assert len(train) == 3 and calibration.empty
    default = dataset.Windows.ending(frame, None, holdout_days=1, calibration_days=1)
    assert default.holdout_until > frame["tweet_time"].max() >= default.train_until


def test_build_weights_base_labels_by_age_and_balances_classes() -> None:
    base = LabelledTexts(["b0", "b1", "b2", "b3"], np.array([0, 1, 0, 1]))
    frame = labels.binary(
        _frame(
            [
                ("old", "negative", "s", -48),
                ("new", "negative", "u", 0),
                ("pos", "positive", "u", -24),
            ]
        )
    )
    plain = dataset.build(base, frame, T0, dataset.Weighting(24 / 24, 0.5, "none"))
    # base 0.5 each; labels 0.5**(age in days): 0.25 (old), 0.5 (pos), 1 (new); mean 0.5
    raw = np.array([0.5, 0.5, 0.5, 0.5, 0.25, 0.5, 1.0])
    np.testing.assert_allclose(plain.weights, raw / raw.mean())
    assert plain.sources.tolist() == ["base"] * 4 + ["s", "u", "u"]

    balanced = dataset.build(base, frame, T0, dataset.Weighting(1.0, 0.5, "weights"))
    totals = [balanced.weights[balanced.labels == c].sum() for c in (0, 1)]
    assert totals[0] == pytest.approx(totals[1])

    resampled = dataset.build(base, frame, T0, dataset.Weighting(1.0, 0.5, "resample"), seed=3)
    assert len(resampled) == 7 and set(resampled.weights) == {1.0}


def test_base_weight_zero_trains_on_labels_only_and_bad_balance_fails() -> None:
    base = LabelledTexts(["b0", "b1"], np.array([0, 1]))
    frame = labels.binary(_frame([("a", "negative", "s", 0), ("b", "positive", "s", 0)]))
    only = dataset.build(base, frame, T0, dataset.Weighting(None, 0.0, "none"))
    assert only.texts == ["text a", "text b"]
    with pytest.raises(ValueError, match="balance"):
        dataset.Weighting(balance="smote")


def test_labels_from_the_store_match_the_file(tmp_path: Path) -> None:
    from stream.labels.importer import read_labels
    from stream.labels.store import LabelStore

    url = f"sqlite:///{tmp_path / 'labels.db'}"
    store = LabelStore.from_url(url)
    at = pd.Timestamp("2015-02-22T12:00:00Z").to_pydatetime()
    store.add(read_labels(AIRLINE, labelled_at=at).records)
    from_store = labels.binary(labels.load_labels(url))
    from_file = labels.binary(labels.airline_frame(AIRLINE))
    assert len(from_store) == len(from_file) == 5566
    merged = from_store.merge(from_file, on="tweet_id", suffixes=("_store", "_file"))
    assert len(merged) == 5566
    assert (merged["y_store"] == merged["y_file"]).all()
    assert (merged["tweet_time_store"] == merged["tweet_time_file"]).all()
    before = labels.snapshot_hash(labels.load_labels(url))
    store.add(read_labels(AIRLINE, labelled_at=at).records)  # re-sent: same snapshot and hash
    assert labels.snapshot_hash(labels.load_labels(url)) == before
