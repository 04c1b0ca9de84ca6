"""Training and evaluation jobs: load data, fit, evaluate, save, log to MLflow, register.

Orchestration only; every piece of logic they call lives in `models/`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mlflow

from models import registry
from models.data import LabelledTexts, load_dataset
from models.evaluation import artifact_size_bytes, quality, speed, summary
from models.manifest import read_manifest, save_reference_scores, write_manifest
from models.preprocessing import PreprocessConfig
from models.pyfunc import log_model_dir
from models.settings import RegistrySettings
from models.splits import Splits, fingerprint, split_dataset, stratified_sample
from training import tracking
from training.console import step
from training.factory import TrainableModel, build_model

SPEED_SAMPLE = 2048  # test tweets used for latency and throughput


@dataclass(frozen=True)
class TrainOptions:
    kind: str
    data: Path
    sample_size: int | None = None
    epochs: int | None = None
    seed: int = 42
    preprocess: PreprocessConfig = field(default_factory=PreprocessConfig)
    overrides: tuple[str, ...] = ()
    register: bool = True
    alias: str | None = registry.CHALLENGER
    output_dir: Path | None = None
    latency_calls: int = 200


@dataclass(frozen=True)
class TrainResult:
    run_id: str
    model_dir: Path
    metrics: dict[str, float]
    version: str | None


def prepare_splits(data: Path, sample_size: int | None, seed: int) -> Splits:
    """Load (any format), optionally subsample (stratified), split 70/10/20 without leaks."""
    with step(f"Loading {data.name}"):
        dataset = load_dataset(data)
        if sample_size:
            dataset = stratified_sample(dataset, sample_size, seed)
    with step(f"Splitting {len(dataset):,} tweets"):
        return split_dataset(dataset, seed=seed)


def split_params(options: TrainOptions, splits: Splits) -> dict[str, Any]:
    return {
        "data": str(options.data),
        "sample_size": options.sample_size,
        "seed": options.seed,
        "split": splits.sizes(),
        "duplicates_removed": splits.duplicates_removed,
        "conflicting_labels_removed": splits.conflicts_removed,
        "test_fingerprint": fingerprint(splits.test),
    }


def train(settings: RegistrySettings, options: TrainOptions) -> TrainResult:
    """Fit one model, evaluate it on the test split, log everything, register it."""
    splits = prepare_splits(options.data, options.sample_size, options.seed)
    model = build_model(
        options.kind, options.preprocess, options.seed, options.epochs, options.overrides
    )
    registry.use_experiment(settings)
    with mlflow.start_run(run_name=f"train-{options.kind}") as run:
        tracking.log_params(
            {"kind": options.kind, "preprocess": options.preprocess.to_dict()}
            | split_params(options, splits)
            | {"config": model.config.to_dict()}
        )
        with step(f"Training {options.kind} on {len(splits.train):,} tweets"):
            started = time.perf_counter()
            history = model.fit(
                splits.train.texts, splits.train.labels, splits.val.texts, splits.val.labels
            )
            training_time = time.perf_counter() - started
        model_dir = (
            options.output_dir or settings.data_dir / "models" / f"{options.kind}-{run.info.run_id}"
        )
        metrics = _evaluate_and_save(
            model, splits, model_dir, options.latency_calls, (training_time, history)
        )
        tracking.log_metrics(metrics)
        tracking.log_history(history)
        with step("Logging the model to MLflow"):
            native = getattr(model, "pipeline", None) if options.kind == "tfidf" else None
            model_uri = log_model_dir(model_dir, options.kind, native=native)
    version = None
    if options.register:
        version = registry.register(settings, model_uri, options.kind, options.alias)
    return TrainResult(run.info.run_id, model_dir, metrics, version)


def _evaluate_and_save(
    model: TrainableModel,
    splits: Splits,
    model_dir: Path,
    latency_calls: int,
    training: tuple[float, dict[str, list[float]]],
) -> dict[str, float]:
    """Quality, speed and size; saves the model with its drift reference and metadata;
    logs the plots. `training` is (training time in seconds, per-epoch history)."""
    training_time, history = training
    with step("Scoring validation and test splits"):
        val_scores = model.predict_proba(splits.val.texts)
        test_scores = model.predict_proba(splits.test.texts)
        test_quality = quality(splits.test.labels, test_scores)
        oov = model.oov_rate(splits.test.texts)
    with step("Measuring latency and throughput"):
        speed_ = speed(model, splits.test.texts[:SPEED_SAMPLE], calls=latency_calls)
    model.save(model_dir)
    save_reference_scores(model_dir, val_scores)
    reference_oov = model.oov_rate(splits.val.texts)  # the stream's OOV drift reference
    metadata = {
        "training_time_s": round(training_time, 2),
        "test": summary(test_quality),
        "test_fingerprint": fingerprint(splits.test),
        "reference_oov_rate": reference_oov,
    }
    annotate_manifest(model_dir, metadata)
    tracking.log_evaluation_plots(splits.test.labels, test_scores, history)
    return (
        tracking.prefixed("test", test_quality.scalars())
        | tracking.prefixed("val", quality(splits.val.labels, val_scores).scalars())
        | speed_.scalars()
        | {"model_size_bytes": artifact_size_bytes(model_dir), "test_oov_rate": oov}
        | {"training_time_s": training_time}
    )


def annotate_manifest(model_dir: Path, metadata: dict[str, Any]) -> None:
    """Merge `metadata` into the saved model's manifest (training time, test metrics)."""
    manifest = read_manifest(model_dir)
    manifest["metadata"] = dict(manifest.get("metadata") or {}) | metadata
    write_manifest(model_dir, manifest)


def evaluate(
    settings: RegistrySettings,
    uri: str,
    data: Path,
    split: str = "all",
    seed: int = 42,
    sample_size: int | None = None,
) -> dict[str, Any]:
    """Quality of a registered or local model on a data file (all rows, or one split)."""
    with step(f"Loading model {uri}"):
        model, name, version = registry.load_native(settings, uri)
    dataset = _evaluation_rows(data, split, seed, sample_size)
    with step(f"Scoring {len(dataset):,} tweets"):
        scores = model.predict_proba(dataset.texts)
    return summary(
        quality(dataset.labels, scores), model=name, version=version, data=str(data), split=split
    )


def _evaluation_rows(data: Path, split: str, seed: int, sample_size: int | None) -> LabelledTexts:
    if split == "all":
        with step(f"Loading {data.name}"):
            return load_dataset(data)
    splits = prepare_splits(data, sample_size, seed)
    rows: LabelledTexts = getattr(splits, split)
    return rows
