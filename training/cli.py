"""`airparadis-train`: train, evaluate, compare, promote, roll back and list models.

RegistrySettings (MLflow store, data dir) come from the environment (`models.settings`).
Heavy libraries are imported inside the commands, so `--help` is instant.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from models.data import DEFAULT_DATA
from models.devsets import AIRLINE_DATA
from models.settings import RegistrySettings
from stream.labels import cli as labels_cli
from stream.quiet import quiet_noise
from stream.rollout import cli as rollout_cli
from training import champion_cli, data_cli
from training.loop import cli as loop_cli

app = typer.Typer(help=__doc__, no_args_is_help=True, pretty_exceptions_show_locals=False)


class Kind(StrEnum):
    tfidf = "tfidf"
    lstm = "lstm"
    transformer = "transformer"


class Alias(StrEnum):
    challenger = "challenger"
    champion = "champion"
    none = "none"


class Split(StrEnum):
    all = "all"
    train = "train"
    val = "val"
    test = "test"


DataOption = Annotated[
    Path,
    typer.Option(
        "--data",
        envvar="AIRPARADIS_TRAIN_DATA",
        help="Labelled file: full Sentiment140 CSV, the 100k subset, or a text,label CSV (.gz ok).",
    ),
]
SeedOption = Annotated[int, typer.Option(help="Seed of the sampling, the split and the model.")]
SampleOption = Annotated[
    int | None, typer.Option(help="Use a stratified sample of this many tweets (before splitting).")
]


@app.callback()
def main_options(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show TensorFlow/MLflow start-up logs too.")
    ] = False,
) -> None:
    """Train, evaluate, compare, promote, roll back and list models."""
    quiet_noise(verbose)


@app.command()
def train(
    model: Annotated[Kind, typer.Option("--model", "-m", help="Approach to train.")] = Kind.tfidf,
    data: DataOption = DEFAULT_DATA,
    sample_size: SampleOption = None,
    epochs: Annotated[int | None, typer.Option(help="Max epochs (lstm, transformer).")] = None,
    seed: SeedOption = 42,
    lemmatize: Annotated[bool, typer.Option(help="WordNet lemmas (tfidf, lstm).")] = False,
    remove_stopwords: Annotated[bool, typer.Option(help="Drop stopwords, negations kept.")] = False,
    param: Annotated[
        list[str] | None, typer.Option(help="Config field override name=value (repeatable).")
    ] = None,
    register: Annotated[bool, typer.Option(help="Register the model in MLflow.")] = True,
    alias: Annotated[Alias, typer.Option(help="Alias of the new version.")] = Alias.challenger,
    output_dir: Annotated[
        Path | None, typer.Option(help="Where to keep the saved model (default var/models/...).")
    ] = None,
) -> None:
    """Train one approach on the 70% split, evaluate on the 20% test split, log and register."""
    from models.preprocessing import PreprocessConfig
    from training.jobs import TrainOptions
    from training.jobs import train as train_job

    if epochs and model is Kind.tfidf:
        typer.echo("note: --epochs is ignored for tfidf (it trains in one pass)", err=True)
    options = TrainOptions(
        kind=model.value,
        data=data,
        sample_size=sample_size,
        epochs=epochs,
        seed=seed,
        preprocess=PreprocessConfig(lemmatize=lemmatize, remove_stopwords=remove_stopwords),
        overrides=tuple(param or ()),
        register=register,
        alias=None if alias is Alias.none else alias.value,
        output_dir=output_dir,
    )
    result = train_job(RegistrySettings(), options)
    _print_metrics(result.metrics)
    typer.echo(f"model dir: {result.model_dir}\nMLflow run: {result.run_id}")
    if result.version:
        typer.echo(f"registered version {result.version} ({options.alias or 'no alias'})")


@app.command()
def evaluate(
    uri: Annotated[str, typer.Argument(help="models:/name@alias, models:/name/N or a model dir.")],
    data: DataOption = DEFAULT_DATA,
    split: Annotated[Split, typer.Option(help="Rows to score: all, or one split.")] = Split.all,
    seed: SeedOption = 42,
    sample_size: SampleOption = None,
    output: Annotated[Path | None, typer.Option(help="Write the metrics as JSON here.")] = None,
) -> None:
    """Score a model on a labelled file; print accuracy, F1, ROC-AUC, log loss, confusion."""
    from training.jobs import evaluate as evaluate_job

    result = evaluate_job(RegistrySettings(), uri, data, split.value, seed, sample_size)
    _print_metrics(result)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2))
        typer.echo(f"written: {output}")


@app.command()
def compare(
    data: DataOption = DEFAULT_DATA,
    output_dir: Annotated[Path, typer.Option(help="Report folder.")] = Path("reports"),
    alias: Annotated[str, typer.Option(help="Alias compared per approach.")] = "champion",
    model: Annotated[
        list[str] | None, typer.Option("--model", help="Extra model URI or dir (repeatable).")
    ] = None,
    seed: SeedOption = 42,
    sample_size: SampleOption = None,
) -> None:
    """Markdown + PNG comparison of the approaches on one test split (logged to MLflow)."""
    from training.compare import compare as compare_job

    report = compare_job(
        RegistrySettings(), data, output_dir, alias, model or (), seed, sample_size
    )
    typer.echo(report.read_text())
    typer.echo(f"written: {report}")


@app.command()
def quality(
    lever: Annotated[
        list[str] | None, typer.Option(help="Lever to run (repeatable; default all).")
    ] = None,
    data: DataOption = DEFAULT_DATA,
    airline: Annotated[Path, typer.Option(help="Airline history CSV (.gz).")] = AIRLINE_DATA,
    store: Annotated[
        Path, typer.Option(help="Own MLflow store of these runs (never the registry's).")
    ] = Path("var/quality"),
    seed: SeedOption = 42,
    sample_size: SampleOption = None,
    save_dir: Annotated[
        Path | None, typer.Option(help="Save each servable lever's model in a folder here.")
    ] = None,
    teacher_scores: Annotated[
        Path | None, typer.Option(help="A teacher's scores (teacher-scores), for distilled levers.")
    ] = None,
) -> None:
    """Dev protocol: each lever on the split, airline judge days and behavioural suite."""
    from training.quality.job import QualityOptions, run_levers, table

    store.mkdir(parents=True, exist_ok=True)
    uri = f"sqlite:///{store.resolve()}/mlflow.db"
    options = QualityOptions(
        data,
        airline,
        uri,
        seed=seed,
        sample_size=sample_size,
        save_dir=save_dir,
        teacher_scores=teacher_scores,
    )
    if lever:
        options = replace(options, levers=tuple(lever))
    typer.echo(table(run_levers(options)))


@app.command("teacher-scores")
def teacher_scores(
    teacher: Annotated[
        Path, typer.Option(help="A saved model directory (e.g. a fine-tuned MiniLM).")
    ],
    out: Annotated[Path, typer.Option(help="Where to write the scores (gzip CSV).")],
    data: DataOption = DEFAULT_DATA,
    airline: Annotated[Path, typer.Option(help="Airline history CSV (.gz).")] = AIRLINE_DATA,
    seed: SeedOption = 42,
    sample_size: SampleOption = None,
) -> None:
    """Score the texts a student trains on (train and val splits, airline tweets) once."""
    from models.devsets import load_airline
    from models.kinds import load_model
    from training.console import step
    from training.jobs import prepare_splits
    from training.teacher_scores import TeacherScores

    splits = prepare_splits(data, sample_size, seed)
    texts = splits.train.texts + splits.val.texts + load_airline(airline).data.texts
    with step(f"Scoring {len(texts):,} texts with {teacher}"):
        scores = TeacherScores.score(load_model(teacher), texts, str(teacher))
    scores.save(out)
    typer.echo(f"{len(scores):,} distinct texts scored: {out}")


@app.command()
def promote(
    name: Annotated[str, typer.Argument(help="Registered model name, or tfidf/lstm/transformer.")],
    version: Annotated[str | None, typer.Option(help="Version (default: the challenger).")] = None,
) -> None:
    """Make a version champion (the stream hot-reloads it); the old champion is remembered."""
    from models import registry

    registered = _registered(name)
    previous = registry.promote(RegistrySettings(), registered, version)
    current = registry.champion_version(RegistrySettings(), registered)
    typer.echo(f"{registered}: champion is version {current} (was {previous or 'none'})")


@app.command()
def rollback(
    name: Annotated[str, typer.Argument(help="Registered model name, or tfidf/lstm/transformer.")],
) -> None:
    """Give the champion alias back to the previous champion."""
    from models import registry

    registered = _registered(name)
    restored = registry.rollback(RegistrySettings(), registered)
    typer.echo(f"{registered}: champion is back to version {restored}")


@app.command()
def versions(
    name: Annotated[
        str | None, typer.Argument(help="Registered model name or kind (default: all).")
    ] = None,
) -> None:
    """List versions with aliases and test metrics."""
    from models import registry

    names = [_registered(name)] if name else list(registry.REGISTERED_NAMES.values())
    for registered in names:
        typer.echo(f"{registered}:")
        rows = registry.list_versions(RegistrySettings(), registered)
        if not rows:
            typer.echo("  (no versions)")
        for row in rows:
            metrics = {k: round(v, 4) for k, v in row.metrics.items() if k in _VERSION_METRICS}
            typer.echo(f"  v{row.version} {','.join(row.aliases) or '-'} {metrics}")


_VERSION_METRICS = ("test_accuracy", "test_f1_macro", "test_roc_auc", "training_time_s")


def _registered(name: str) -> str:
    from models.registry import REGISTERED_NAMES

    return REGISTERED_NAMES.get(name, name)


def _print_metrics(metrics: Mapping[str, object]) -> None:
    for key, value in metrics.items():
        shown = f"{value:.4f}" if isinstance(value, float) else value
        typer.echo(f"  {key:32} {shown}")


def main() -> None:
    """Console entry: known failures print one clear line and exit 1, without a traceback."""
    from mlflow.exceptions import MlflowException

    from models.registry import RegistryError
    from stream.kafka.delivery import DeliveryError

    known = (ValueError, RegistryError, MlflowException, FileNotFoundError, DeliveryError)
    try:
        app()
    except known as exc:  # bad input, or records the broker did not take (`labels replay`)
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None


data_cli.register(app)
champion_cli.register(app)
loop_cli.register(app)
app.add_typer(labels_cli.app, name="labels")
app.add_typer(rollout_cli.app, name="rollout")
