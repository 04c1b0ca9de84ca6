"""TF-IDF search: preprocessing options and features (word/char n-grams, size, C) on validation.

Each candidate is fitted on the training split and scored on the validation split (one
nested MLflow run each); only the best one is then scored on the test split. Tweets are
tokenized once per preprocessing option, not once per candidate.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import mlflow
from tqdm import tqdm

from models import registry
from models.evaluation import quality
from models.preprocessing import PreprocessConfig
from models.settings import RegistrySettings
from models.splits import Splits
from models.tfidf import TfidfConfig, build_pipeline, tokens_as_text
from training import tracking
from training.console import step
from training.jobs import prepare_splits

BASELINE = TfidfConfig()


def candidates() -> list[TfidfConfig]:
    """The baseline under each preprocessing option, then feature variants of it."""
    options = [PreprocessConfig(lemma, stop) for lemma in (False, True) for stop in (False, True)]
    grid = [replace(BASELINE, preprocessing=option) for option in options]
    grid += [
        replace(BASELINE, word_ngrams=(1, 1)),
        replace(BASELINE, max_features=20_000),
        replace(BASELINE, max_features=100_000),
        replace(BASELINE, max_features=100_000, word_ngrams=(1, 3)),
        replace(BASELINE, max_features=100_000, C=0.5),
        replace(BASELINE, max_features=100_000, C=2.0),
        replace(BASELINE, max_features=100_000, char_ngrams=(2, 5), char_max_features=100_000),
        replace(BASELINE, max_features=100_000, char_ngrams=(1, 4), char_max_features=50_000),
    ]
    return grid


def search_tfidf(
    settings: RegistrySettings,
    data: Path,
    seed: int = 42,
    sample_size: int | None = None,
    grid: list[TfidfConfig] | None = None,
) -> list[dict[str, Any]]:
    """Fit every candidate; returns rows (best validation accuracy first), best with test."""
    splits = prepare_splits(data, sample_size, seed)
    grid = grid or candidates()
    tokens = _tokenize(splits, {config.preprocessing for config in grid})
    registry.use_experiment(settings)
    with mlflow.start_run(run_name="search-tfidf"):
        mlflow.log_params({"data": str(data), "seed": seed, "candidates": len(grid)})
        rows: list[dict[str, Any]] = []
        best_pipeline: Any = None
        for config in tqdm(grid, desc="candidates"):
            row, pipeline = _fit_one(config, tokens, splits, seed)
            rows.append(row)
            if row["val_accuracy"] >= max(r["val_accuracy"] for r in rows):
                best_pipeline = pipeline  # only the best so far stays in memory
        rows.sort(key=lambda row: row["val_accuracy"], reverse=True)
        best = rows[0]
        test_tokens = tokens[best["config"].preprocessing][2]
        test_scores = best_pipeline.predict_proba(test_tokens)[:, 1]
        best |= tracking.prefixed("test", quality(splits.test.labels, test_scores).scalars())
        tracking.log_params({"best": best["config"].to_dict()})
        tracking.log_metrics({k: v for k, v in best.items() if k.startswith(("val_", "test_"))})
    return rows


def _tokenize(
    splits: Splits, options: set[PreprocessConfig]
) -> dict[PreprocessConfig, tuple[list[str], ...]]:
    cache = {}
    for option in sorted(options, key=str):
        with step(f"Tokenizing with {option}"):
            cache[option] = tuple(
                tokens_as_text(part.texts, option)
                for part in (splits.train, splits.val, splits.test)
            )
    return cache


def _fit_one(
    config: TfidfConfig,
    tokens: dict[PreprocessConfig, tuple[list[str], ...]],
    splits: Splits,
    seed: int,
) -> tuple[dict[str, Any], Any]:
    """Fit the features + classifier steps on pre-tokenized text; score validation."""
    train, val, _ = tokens[config.preprocessing]
    pipeline = build_pipeline(config, seed)[1:]  # without the tokenizer step
    with mlflow.start_run(run_name=describe(config), nested=True):
        tracking.log_params(config.to_dict())
        started = time.perf_counter()
        pipeline.fit(train, splits.train.labels)
        fit_time = time.perf_counter() - started
        val_quality = quality(splits.val.labels, pipeline.predict_proba(val)[:, 1])
        metrics = tracking.prefixed("val", val_quality.scalars()) | {"fit_time_s": fit_time}
        tracking.log_metrics(metrics)
    return {"config": config, "name": describe(config)} | metrics, pipeline


def describe(config: TfidfConfig) -> str:
    """A short label: `word1-2:5000 C=1 [lemma] [stop] char2-5:20000`."""
    low, high = config.word_ngrams
    parts = [f"word{low}-{high}:{config.max_features}", f"C={config.C:g}"]
    if config.char_ngrams:
        parts.append(
            f"char{config.char_ngrams[0]}-{config.char_ngrams[1]}:{config.char_max_features}"
        )
    if config.preprocessing.lemmatize:
        parts.append("lemma")
    if config.preprocessing.remove_stopwords:
        parts.append("no-stopwords")
    return " ".join(parts)


def render(rows: list[dict[str, Any]]) -> str:
    """Markdown table of the search, best first; test metrics for the best only."""
    lines = [
        "| Candidate | Val accuracy | Val F1 | Val ROC-AUC | Fit (s) | Test accuracy |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        test = f"{row['test_accuracy']:.4f}" if "test_accuracy" in row else ""
        lines.append(
            f"| {row['name']} | {row['val_accuracy']:.4f} | {row['val_f1_macro']:.4f} "
            f"| {row['val_roc_auc']:.4f} | {row['fit_time_s']:.1f} | {test} |"
        )
    return "\n".join(lines) + "\n"
