"""Fine-tuning the top of a split transformer on cached frozen-layer states.

The frozen lower layers never change, so their outputs are computed once per text
(`RaggedStates`); each epoch then runs only the fine-tuned layers and the head, on
length-bucketed batches reshuffled every epoch. AdamW with gradient-norm clipping,
early stopping on validation loss (best weights restored). Imports TensorFlow/Keras.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from models.transformer.net import RaggedStates, SplitNetwork
from models.transformer.wordpiece import bucketed_batches


def cached_batches(
    states: RaggedStates, labels: np.ndarray, batch_size: int, seed: int | None
) -> tf.data.Dataset:
    """((hidden, padding_mask), label) batches; reshuffled on every pass when `seed` is set."""
    rng = np.random.default_rng(seed) if seed is not None else None

    def generate() -> Iterator[tuple[tuple[np.ndarray, np.ndarray], np.ndarray]]:
        for batch in bucketed_batches(states.lengths, batch_size, rng):
            yield states.gather(batch), labels[batch].astype(np.float32)

    hidden_dim = states.flat.shape[1]
    signature = (
        (
            tf.TensorSpec((None, None, hidden_dim), tf.float32),
            tf.TensorSpec((None, None), tf.int32),
        ),
        tf.TensorSpec((None,), tf.float32),
    )
    batches = -(-len(states.lengths) // batch_size)
    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
    return dataset.apply(tf.data.experimental.assert_cardinality(batches)).prefetch(2)


def compile_top(net: SplitNetwork, config: Any) -> None:
    optimizer = keras.optimizers.AdamW(
        learning_rate=config.learning_rate,
        weight_decay=config.weight_decay,
        clipnorm=config.clipnorm,
    )
    net.top.compile(
        optimizer=optimizer,
        loss="binary_crossentropy",
        metrics=[keras.metrics.BinaryAccuracy(name="accuracy"), keras.metrics.AUC(name="auc")],
    )


class Deadline(keras.callbacks.Callback):
    """Ends training after the batch that passes `deadline` (a `time.perf_counter()` value);
    the epoch's validation and early stopping's best-weights restore still run."""

    def __init__(self, deadline: float) -> None:
        super().__init__()
        self.deadline = deadline
        self.reached = False

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if time.perf_counter() > self.deadline:
            self.model.stop_training = self.reached = True


def duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


class Ticker:
    """Progress of `total` units of work, one stderr line at most every `every_s` seconds
    (and at the end): done/total, rate, time left. `every_s` None: silent."""

    def __init__(self, label: str, total: int, unit: str, every_s: float | None) -> None:
        self.label, self.total, self.unit, self.every_s = label, total, unit, every_s
        self.started = self.last = time.perf_counter()
        self.done = 0

    def advance(self, count: int = 1, extra: str = "") -> None:
        self.done += count
        now = time.perf_counter()
        finished = self.done >= self.total
        if self.every_s is None or (now - self.last < self.every_s and not finished):
            return
        self.last, elapsed = now, now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = f"done in {duration(elapsed)}" if finished else "ETA ?"
        if rate and not finished:
            left = f"ETA {duration((self.total - self.done) / rate)}"
        line = f"  {self.label}: {self.done:,}/{self.total:,} {self.unit}, {rate:,.1f}/s, {left}"
        print(line + (f"  {extra}" if extra else ""), file=sys.stderr, flush=True)


class EpochProgress(keras.callbacks.Callback):
    """A `Ticker` over each epoch's steps, then the epoch's metrics and the fit's ETA."""

    def __init__(self, steps: int, epochs: int, every_s: float | None) -> None:
        super().__init__()
        self.steps, self.epochs, self.every_s = steps, epochs, every_s
        self.ticker = Ticker("epoch", steps, "steps", every_s)
        self.started = time.perf_counter()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        label = f"epoch {epoch + 1}/{self.epochs}"
        self.ticker = Ticker(label, self.steps, "steps", self.every_s)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        loss = (logs or {}).get("loss")
        self.ticker.advance(extra="" if loss is None else f"loss {float(loss):.4f}")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.every_s is None:
            return
        elapsed = time.perf_counter() - self.started
        shown = ", ".join(f"{k} {float(v):.4f}" for k, v in (logs or {}).items())
        left = (self.epochs - epoch - 1) * elapsed / (epoch + 1)
        eta = f"; at most {duration(left)} more" if epoch + 1 < self.epochs else ""
        print(f"  epoch {epoch + 1}/{self.epochs} done: {shown}{eta}", file=sys.stderr, flush=True)


def fit_top(
    net: SplitNetwork,
    train: tuple[RaggedStates, np.ndarray],
    val: tuple[RaggedStates, np.ndarray],
    config: Any,
    deadline: float = float("inf"),
) -> tuple[dict[str, list[float]], bool]:
    """Train `net.top` with early stopping until `deadline` (perf_counter seconds); returns
    the Keras history (loss, auc, val_*) and whether the deadline ended training."""
    keras.utils.set_random_seed(config.seed)
    compile_top(net, config)
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=config.patience, restore_best_weights=True
    )
    steps = -(-len(train[0].lengths) // config.batch_size)
    progress = EpochProgress(steps, config.epochs, config.progress_s)
    history = net.top.fit(
        cached_batches(*train, config.batch_size, seed=config.seed),
        validation_data=cached_batches(*val, config.batch_size * 4, seed=None),
        epochs=config.epochs,
        callbacks=[stop, timer := Deadline(deadline), progress],
        shuffle=False,  # the batches are shuffled by `cached_batches`
        verbose=config.verbose,
    )
    logs = {name: [float(v) for v in values] for name, values in history.history.items()}
    return logs, timer.reached


def predict_cached(net: SplitNetwork, states: RaggedStates, batch_size: int) -> np.ndarray:
    """Scores of the fine-tuned top on cached states, in the original order."""
    scores = np.empty(len(states.lengths), dtype=np.float32)
    for batch in bucketed_batches(states.lengths, batch_size):
        hidden, mask = states.gather(batch)
        scores[batch] = np.asarray(net.top.predict_on_batch([hidden, mask])).reshape(-1)
    return scores
