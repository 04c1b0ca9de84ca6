"""The TF-IDF search on a tiny grid: every candidate scored on validation, best one on test."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import mlflow

from models.preprocessing import PreprocessConfig
from models.tfidf import TfidfConfig
from stream.settings import Settings
from tests.training.conftest import SAMPLE
from training.search import candidates, describe, render, search_tfidf


def test_search_ranks_candidates_and_tests_only_the_best(data_dir: Path) -> None:
    small = TfidfConfig(max_features=500)
    grid = [small, replace(small, preprocessing=PreprocessConfig(remove_stopwords=True))]
    rows = search_tfidf(Settings(data_dir=data_dir), SAMPLE, seed=1, sample_size=1000, grid=grid)
    assert [row["val_accuracy"] for row in rows] == sorted(
        (row["val_accuracy"] for row in rows), reverse=True
    )
    assert "test_accuracy" in rows[0] and "test_accuracy" not in rows[1]
    assert {row["name"] for row in rows} == {describe(config) for config in grid}
    runs = mlflow.search_runs(filter_string="tags.mlflow.runName = 'search-tfidf'")
    assert len(runs) == 1 and runs["metrics.test_accuracy"].iloc[0] == rows[0]["test_accuracy"]
    assert render(rows).count("\n") == 2 + len(grid)


def test_default_grid_starts_with_the_preprocessing_study() -> None:
    grid = candidates()
    assert [c.preprocessing for c in grid[:4]] == [
        PreprocessConfig(False, False),
        PreprocessConfig(False, True),
        PreprocessConfig(True, False),
        PreprocessConfig(True, True),
    ]
    assert all(c.max_features == 5000 for c in grid[:4])
    assert len({describe(c) for c in grid}) == len(grid)
