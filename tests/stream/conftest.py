"""Fixtures for stream tests: a small trained model on disk and real worker processes."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from stream.local_worker import Worker, isolated_env

SUBSET = (
    Path(__file__).resolve().parents[3] / "shared/data/sentiment140/sentiment140_subset_100k.csv.gz"
)


def labelled_sample(n_per_class: int = 1500) -> tuple[list[str], np.ndarray]:
    """A balanced slice of the 100k subset (negatives come first in the file)."""
    with gzip.open(SUBSET, "rt", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    picked = rows[:n_per_class] + rows[-n_per_class:]
    return [r["text"] for r in picked], np.array([int(r["polarity"] == "4") for r in picked])


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A TF-IDF model trained in a second (the stream serves any saved model kind)."""
    from models.base import save_reference_scores
    from models.tfidf import TfidfModel

    texts, labels = labelled_sample()
    model = TfidfModel()
    model.fit(texts[::2], labels[::2])
    path = tmp_path_factory.mktemp("model") / "tfidf"
    model.save(path)
    save_reference_scores(path, model.predict_proba(texts[1::2]))  # the drift reference
    return path


@pytest.fixture
def start_worker(tmp_path: Path, kafka_bootstrap: str) -> Iterator:
    """start_worker(model_uri, **env) -> a running Worker, stopped after the test."""
    workers: list[Worker] = []

    def start(model_uri: str, env: dict[str, str] | None = None, **extra: str) -> Worker:
        worker = Worker(
            env or isolated_env(kafka_bootstrap, model_uri, **extra), tmp_path / "worker.log"
        )
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()
