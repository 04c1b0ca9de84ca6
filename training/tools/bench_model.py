"""Serving benchmark of a saved LSTM: throughput, single-tweet latency, runtime agreement.

    TF_NUM_INTRAOP_THREADS=2 python -m training.tools.bench_model var/models/lstm

Scores the test split with each runtime (preprocessing included), in batches of 256 and
one tweet at a time, and prints a table: NumPy forward pass (what `predict_proba` uses),
Keras through a compiled `tf.function`, and Keras' `model.predict` for reference. Also
prints the largest score difference between runtimes and the artifact's size on disk.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from models.lstm.model import LstmModel
from models.lstm.vocab import pad_batch

Scorer = Callable[[Sequence[str]], np.ndarray]
app = typer.Typer(add_completion=False, help=__doc__)


def compiled_scorer(model: Any) -> Any:
    """`model(ids, training=False)` as one traced graph for any batch and length."""
    import tensorflow as tf

    signature = [tf.TensorSpec(shape=(None, None), dtype=tf.int32)]
    return tf.function(lambda ids: model(ids, training=False), input_signature=signature)


def keras_scorers(model: LstmModel) -> dict[str, Scorer]:
    from models.lstm.keras_net import network_with

    network = network_with(model.config, model.weights)
    compiled = compiled_scorer(network)

    def with_function(texts: Sequence[str]) -> np.ndarray:
        return np.asarray(compiled(pad_batch(model.encode(texts))))[:, 0]

    def with_predict(texts: Sequence[str]) -> np.ndarray:
        return network.predict(pad_batch(model.encode(texts)), verbose=0)[:, 0]

    return {"keras tf.function": with_function, "keras model.predict": with_predict}


def throughput(score: Scorer, texts: Sequence[str], batch: int) -> tuple[float, np.ndarray]:
    """Tweets per second over all `texts` in batches, and the scores."""
    score(texts[:batch])  # warm-up: tracing, caches
    started = time.perf_counter()
    scores = [score(texts[i : i + batch]) for i in range(0, len(texts), batch)]
    return len(texts) / (time.perf_counter() - started), np.concatenate(scores)


def latency_ms(score: Scorer, texts: Sequence[str]) -> tuple[float, float]:
    """p50 and p95 of one-tweet calls, in milliseconds."""
    score(texts[:1])
    timings = []
    for text in texts:
        started = time.perf_counter()
        score([text])
        timings.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(timings, 50)), float(np.percentile(timings, 95))


def directory_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


@app.command()
def main(
    model_dir: Annotated[Path, typer.Argument(help="saved LSTM model directory")],
    batch: Annotated[int, typer.Option(help="micro-batch size")] = 256,
    singles: Annotated[int, typer.Option(help="tweets scored one at a time")] = 500,
    predict_limit: Annotated[int, typer.Option(help="tweets for model.predict (slow)")] = 4096,
) -> None:
    from models.data import DEFAULT_DATA, load_dataset
    from models.splits import split_dataset

    test = split_dataset(load_dataset(DEFAULT_DATA), seed=42).test
    model = LstmModel.load(model_dir)
    runtimes: dict[str, Scorer] = {"numpy (served)": model.predict_proba}
    runtimes |= keras_scorers(model)
    reference: np.ndarray | None = None
    typer.echo(f"artifact {model_dir}: {directory_mb(model_dir):.1f} MB on disk")
    typer.echo(f"test split: {len(test)} tweets; batches of {batch}; {singles} single calls")
    typer.echo(f"{'runtime':22} {'tweets/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'max|diff|':>10}")
    for name, score in runtimes.items():
        texts = test.texts[:predict_limit] if "predict" in name else test.texts
        rate, scores = throughput(score, texts, batch)
        p50, p95 = latency_ms(score, test.texts[:singles])
        reference = scores if reference is None else reference
        diff = float(np.abs(scores - reference[: len(scores)]).max())
        typer.echo(f"{name:22} {rate:9.0f} {p50:7.2f} {p95:7.2f} {diff:10.2e}")
    tokenize_rate, _ = throughput(lambda t: np.zeros(len(model.tokenize(t))), test.texts, batch)
    typer.echo(f"preprocessing alone: {tokenize_rate:.0f} tweets/s")


if __name__ == "__main__":
    app()
