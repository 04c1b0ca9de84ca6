"""Fine-tuning the top of a split transformer on cached frozen-layer states.

The frozen lower layers never change, so their outputs are computed once per text
(`RaggedStates`); each epoch then runs only the fine-tuned layers and the head, on
length-bucketed batches reshuffled every epoch. AdamW with gradient-norm clipping,
early stopping on validation loss (best weights restored). Imports TensorFlow/Keras.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from models.transformer_net import RaggedStates, SplitNetwork
from models.wordpiece import bucketed_batches


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
    history = net.top.fit(
        cached_batches(*train, config.batch_size, seed=config.seed),
        validation_data=cached_batches(*val, config.batch_size * 4, seed=None),
        epochs=config.epochs,
        callbacks=[stop, timer := Deadline(deadline)],
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
