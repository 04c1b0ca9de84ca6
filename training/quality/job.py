"""The dev-protocol job: fit each lever, score it on every proxy, one MLflow run per lever.

Proxies and tables come from `models.proxies`, recipes from `training.quality.levers`.
Runs go to their own tracking store (default `var/quality/mlflow.db`), never the registry.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import mlflow

from models.base import SentimentModel
from models.devsets import FEEDBACK_DAYS, JUDGE_DAYS, behavioural_suite, load_airline
from models.evaluation import Quality
from models.general_tweets import general_tweets
from models.proxies import Proxies, evaluate, flat_metrics, markdown_table
from models.splits import fingerprint
from training import tracking
from training.jobs import prepare_splits
from training.quality.data import LeverData
from training.quality.levers import DEFAULT_LEVERS, LEVERS

EXPERIMENT = "air-paradis-quality"


@dataclass(frozen=True)
class QualityOptions:
    data: Path
    airline: Path
    tracking_uri: str
    levers: tuple[str, ...] = DEFAULT_LEVERS
    sample_size: int | None = None
    seed: int = 42
    save_dir: Path | None = None  # save each servable lever's model here, one folder each
    teacher_scores: Path | None = None  # a teacher's saved scores, for the distilled levers


@dataclass(frozen=True)
class LeverResult:
    name: str
    results: dict[str, Quality]
    fit_seconds: float
    run_id: str


def load_inputs(options: QualityOptions) -> tuple[LeverData, Proxies]:
    splits = prepare_splits(options.data, options.sample_size, options.seed)
    airline = load_airline(options.airline)
    feedback_rows = [i for i, day in enumerate(airline.days) if day in FEEDBACK_DAYS]
    teacher = None
    if options.teacher_scores is not None:
        from training.teacher_scores import TeacherScores

        teacher = TeacherScores.load(options.teacher_scores)
    data = LeverData(
        splits,
        airline.data.take(feedback_rows),
        [airline.days[i] for i in feedback_rows],
        options.seed,
        teacher,
    )
    proxies = Proxies(splits.test, airline.on(JUDGE_DAYS), behavioural_suite(), general_tweets())
    return data, proxies


def run_levers(options: QualityOptions) -> list[LeverResult]:
    unknown = sorted(set(options.levers) - set(LEVERS))
    if unknown:
        raise ValueError(f"unknown lever(s) {unknown}; known: {', '.join(LEVERS)}")
    data, proxies = load_inputs(options)
    mlflow.set_tracking_uri(options.tracking_uri)
    mlflow.set_experiment(EXPERIMENT)
    return [_run_one(name, data, proxies, options) for name in options.levers]


def _run_one(name: str, data: LeverData, proxies: Proxies, options: QualityOptions) -> LeverResult:
    with mlflow.start_run(run_name=name) as run:
        started = time.perf_counter()
        model, params = LEVERS[name](data)
        seconds = time.perf_counter() - started
        results = evaluate(model, proxies)
        if options.save_dir is not None:
            _save(model, options.save_dir / re.sub(r"[^\w.+-]+", "_", name))
        tracking.log_params(
            params
            | {
                "lever": name,
                "data": str(options.data),
                "sample_size": options.sample_size,
                "seed": options.seed,
                "test_fingerprint": fingerprint(proxies.split_test),
                "feedback_days": ",".join(FEEDBACK_DAYS),
                "judge_days": ",".join(JUDGE_DAYS),
            }
        )
        tracking.log_metrics(flat_metrics(results) | {"fit_seconds": seconds})
    return LeverResult(name, results, seconds, run.info.run_id)


def _save(model: SentimentModel, path: Path) -> None:
    """Save a servable model; experiment-only recipes (no `save`) are skipped."""
    with contextlib.suppress(NotImplementedError):
        model.save(path)


def table(results: Sequence[LeverResult]) -> str:
    rows = {r.name: r.results for r in results}
    return markdown_table(rows, {r.name: r.fit_seconds for r in results})
