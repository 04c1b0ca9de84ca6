"""Transformer experiments on the shared split: frozen-layer states cached once, then one
fine-tuning run per learning rate on the same cache, with timings and validation metrics.

    flock /tmp/airparadis-heavy.lock python -m training.transformer_experiments \\
        --train-samples 10000 --learning-rate 2e-5 --learning-rate 1e-4

Prints one JSON line per measurement (cache timing, then each run). Validation only: the
test split is left to `airparadis-train` / `evaluate` for the final choice.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Annotated, Any

import typer

from models.transformer.model import TransformerConfig, TransformerModel, resolve_train_dtype

app = typer.Typer(add_completion=False, help=__doc__)


def _emit(record: dict[str, Any]) -> None:
    typer.echo(json.dumps(record, sort_keys=True))


def _splits(train_samples: int, val_samples: int, seed: int) -> Any:
    from models.data import DEFAULT_DATA, load_dataset
    from models.splits import split_dataset, stratified_sample

    splits = split_dataset(load_dataset(DEFAULT_DATA), seed=seed)
    train = stratified_sample(splits.train, train_samples, seed)
    return train, stratified_sample(splits.val, val_samples, seed)


def _cache(model: TransformerModel, texts: list[str], name: str) -> Any:
    started = time.perf_counter()
    states = model._cache(texts, name)
    seconds = time.perf_counter() - started
    tokens = int(states.lengths.sum())
    _emit({"cache": name, "texts": len(texts), "tokens": tokens, "seconds": round(seconds, 1)})
    return states


@app.command()
def main(
    train_samples: Annotated[int, typer.Option(help="Stratified training subset size.")] = 10_000,
    val_samples: Annotated[int, typer.Option(help="Stratified validation subset size.")] = 10_000,
    learning_rate: Annotated[list[float], typer.Option(help="One run per value.")] = [2e-5],  # noqa: B006
    epochs: Annotated[int, typer.Option(min=1)] = 1,
    batch_size: Annotated[int, typer.Option(min=1)] = 32,
    trainable_layers: Annotated[int, typer.Option(min=0)] = 2,
    clean: Annotated[bool, typer.Option(help="clean_tweet before WordPiece.")] = False,
    train_dtype: Annotated[str, typer.Option(help="auto, float32 or mixed_bfloat16.")] = "auto",
    seed: int = 42,
) -> None:
    """Cache once, fine-tune once per learning rate, print timings and validation metrics."""
    from models.evaluation import quality
    from models.transformer.checkpoint import default_checkpoint, load_backbone, load_tokenizer
    from models.transformer.fit import fit_top, predict_cached

    train, val = _splits(train_samples, val_samples, seed)
    train_dtype = resolve_train_dtype(train_dtype)
    base = TransformerConfig(
        epochs=epochs, batch_size=batch_size, trainable_layers=trainable_layers, clean=clean,
        train_dtype=train_dtype, seed=seed, verbose=2,
    )  # fmt: skip
    model = TransformerModel(base)
    checkpoint = default_checkpoint()
    model._build(load_backbone(checkpoint, train_dtype), load_tokenizer(checkpoint))
    train_states, val_states = _cache(model, train.texts, "train"), _cache(model, val.texts, "val")
    initial = model._net.top.get_weights()
    for rate in learning_rate:
        model._net.top.set_weights(initial)
        config = replace(base, learning_rate=rate)
        started = time.perf_counter()
        train_set, val_set = (train_states, train.labels), (val_states, val.labels)
        history, _ = fit_top(model._net, train_set, val_set, config)
        seconds = time.perf_counter() - started
        scores = predict_cached(model._net, val_states, config.predict_batch_size)
        result = quality(val.labels, scores).scalars()
        _emit({"learning_rate": rate, "fit_seconds": round(seconds, 1), "history": history,
               "train_samples": len(train), "clean": clean, "train_dtype": train_dtype,
               **result})  # fmt: skip


if __name__ == "__main__":
    app()
