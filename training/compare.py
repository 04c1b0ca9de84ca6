"""Comparison report across approaches: one test split, every model measured the same way.

For each registered approach (the version holding `--alias`) and any extra model URI or
directory: quality on the test split, training time (from the model's manifest), size on
disk, single-tweet latency and batch-256 throughput. Writes `comparison.md` and
`comparison.png`, and logs both (and the numbers) to the `air-paradis-comparison` experiment.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import mlflow

from models import registry
from models.evaluation import artifact_size_bytes, quality, speed
from models.kinds import load_model
from models.manifest import read_manifest
from models.plots import comparison_plot
from models.settings import RegistrySettings
from models.splits import Splits, fingerprint
from training.console import step
from training.jobs import SPEED_SAMPLE, prepare_splits

EXPERIMENT = "air-paradis-comparison"
# (column key, Markdown header, format)
COLUMNS = (
    ("accuracy", "Accuracy", "{:.4f}"),
    ("f1_macro", "F1 (macro)", "{:.4f}"),
    ("roc_auc", "ROC-AUC", "{:.4f}"),
    ("log_loss", "Log loss", "{:.4f}"),
    ("training_time_s", "Training time (s)", "{:,.1f}"),
    ("size_mb", "Model size (MB)", "{:,.2f}"),
    ("latency_p50_ms", "1 tweet p50 (ms)", "{:.2f}"),
    ("latency_p95_ms", "1 tweet p95 (ms)", "{:.2f}"),
    ("batch256_ms", "Batch 256 (ms)", "{:,.1f}"),
    ("throughput_per_s", "Throughput (tweets/s)", "{:,.0f}"),
)
PLOTTED = (
    "accuracy",
    "f1_macro",
    "roc_auc",
    "training_time_s",
    "size_mb",
    "latency_p50_ms",
    "batch256_ms",
)


def compare(
    settings: RegistrySettings,
    data: Path,
    output_dir: Path,
    alias: str = registry.CHAMPION,
    extra_uris: Sequence[str] = (),
    seed: int = 42,
    sample_size: int | None = None,
    latency_calls: int = 200,
) -> Path:
    """Measure every approach on the same test split; write and log the report."""
    splits = prepare_splits(data, sample_size, seed)
    uris, notes = _candidates(settings, alias, extra_uris)
    if not uris:
        raise registry.RegistryError(f"nothing to compare: {'; '.join(notes)}")
    rows = [_measure(settings, uri, splits, latency_calls) for uri in uris]
    notes += [f"`{row['uri']}`: {row['warning']}" for row in rows if row.get("warning")]
    output_dir.mkdir(parents=True, exist_ok=True)
    report = output_dir / "comparison.md"
    chart = comparison_plot(rows, PLOTTED, output_dir / "comparison.png")
    report.write_text(render(rows, notes, data, splits))
    registry.use_experiment(settings, EXPERIMENT)
    with mlflow.start_run(run_name="compare"):
        mlflow.log_params(
            {"data": str(data), "seed": seed, "alias": alias, "test_n": len(splits.test)}
        )
        for row in rows:
            mlflow.log_metrics(
                {f"{row['approach']}.{key}": row[key] for key, _, _ in COLUMNS if key in row}
            )
        mlflow.log_artifact(str(report))
        mlflow.log_artifact(str(chart))
    return report


def _candidates(
    settings: RegistrySettings, alias: str, extra: Sequence[str]
) -> tuple[list[str], list[str]]:
    uris, notes = [], []
    for name in registry.REGISTERED_NAMES.values():
        if registry.champion_version(settings, name, alias) is None:
            notes.append(f"{name}: no version holds alias `{alias}` (not compared)")
        else:
            uris.append(f"models:/{name}@{alias}")
    return uris + list(extra), notes


def _measure(
    settings: RegistrySettings, uri: str, splits: Splits, latency_calls: int
) -> dict[str, Any]:
    with step(f"Measuring {uri}"):
        path, _, version = registry.resolve_dir(settings, uri)
        model = load_model(path)
        metadata = read_manifest(path).get("metadata") or {}
        speed_ = speed(model, splits.test.texts[:SPEED_SAMPLE], calls=latency_calls)
        row: dict[str, Any] = {
            "approach": model.kind,
            "label": f"{model.kind} v{version}"
            if version != "local"
            else f"{model.kind} {path.name}",
            "uri": uri,
            "version": version,
            **quality(splits.test.labels, model.predict_proba(splits.test.texts)).scalars(),
            "training_time_s": metadata.get("training_time_s"),
            "size_mb": artifact_size_bytes(path) / 1e6,
            "latency_p50_ms": speed_.latency_p50_ms,
            "latency_p95_ms": speed_.latency_p95_ms,
            "batch256_ms": 1000 * 256 / speed_.throughput_per_s,
            "throughput_per_s": speed_.throughput_per_s,
        }
    trained_on = metadata.get("test_fingerprint")
    if trained_on and trained_on != fingerprint(splits.test):
        row["warning"] = (
            "trained with another split: its test scores here may include training tweets"
        )
    return row


def render(rows: Sequence[dict[str, Any]], notes: Sequence[str], data: Path, splits: Splits) -> str:
    """The Markdown report: one row per model, the columns of `COLUMNS`."""
    header = ["Approach", "Model", *(title for _, title, _ in COLUMNS)]
    lines = [
        "# Model comparison",
        "",
        f"Test split: {len(splits.test):,} tweets ({splits.test.class_counts()}) of `{data.name}`, "
        f"fingerprint `{fingerprint(splits.test)}`. Speed: single-tweet `predict_proba` calls "
        "and batches of 256, measured in one process on this machine.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for row in rows:
        cells = [row["approach"], f"`{row['uri']}` (v{row['version']})"]
        cells += [_cell(row.get(key), fmt) for key, _, fmt in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "![comparison](comparison.png)", ""]
    lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def _cell(value: Any, fmt: str) -> str:
    return "n/a" if value is None else fmt.format(value)
