"""LSTM experiments: train named configurations on the shared split, one MLflow run each.

    flock /tmp/airparadis-heavy.lock python -m training.lstm_experiments seed max_pool ...

Each run logs the config, the per-epoch history, validation accuracy / macro F1 / ROC-AUC
and the training time; `--test` also scores the test split (only for the final choice).
`--save DIR` keeps the trained model of the last experiment.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from models.lstm.config import LstmConfig

EXPERIMENT = "air-paradis-lstm-experiments"

#: name -> configuration, each from the spec's seed architecture (frozen Word2Vec embeddings,
#: last states); each step changes one thing from a previous one.
_SEED = LstmConfig.seed_architecture
_TUNED = {"pooling": "max", "trainable_embeddings": True}
EXPERIMENTS: dict[str, LstmConfig] = {
    "seed": _SEED(),
    "seed_finetuned": _SEED(trainable_embeddings=True),
    "max_pool_frozen": _SEED(pooling="max"),
    "max_pool_finetuned": _SEED(**_TUNED),
    "max_pool_finetuned_spatial": _SEED(**_TUNED, embedding_dropout=0.2),
    "max_pool_finetuned_spatial_lr5e-4": _SEED(**_TUNED, embedding_dropout=0.2, learning_rate=5e-4),
    "max_pool_finetuned_spatial3": _SEED(**_TUNED, embedding_dropout=0.3),
    "max_pool_finetuned_mc3": _SEED(**_TUNED, min_count=3),
    "spatial_decay0.5": _SEED(**_TUNED, embedding_dropout=0.2, lr_decay=0.5),
    "spatial_decay0.3": _SEED(**_TUNED, embedding_dropout=0.2, lr_decay=0.3),
}

app = typer.Typer(add_completion=False, help=__doc__)


def run_experiment(name: str, config: LstmConfig, splits: Any, test: bool) -> dict[str, Any]:
    import mlflow

    from models.evaluation import quality
    from models.lstm.model import LstmModel
    from training.tracking import log_history

    model = LstmModel(config)
    with mlflow.start_run(run_name=f"lstm-{name}"):
        mlflow.log_params({**config.to_dict(), "experiment": name} | splits.sizes())
        started = time.perf_counter()
        history = model.fit(
            splits.train.texts, splits.train.labels, splits.val.texts, splits.val.labels
        )
        seconds = time.perf_counter() - started
        log_history(history)
        results = {"train_seconds": seconds, "epochs": len(history["loss"])}
        results |= {"max_len": model.max_len, "vocab_size": model.metadata["vocab_size"]}
        parts = [("val", splits.val)] + ([("test", splits.test)] if test else [])
        for part, data in parts:
            metrics = quality(data.labels, model.predict_proba(data.texts)).scalars()
            results |= {f"{part}_{k}": v for k, v in metrics.items() if k != "n"}
        mlflow.log_metrics(results)
    return {"model": model} | results


@app.command()
def main(
    names: Annotated[list[str], typer.Argument(help=f"experiments: {', '.join(EXPERIMENTS)}")],
    test: Annotated[bool, typer.Option(help="also score the test split")] = False,
    sample: Annotated[int, typer.Option(help="train on this many rows (0 = all)")] = 0,
    max_epochs: Annotated[int, typer.Option(help="override max_epochs (0 = config's)")] = 0,
    save: Annotated[Path | None, typer.Option(help="save the last experiment's model here")] = None,
) -> None:
    from models.data import DEFAULT_DATA, load_dataset
    from models.registry import use_experiment
    from models.settings import RegistrySettings
    from models.splits import split_dataset, stratified_sample

    unknown = [name for name in names if name not in EXPERIMENTS]
    if unknown:
        raise typer.BadParameter(f"unknown experiments {unknown}; known: {list(EXPERIMENTS)}")
    splits = split_dataset(load_dataset(DEFAULT_DATA), seed=42)
    if sample:
        splits = replace(splits, train=stratified_sample(splits.train, sample, seed=42))
    use_experiment(RegistrySettings(), EXPERIMENT)  # MLFLOW_TRACKING_URI, else var/mlflow.db
    for name in names:
        config = EXPERIMENTS[name]
        config = replace(config, max_epochs=max_epochs) if max_epochs else config
        result = run_experiment(name, config, splits, test)
        shown = {
            k: round(v, 4) if isinstance(v, float) else v for k, v in result.items() if k != "model"
        }
        typer.echo(f"{name}: {shown}")
    if save is not None:
        result["model"].save(save)
        typer.echo(f"saved {save}")


if __name__ == "__main__":
    app()
