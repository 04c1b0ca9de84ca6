"""End to end on a tiny TF-IDF: a champion, `retrain` on real airline labels, the gate's
tags, alias and report, and `gate` run on its own (isolated MLflow store in tmp)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import Result

from models.base import read_manifest
from training.loop import dataset, labels
from training.loop.gate import APPROVED_ALIAS

SAMPLE = Path(__file__).resolve().parents[2] / "../training/data/sample_tweets.csv.gz"
AIRLINE = Path(labels.__file__).resolve().parents[3] / (
    "shared/data/airline/airline_tweets_2015-02-16_to_21.csv.gz"
)
NAME = "air-paradis-tfidf"


@pytest.mark.timeout(600)
def test_retrain_registers_a_tagged_challenger_and_gates_it(
    cli: Callable[..., Result], data_dir: Path, tmp_path: Path
) -> None:
    from models import registry
    from stream.settings import Settings

    sample = str(SAMPLE.resolve())
    cli("train", "--model", "tfidf", "--data", sample, "--alias", "champion")
    reports = tmp_path / "reports"
    reports.mkdir()
    cli("labels", "import", str(AIRLINE))  # the settings' store: retrain reads it, gate the file
    until = "2015-02-19T08:00:00"  # Pacific midnight: train on 17-18 Feb, judge on 19 Feb
    output = cli(
        "retrain",
        "--base-data",
        sample,
        "--train-until",
        until,
        "--resamples",
        "200",
        "--report-dir",
        str(reports),
    ).output
    assert "version 2 (parent champion v1)" in output

    settings = Settings()
    mlflow_client = registry.client(settings)
    version = mlflow_client.get_model_version(NAME, "2")
    tags = version.tags
    frame = labels.binary(labels.load_labels(settings.labels_db_url))
    windows = dataset.Windows.ending(frame, pd.Timestamp(until, tz="UTC"), 1.0, 1.0)
    _, calibration, holdout = dataset.label_parts(frame, windows, calibrate=True)
    trained, _, _ = dataset.label_parts(frame, windows, calibrate=False)  # refit on both
    assert tags["parent_champion"] == "1"
    assert tags["data.snapshot_hash"] == labels.snapshot_hash(trained)
    assert tags[f"labels.import:{AIRLINE.name}"] == str(len(trained))
    assert tags["data.labels_source"] == settings.labels_db_url
    assert tags["calibration.rows"] == str(len(calibration))
    assert tags["weighting.half_life_days"] == "2.0" and tags["weighting.balance"] == "weights"
    assert tags["gate.recent.n"] == str(len(holdout)) and tags["gate.champion_version"] == "1"

    assert version.run_id is not None
    inputs = mlflow_client.get_run(version.run_id).inputs
    dataset_inputs = inputs.dataset_inputs if inputs else []
    assert [d.dataset.name for d in dataset_inputs] == [f"labels-{tags['data.snapshot_hash'][:12]}"]

    model_dir, _, _ = registry.resolve_dir(settings, f"models:/{NAME}/2")
    assert read_manifest(model_dir)["calibration"]["method"] == "platt"

    approved = tags["gate.decision"] == "approved"
    lows = [float(tags[f"gate.recent.{m}.low"]) for m in ("accuracy", "f1_macro", "roc_auc")]
    assert approved == (all(low > 0 for low in lows) and tags["gate.reasons"] == "-")
    assert (registry.champion_version(settings, NAME, APPROVED_ALIAS) == "2") == approved
    assert registry.champion_version(settings, NAME) == "1"  # the gate only decides
    report = reports / f"gate_{NAME}_v2.md"
    assert f"**Decision: {tags['gate.decision']}**" in report.read_text()
    assert (reports / f"gate_{NAME}_v2.png").stat().st_size > 1000

    again = cli(
        "gate",
        "--labels",
        str(AIRLINE),
        "--base-data",
        sample,
        "--version",
        "2",
        "--resamples",
        "200",
        "--report-dir",
        str(reports),
    ).output
    assert f"gate: v2 vs champion v1: {tags['gate.decision']}" in again
    assert (
        mlflow_client.get_model_version(NAME, "2").tags["gate.recent.roc_auc.challenger"]
        == (tags["gate.recent.roc_auc.challenger"])
    )
