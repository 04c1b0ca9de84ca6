"""`airparadis-train champion`: train the champion recipe, register it, gate it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from models.data import DEFAULT_DATA
from training.loop.cli import BaseSample, LabelsOption, ReportDir, Resamples, Tolerance


def champion(
    data: Annotated[
        Path,
        typer.Option(
            envvar="AIRPARADIS_TRAIN_DATA",
            help="Base corpus: full Sentiment140 CSV, the 100k subset, or text,label CSV.",
        ),
    ] = DEFAULT_DATA,
    sample_size: BaseSample = None,
    labels: LabelsOption = None,
    train_until: Annotated[
        str | None, typer.Option(help="ISO time: labels from here on are held back for the gate.")
    ] = None,
    holdout_days: Annotated[float, typer.Option(help="Days of labels the gate judges on.")] = 1.0,
    name: Annotated[
        str | None,
        typer.Option(help="Registered name (default: the one the stream serves, model_uri)."),
    ] = None,
    gate: Annotated[bool, typer.Option(help="Judge it against the champion.")] = True,
    tolerance: Tolerance = 0.02,
    resamples: Resamples = 1000,
    report_dir: ReportDir = Path("reports"),
    seed: Annotated[int, typer.Option(help="Seed of the sampling, split and model.")] = 42,
    output_dir: Annotated[Path | None, typer.Option(help="Where to keep the saved model.")] = None,
    label_share: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Share of the labels (vs the val split) in the VADER blend's fit (default 0.25).",
        ),
    ] = None,
    teacher_scores: Annotated[
        Path | None,
        typer.Option(help="A teacher's scores (teacher-scores): distil it into the base model."),
    ] = None,
    base: Annotated[str, typer.Option(help="Base model: tfidf or lstm (the BiLSTM).")] = "tfidf",
    lstm_epochs: Annotated[
        int | None, typer.Option(min=1, help="BiLSTM: at most this many epochs.")
    ] = None,
    lexicon_dims: Annotated[
        int | None,
        typer.Option(
            min=0, help="BiLSTM: embedding columns of VADER's valences (default 8; 0: none)."
        ),
    ] = None,
    blend: Annotated[
        bool | None,
        typer.Option(
            "--blend/--no-blend",
            help="The VADER blend on the base (default: on for tfidf, off for lstm).",
            show_default=False,
        ),
    ] = None,
    ensemble: Annotated[
        bool | None,
        typer.Option(
            "--ensemble/--no-ensemble",
            help="Serve the base in a logit mean with the TF-IDF recipe (default: on for lstm).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Train the champion recipe on the base corpus + labels, register it as a challenger
    of the served model's name, and run the gate (docs/model_quality.md)."""
    import pandas as pd

    from stream.serving import registered_name
    from stream.settings import Settings
    from training.champion import ChampionOptions, train_champion
    from training.loop.cli import _echo_gate
    from training.loop.gate import GateOptions

    settings = Settings()
    target = name or registered_name(settings.model_uri)
    if target is None:
        raise ValueError(f"--name is needed: {settings.model_uri} is not a registry URI")
    options = ChampionOptions(
        name=target,
        labels=labels or settings.labels_db_url,
        data=data,
        sample_size=sample_size,
        train_until=pd.Timestamp(train_until, tz="UTC") if train_until else None,
        holdout_days=holdout_days,
        seed=seed,
        run_gate=gate,
        gate=GateOptions(
            tolerance,
            resamples,
            base_data=data,
            base_sample=sample_size,
            seed=seed,
            report_dir=report_dir,
        ),
        output_dir=output_dir,
        teacher_scores=teacher_scores,
        base_kind=base,
        lstm_epochs=lstm_epochs,
        blend=blend,
        ensemble=ensemble,
        **_given(label_share=label_share, lstm_lexicon_dims=lexicon_dims),
    )
    result = train_champion(settings, options)
    for key, value in result.metrics.items():
        typer.echo(f"  {key:32} {value:.4f}")
    typer.echo(f"{result.name}: version {result.version} (challenger), run {result.run_id}")
    typer.echo(f"model dir: {result.model_dir}")
    if result.gate:
        _echo_gate(result.gate)
    elif gate:
        typer.echo(
            f"no champion of {result.name} to judge against: `airparadis-train promote "
            f"{result.name} --version {result.version}` makes it the first"
        )


def register(app: typer.Typer) -> None:
    app.command()(champion)


def _given(**options: Any) -> dict[str, Any]:
    """The options a user set: the others keep `ChampionOptions`' defaults."""
    return {name: value for name, value in options.items() if value is not None}
