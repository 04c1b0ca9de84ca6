"""`airparadis-train retrain` and `airparadis-train gate` (docs/learning_loop.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from models.data import DEFAULT_DATA
from stream.settings import Settings

LabelsOption = Annotated[
    str | None,
    typer.Option(
        "--labels",
        help="Label-store URL or an airline CSV (default: the settings' label store).",
    ),
]
BaseData = Annotated[Path, typer.Option(help="Base corpus (its train split is trained on).")]
BaseSample = Annotated[int | None, typer.Option(help="Stratified sample of the base corpus.")]
Tolerance = Annotated[float, typer.Option(help="Allowed loss per metric on the test split.")]
Resamples = Annotated[int, typer.Option(help="Paired bootstrap resamples on recent labels.")]
ReportDir = Annotated[Path, typer.Option(help="Folder of gate_<name>_v<N>.md/.png.")]


def retrain(
    labels: LabelsOption = None,
    model: Annotated[str, typer.Option("--model", "-m", help="tfidf or lstm.")] = "tfidf",
    base_data: BaseData = DEFAULT_DATA,
    base_sample: BaseSample = None,
    train_until: Annotated[
        str | None, typer.Option(help="ISO time: labels from here on are held back for the gate.")
    ] = None,
    holdout_days: Annotated[float, typer.Option(help="Days of labels the gate judges on.")] = 1.0,
    half_life: Annotated[
        float, typer.Option(help="Days for a label's weight to halve (0: no time-weighting).")
    ] = 2.0,
    base_weight: Annotated[float, typer.Option(help="Weight of one base-corpus tweet.")] = 0.2,
    balance: Annotated[str, typer.Option(help="none, weights or resample.")] = "weights",
    warm_start: Annotated[bool, typer.Option(help="Start from the champion's weights.")] = False,
    calibration: Annotated[str, typer.Option(help="none, platt or isotonic.")] = "platt",
    calibration_days: Annotated[float, typer.Option(help="Days of labels calibrated on.")] = 1.0,
    calibration_refit: Annotated[
        bool, typer.Option(help="Refit on the calibration days too (keeping the calibration).")
    ] = True,
    epochs: Annotated[int | None, typer.Option(help="Max epochs (lstm).")] = None,
    teacher_scores: Annotated[
        Path | None,
        typer.Option(help="A teacher's saved scores of the base corpus (teacher-scores): distil."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of splits, resampling, model.")] = 42,
    gate: Annotated[bool, typer.Option(help="Run the gate on the new version.")] = True,
    tolerance: Tolerance = 0.02,
    resamples: Resamples = 1000,
    report_dir: ReportDir = Path("reports"),
) -> None:
    """Train a challenger on the base corpus + stored labels, register it, run the gate."""
    import pandas as pd

    from training.loop.dataset import Weighting
    from training.loop.gate import GateOptions
    from training.loop.retrain import RetrainOptions
    from training.loop.retrain import retrain as retrain_job

    settings = Settings()
    options = RetrainOptions(
        labels=labels or settings.labels_db_url,
        kind=model,
        base_data=base_data,
        base_sample=base_sample,
        train_until=pd.Timestamp(train_until, tz="UTC") if train_until else None,
        holdout_days=holdout_days,
        weighting=Weighting(half_life or None, base_weight, balance),
        warm_start=warm_start,
        calibration=calibration,
        calibration_days=calibration_days,
        calibration_refit=calibration_refit,
        epochs=epochs,
        teacher_scores=teacher_scores,
        seed=seed,
        run_gate=gate,
        gate=GateOptions(
            tolerance,
            resamples,
            base_data=base_data,
            base_sample=base_sample,
            seed=seed,
            report_dir=report_dir,
        ),
    )
    result = retrain_job(settings, options)
    typer.echo(f"{result.name}: version {result.version} (parent champion v{result.parent})")
    for key, value in result.tags.items():
        typer.echo(f"  {key:32} {value}")
    if result.gate:
        _echo_gate(result.gate)


def gate(
    labels: LabelsOption = None,
    model: Annotated[str, typer.Option("--model", "-m", help="tfidf, lstm or a name.")] = "tfidf",
    version: Annotated[str | None, typer.Option(help="Version (default: challenger).")] = None,
    start: Annotated[str | None, typer.Option(help="Recent window start (ISO).")] = None,
    end: Annotated[str | None, typer.Option(help="Recent window end (ISO).")] = None,
    base_data: BaseData = DEFAULT_DATA,
    base_sample: BaseSample = None,
    tolerance: Tolerance = 0.02,
    resamples: Resamples = 1000,
    report_dir: ReportDir = Path("reports"),
) -> None:
    """Champion vs a challenger on the fixed test split and recent labels; tag the decision."""
    import pandas as pd

    from models import registry
    from training.loop.gate import GateOptions
    from training.loop.gate import gate as gate_job
    from training.loop.labels import load_labels

    settings = Settings()
    name = registry.REGISTERED_NAMES.get(model, model)
    version = version or registry.champion_version(settings, name, registry.CHALLENGER)
    if version is None:
        raise registry.RegistryError(f"{name}: no --version and no challenger")
    window = (pd.Timestamp(start, tz="UTC"), pd.Timestamp(end, tz="UTC")) if start and end else None
    options = GateOptions(
        tolerance, resamples, base_data=base_data, base_sample=base_sample, report_dir=report_dir
    )
    _echo_gate(
        gate_job(
            settings, name, version, load_labels(labels or settings.labels_db_url), window, options
        )
    )


def _echo_gate(result: object) -> None:
    from training.loop.gate import GateResult

    assert isinstance(result, GateResult)
    typer.echo(
        f"gate: v{result.challenger} vs champion v{result.champion}: {result.decision.verdict}"
    )
    for reason in result.decision.reasons:
        typer.echo(f"  - {reason}")
    typer.echo(f"report: {result.report}")


def register(app: typer.Typer) -> None:
    app.command()(retrain)
    app.command()(gate)
