"""Shared fixtures for model tests: the in-repo sample, its split, a small fitted TF-IDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.data import load_dataset
from models.splits import Splits, split_dataset

SAMPLE = Path(__file__).resolve().parents[2] / "training/data/sample_tweets.csv.gz"


@pytest.fixture(scope="session")
def sample_splits() -> Splits:
    return split_dataset(load_dataset(SAMPLE), seed=42)


@pytest.fixture(scope="session")
def small_tfidf(sample_splits: Splits):  # type: ignore[no-untyped-def]
    from models.tfidf import TfidfModel

    model = TfidfModel()
    model.fit(sample_splits.train.texts, sample_splits.train.labels)
    return model
