"""`airparadis-train retrain`: base corpus + stored labels -> weighted training set ->
challenger (scratch or warm start, optionally calibrated, optionally distilled from a
teacher's saved scores of the base corpus) -> MLflow run and registry version tagged with
its parent, data snapshot, weighting, teacher and label counts -> the gate."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mlflow
import mlflow.data.pandas_dataset
import pandas as pd

from models import registry
from models.base import SentimentModel
from models.calibration import CalibratedModel, uncalibrated
from models.data import DEFAULT_DATA
from models.pyfunc import log_model_dir
from models.settings import RegistrySettings
from models.splits import Splits
from training import tracking
from training.console import step
from training.jobs import _evaluate_and_save, prepare_splits
from training.loop import challenger as fitting
from training.loop import dataset
from training.loop import labels as label_rows
from training.loop.distillation import distilled_targets
from training.loop.gate import GateOptions, GateResult, gate
from training.teacher_scores import TeacherScores


@dataclass(frozen=True)
class RetrainOptions:
    labels: str  # label-store URL or airline CSV
    kind: str = "tfidf"
    base_data: Path = DEFAULT_DATA
    base_sample: int | None = None
    train_until: pd.Timestamp | None = None  # default: holdout_days before the newest label
    holdout_days: float = 1.0
    weighting: dataset.Weighting = field(default_factory=dataset.Weighting)
    warm_start: bool = False
    calibration: str = "platt"
    calibration_days: float = 1.0
    calibration_refit: bool = True  # refit on the calibration labels too
    epochs: int | None = None
    teacher_scores: Path | None = None  # distil: base tweets' targets mix in these scores
    seed: int = 42
    run_gate: bool = True
    gate: GateOptions = field(default_factory=GateOptions)
    output_dir: Path | None = None


@dataclass(frozen=True)
class Built:
    """A fitted challenger and the label rows each stage used."""

    model: Any
    windows: dataset.Windows
    train_labels: pd.DataFrame
    calibration_labels: pd.DataFrame
    holdout: pd.DataFrame
    rows: int
    training_time_s: float


@dataclass(frozen=True)
class RetrainResult:
    name: str
    version: str
    parent: str
    run_id: str
    tags: dict[str, str]
    gate: GateResult | None


def build_challenger(
    champion: Any, labels: pd.DataFrame, base: Splits, options: RetrainOptions
) -> Built:
    """Everything but MLflow: windows, weighted set, fit, calibration.

    The calibration is fitted on the scores of a model that did not see its labels (the
    last `calibration_days` before `train_until`), and so is a blend's weights, on those
    labels and the validation split; with `calibration_refit` the final model is then
    refitted on every label before `train_until` and keeps that calibration and weights.
    """
    trained = label_rows.binary(labels)
    windows = dataset.Windows.ending(
        trained, options.train_until, options.holdout_days, options.calibration_days
    )
    calibrating = options.calibration != "none"
    train_rows, calibration_rows, holdout = dataset.label_parts(trained, windows, calibrating)
    started = time.perf_counter()
    teacher = TeacherScores.load(options.teacher_scores) if options.teacher_scores else None
    end = windows.calibrate_from if calibrating else windows.train_until
    model, rows = _fit(champion, base, train_rows, end, options, teacher)
    blend = fitting.blend_on_labels(model, base.val, calibration_rows)
    model = fitting.calibrate(blend, calibration_rows, options.calibration)
    if calibrating and options.calibration_refit:
        train_rows = pd.concat([train_rows, calibration_rows], ignore_index=True)
        final, rows = _fit(champion, base, train_rows, windows.train_until, options, teacher)
        model = CalibratedModel(fitting.with_blend_weights(final, blend), model.calibration)
    elapsed = time.perf_counter() - started
    return Built(model, windows, train_rows, calibration_rows, holdout, rows, elapsed)


def _fit(
    champion: Any,
    base: Splits,
    rows: pd.DataFrame,
    end: pd.Timestamp,
    options: RetrainOptions,
    teacher: SentimentModel | None = None,
) -> tuple[Any, int]:
    """A challenger fitted on the base corpus + `rows`, weighted by age before `end`; with
    a teacher, base tweets' targets mix their label with its score (people's stay hard)."""
    data = dataset.build(base.train, rows, end, options.weighting, options.seed)
    targets = distilled_targets(data, teacher) if teacher is not None else None
    kind = "warm start" if options.warm_start else "scratch"
    kind += ", distilled" if teacher is not None else ""
    with step(f"Fitting a challenger ({kind}) on {len(data):,} rows, {len(rows):,} labels"):
        model = fitting.fit(champion, data, base.val, options.warm_start, options.epochs, targets)
    return model, len(data)


def retrain(settings: RegistrySettings, options: RetrainOptions) -> RetrainResult:
    name = registry.REGISTERED_NAMES[options.kind]
    champion, _, parent = registry.load_native(settings, f"models:/{name}@champion")
    labels = label_rows.load_labels(options.labels)
    base = prepare_splits(options.base_data, options.base_sample, options.seed)
    built = build_challenger(champion, labels, base, options)
    registry.use_experiment(settings)
    with mlflow.start_run(run_name=f"retrain-{options.kind}") as run:
        tags = version_tags(options, built, parent)
        tracking.log_params(tags)
        _log_snapshot(built.train_labels, tags["data.snapshot_hash"], options.labels)
        model_dir = (
            options.output_dir or settings.data_dir / "models" / f"retrain-{run.info.run_id}"
        )
        training: tuple[float, dict[str, list[float]]] = (built.training_time_s, {})
        metrics = _evaluate_and_save(built.model, base, model_dir, 50, training)
        tracking.log_metrics(metrics)
        raw = uncalibrated(built.model)  # the sklearn flavour cannot carry a calibration
        native = raw.pipeline if raw is built.model and raw.kind == "tfidf" else None
        model_uri = log_model_dir(model_dir, raw.kind, native=native)  # a blend's pins
    version = registry.register(settings, model_uri, options.kind, registry.CHALLENGER)
    mlflow_client = registry.client(settings)
    for key, value in tags.items():
        mlflow_client.set_model_version_tag(name, version, key, value)
    result = None
    if options.run_gate:
        result = gate(settings, name, version, labels, None, options.gate)
    return RetrainResult(name, version, parent, run.info.run_id, tags, result)


def version_tags(options: RetrainOptions, built: Built, parent: str) -> dict[str, str]:
    """Parent champion, data snapshot, weighting, calibration and labels per source."""
    calibration = getattr(built.model, "calibration", None)
    counts = label_rows.counts_by_source(built.train_labels)
    return (
        {
            "parent_champion": parent,
            "data.snapshot_hash": label_rows.snapshot_hash(built.train_labels),
            "data.labels_source": options.labels,
            "data.label_rows": str(len(built.train_labels)),
            "data.training_rows": str(built.rows),
            "data.base_sample": str(options.base_sample),
            "warm_start": str(options.warm_start),
            "calibration.method": options.calibration,
            "calibration.params": str(calibration.params if calibration else {})[:480],
            "calibration.rows": str(len(built.calibration_labels)),
            "calibration.refit": str(options.calibration_refit),
            "distilled_from": str(options.teacher_scores or "none"),  # as `champion` tags it
        }
        | built.windows.tags()
        | options.weighting.tags()
        | {f"labels.{source}": str(n) for source, n in counts.items()}
    )


def _log_snapshot(frame: pd.DataFrame, digest: str, source: str) -> None:
    """The training labels as an MLflow dataset input, named by their hash (a store URL
    is in the `data.labels_source` tag: MLflow resolves only file and web sources)."""
    table = frame[["tweet_id", "text", "label", "source", "tweet_time"]].copy()
    table["tweet_time"] = table["tweet_time"].astype(str)
    origin = {"source": source} if Path(source).is_file() else {}
    dataset_ = mlflow.data.pandas_dataset.from_pandas(table, name=f"labels-{digest[:12]}", **origin)
    mlflow.log_input(dataset_, context="training")
