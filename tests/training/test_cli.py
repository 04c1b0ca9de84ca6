"""Smoke training through the CLI into a temporary MLflow store, then evaluate, compare,
promote and roll back, all on the in-repo sample."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from typer.testing import Result

from models import registry
from models.data import load_dataset
from models.kinds import load_model
from models.manifest import load_reference_scores, read_manifest
from stream.settings import Settings
from tests.training.conftest import SAMPLE

TFIDF = registry.REGISTERED_NAMES["tfidf"]
Cli = Callable[..., Result]


@pytest.fixture(scope="module")
def trained(cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny TF-IDF trained, logged and registered as champion (version 1)."""
    model_dir = tmp_path_factory.mktemp("out") / "tfidf"
    result = cli(
        "train", "--model", "tfidf", "--data", str(SAMPLE), "--sample-size", "1500",
        "--alias", "champion", "--output-dir", str(model_dir),
    )  # fmt: skip
    assert "registered version 1 (champion)" in result.output
    return model_dir


@pytest.fixture(scope="module")
def generic_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 sample tweets as a generic `text,label` CSV with word labels."""
    rows = load_dataset(SAMPLE).take(np.arange(0, 4000, 13))
    path = tmp_path_factory.mktemp("generic") / "labelled.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["text", "label"])
        for text, label in zip(rows.texts, rows.labels, strict=True):
            writer.writerow([text, "positive" if label else "negative"])
    return path


def test_train_saves_a_complete_model_dir(trained: Path) -> None:
    manifest = read_manifest(trained)
    assert manifest["kind"] == "tfidf"
    assert manifest["metadata"]["training_time_s"] > 0
    assert 0.5 < manifest["metadata"]["test"]["accuracy"] <= 1
    reference = load_reference_scores(trained)
    assert reference is not None and len(reference) > 100


def test_run_logged_params_metrics_and_plots(trained: Path, data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    run_id = registry.list_versions(settings, TFIDF)[-1].run_id
    assert run_id is not None
    client = registry.client(settings)
    run = client.get_run(run_id)
    for metric in ("test_accuracy", "test_f1_macro", "test_roc_auc", "test_log_loss",
                   "training_time_s", "model_size_bytes", "latency_p50_ms", "latency_p95_ms",
                   "throughput_batch256_per_s"):  # fmt: skip
        assert metric in run.data.metrics, metric
    assert run.data.params["kind"] == "tfidf" and run.data.params["sample_size"] == "1500"
    plots = {f.path for f in client.list_artifacts(run_id, "plots")}
    assert {"plots/roc_test.png", "plots/confusion_test.png", "plots/calibration_test.png"} <= plots


def test_alias_load_gives_identical_predictions(trained: Path, data_dir: Path) -> None:
    texts = load_dataset(SAMPLE).texts[:50]
    local = load_model(trained)
    served, name, version = registry.load_native(
        Settings(data_dir=data_dir), f"models:/{TFIDF}@champion"
    )
    assert (name, version) == (TFIDF, "1")
    np.testing.assert_array_equal(served.predict_proba(texts), local.predict_proba(texts))


def test_evaluate_generic_csv_writes_json(
    cli: Cli, trained: Path, generic_csv: Path, tmp_path: Path
) -> None:
    output = tmp_path / "metrics.json"
    cli(
        "evaluate", f"models:/{TFIDF}@champion", "--data", str(generic_csv), "--output", str(output)
    )
    metrics = json.loads(output.read_text())
    rows = load_dataset(generic_csv)
    scores = load_model(trained).predict_proba(rows.texts)
    assert metrics["n"] == len(rows) == 308
    assert metrics["accuracy"] == pytest.approx(float(((scores >= 0.5) == rows.labels).mean()))
    for key in ("f1_macro", "roc_auc", "log_loss"):
        assert 0 < metrics[key] < 1.5


def test_evaluate_a_local_dir_on_the_test_split(cli: Cli, trained: Path) -> None:
    result = cli("evaluate", str(trained), "--data", str(SAMPLE), "--split", "test",
                 "--sample-size", "1500")  # fmt: skip
    assert "accuracy" in result.output and "split" in result.output


def test_bad_data_fails_with_the_row(cli: Cli, trained: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\ngood,1\nbad,maybe\n")
    result = cli("evaluate", str(trained), "--data", str(bad), expect=1)
    assert "line 3: unknown label 'maybe'" in str(result.exception)


def test_promote_versions_rollback(cli: Cli, trained: Path, data_dir: Path) -> None:
    second = cli("train", "--data", str(SAMPLE), "--sample-size", "800", "--seed", "3",
                 "--epochs", "2")  # fmt: skip
    assert "registered version 2 (challenger)" in second.output
    assert "--epochs is ignored for tfidf" in second.output
    assert "champion is version 2 (was 1)" in cli("promote", "tfidf").output
    listing = cli("versions", "tfidf").output
    assert "v2 champion" in listing and "v1 -" in listing and "test_accuracy" in listing
    assert "champion is back to version 1" in cli("rollback", "tfidf").output
    assert registry.champion_version(Settings(data_dir=data_dir), TFIDF) == "1"


def test_compare_writes_markdown_and_png(cli: Cli, trained: Path, tmp_path: Path) -> None:
    cli("compare", "--data", str(SAMPLE), "--sample-size", "1500", "--output-dir", str(tmp_path),
        "--model", str(trained))  # fmt: skip
    report = (tmp_path / "comparison.md").read_text()
    assert report.count("| tfidf |") == 2  # the champion and the extra directory
    assert "air-paradis-lstm: no version holds alias `champion`" in report
    assert (tmp_path / "comparison.png").read_bytes()[:4] == b"\x89PNG"


def test_console_entry_prints_one_line_on_bad_input(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from training.cli import main

    monkeypatch.setattr("sys.argv", ["airparadis-train", "evaluate", str(tmp_path / "none")])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.startswith(f"error: '{tmp_path / 'none'}' is neither")


def test_versions_of_an_unregistered_approach(cli: Cli) -> None:
    assert "air-paradis-transformer:\n  (no versions)" in cli("versions", "transformer").output
