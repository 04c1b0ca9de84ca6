"""Splits: sizes, stratification, determinism, de-duplication and leak checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.data import LabelledTexts, load_dataset
from models.splits import (
    DataLeakError,
    Splits,
    check_no_leaks,
    deduplicate,
    fingerprint,
    split_dataset,
    stratified_sample,
)

SAMPLE = Path(__file__).resolve().parents[2] / "training/data/sample_tweets.csv.gz"


@pytest.fixture(scope="module")
def sample() -> LabelledTexts:
    return load_dataset(SAMPLE)


def test_split_is_70_10_20_and_stratified(sample: LabelledTexts) -> None:
    splits = split_dataset(sample, seed=1)
    unique = len(sample) - splits.duplicates_removed - splits.conflicts_removed
    assert sum(splits.sizes().values()) == unique
    assert splits.sizes()["test"] == pytest.approx(0.2 * unique, abs=1)
    assert splits.sizes()["val"] == pytest.approx(0.1 * unique, abs=1)
    for part in (splits.train, splits.val, splits.test):
        assert part.labels.mean() == pytest.approx(0.5, abs=0.02)


def test_same_seed_same_split_other_seed_other_split(sample: LabelledTexts) -> None:
    first, again, other = (split_dataset(sample, seed=s) for s in (7, 7, 8))
    assert first.test.texts == again.test.texts
    assert fingerprint(first.test) == fingerprint(again.test)
    assert fingerprint(first.test) != fingerprint(other.test)


def test_normalised_duplicates_land_in_one_split_only() -> None:
    texts = [f"@user{i} thanks for the great flight" for i in range(30)]
    texts += [f"tweet number {word}" for word in "abcdefghijklmnopqrstuvwxyz"]
    data = LabelledTexts(texts, np.array([1] * 30 + [i % 2 for i in range(26)]))
    splits = split_dataset(data, seed=3)
    assert splits.duplicates_removed == 29
    holding = [
        p for p in (splits.train, splits.val, splits.test) if any("thanks" in t for t in p.texts)
    ]
    assert len(holding) == 1 and sum("thanks" in t for t in holding[0].texts) == 1


def test_texts_with_both_labels_are_dropped_and_counted() -> None:
    data = LabelledTexts(["ok then", "OK   then", "fine", "bad"], np.array([1, 0, 1, 0]))
    unique, duplicates, conflicts = deduplicate(data)
    assert unique.texts == ["fine", "bad"]
    assert (duplicates, conflicts) == (0, 2)


def test_leak_check_names_the_text_and_splits() -> None:
    part = LabelledTexts(["same text", "other"], np.array([1, 0]))
    leaky = Splits(part, LabelledTexts(["x"], np.array([1])), part.take([0]))
    with pytest.raises(DataLeakError, match="'same text' is in both the train and test splits"):
        check_no_leaks(leaky)


def test_stratified_sample_keeps_class_balance(sample: LabelledTexts) -> None:
    small = stratified_sample(sample, 400, seed=5)
    assert small.class_counts() == {"negative": 200, "positive": 200}
    assert stratified_sample(sample, 10**6, seed=5) is sample


def test_fingerprint_ignores_row_order() -> None:
    data = LabelledTexts(["a b", "c d"], np.array([1, 0]))
    assert fingerprint(data) == fingerprint(data.take([1, 0]))
    assert fingerprint(data) != fingerprint(LabelledTexts(["a b", "c d"], np.array([0, 1])))
