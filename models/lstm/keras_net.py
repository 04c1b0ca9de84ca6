"""The Keras network (Embedding -> BiLSTM -> pooling -> Dropout -> Dense) and its training.

Imports Keras at module level: only `models.lstm.model` imports it, and only when training or
when the Keras runtime is asked for. Batches are bucketed by length and padded to their
own longest sequence; padding is masked, so it never changes a score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import layers, ops

from models.lstm.vocab import pad_batch

BUCKET_SPAN = 50  # batches per length-sorted chunk: enough mixing, little padding


class MaskedMaxPooling(layers.Layer):
    """Max over the unmasked time steps (Keras' own pooling would count padding as 0)."""

    def call(self, inputs: Any, mask: Any = None) -> Any:
        if mask is not None:
            inputs = ops.where(ops.expand_dims(mask, -1), inputs, ops.full_like(inputs, -1e9))
        return ops.max(inputs, axis=1)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None


def build_network(config: Any, vocab_size: int) -> keras.Model:
    """The seed architecture plus the options `LstmConfig` allows."""
    token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = layers.Embedding(
        vocab_size,
        config.embedding_width,
        mask_zero=True,
        trainable=config.trainable_embeddings,
        name="embedding",
    )(token_ids)
    if config.embedding_dropout:
        x = layers.SpatialDropout1D(config.embedding_dropout, name="embedding_dropout")(x)
    sequences = config.pooling == "max"
    lstm = layers.LSTM(config.lstm_units, return_sequences=sequences)
    x = layers.Bidirectional(lstm, name="bilstm")(x)
    if sequences:
        x = MaskedMaxPooling(name="max_pool")(x)
    x = layers.Dropout(config.dropout, name="dropout")(x)
    score = layers.Dense(1, activation="sigmoid", name="score")(x)
    model = keras.Model(token_ids, score, name="bilstm_sentiment")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=config.learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy", keras.metrics.AUC(name="auc")],
    )
    return model


class BucketedBatches(keras.utils.PyDataset):
    """Batches of similar length: shuffled chunks sorted by length, batches shuffled."""

    def __init__(
        self,
        sequences: Sequence[np.ndarray],
        labels: np.ndarray,
        batch_size: int,
        seed: int,
        sample_weight: np.ndarray | None = None,
    ) -> None:
        super().__init__()
        self.sequences, self.labels, self.batch_size = sequences, labels, batch_size
        self.sample_weight = sample_weight
        self._rng = np.random.default_rng(seed)
        self._batches = self._plan()

    def _plan(self) -> list[np.ndarray]:
        order = self._rng.permutation(len(self.sequences))
        span = self.batch_size * BUCKET_SPAN
        batches = []
        for start in range(0, len(order), span):
            chunk = order[start : start + span]
            chunk = chunk[np.argsort([len(self.sequences[i]) for i in chunk], kind="stable")]
            batches += [
                chunk[i : i + self.batch_size] for i in range(0, len(chunk), self.batch_size)
            ]
        batches = [batches[i] for i in self._rng.permutation(len(batches))]
        return _ragged_first(batches, [max(len(self.sequences[i]) for i in b) for b in batches])

    def __len__(self) -> int:
        return len(self._batches)

    def __getitem__(self, index: int) -> tuple[np.ndarray, ...]:
        rows = self._batches[index]
        batch = (pad_batch([self.sequences[i] for i in rows]), self.labels[rows])
        if self.sample_weight is None:
            return batch
        return (*batch, self.sample_weight[rows].astype(np.float32))

    def on_epoch_end(self) -> None:
        self._batches = self._plan()


def _ragged_first(batches: list[np.ndarray], widths: list[int]) -> list[np.ndarray]:
    """Keras reads the input shape from the first two batches: when their widths are
    equal it fixes that width and fails on the next batch. A batch of another width,
    if any, is moved to the second place."""
    other = next((i for i, w in enumerate(widths) if w != widths[0]), None)
    if other is not None and other > 1:
        batches[1], batches[other] = batches[other], batches[1]
    return batches


def train_network(
    model: keras.Model, train: BucketedBatches, val: BucketedBatches, config: Any
) -> dict[str, list[float]]:
    """Fit with early stopping on validation loss (best weights restored) and the
    per-epoch learning-rate decay."""
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=config.patience, restore_best_weights=True
    )
    callbacks: list[keras.callbacks.Callback] = [stop]
    if config.lr_decay < 1:
        callbacks.append(
            keras.callbacks.LearningRateScheduler(
                lambda epoch, rate: rate * config.lr_decay if epoch else rate
            )
        )
    history = model.fit(
        train, validation_data=val, epochs=config.max_epochs, callbacks=callbacks, verbose=2
    )
    return {name: [float(v) for v in values] for name, values in history.history.items()}


def export_weights(model: keras.Model) -> dict[str, np.ndarray]:
    """The trained weights by name, in the layout `models.lstm.numpy_net` reads."""
    bilstm = model.get_layer("bilstm")
    weights = {"embedding": model.get_layer("embedding").embeddings.numpy()}
    for prefix, rnn in (("forward", bilstm.forward_layer), ("backward", bilstm.backward_layer)):
        kernel, recurrent, bias = (w.numpy() for w in rnn.cell.weights)
        weights |= {
            f"{prefix}_kernel": kernel,
            f"{prefix}_recurrent": recurrent,
            f"{prefix}_bias": bias,
        }
    dense_kernel, dense_bias = (w.numpy() for w in model.get_layer("score").weights)
    return weights | {"dense_kernel": dense_kernel, "dense_bias": dense_bias}


def import_weights(model: keras.Model, weights: dict[str, np.ndarray]) -> None:
    """Inverse of `export_weights`."""
    bilstm = model.get_layer("bilstm")
    model.get_layer("embedding").set_weights([weights["embedding"]])
    for prefix, rnn in (("forward", bilstm.forward_layer), ("backward", bilstm.backward_layer)):
        names = ("kernel", "recurrent", "bias")
        rnn.cell.set_weights([weights[f"{prefix}_{name}"] for name in names])
    model.get_layer("score").set_weights([weights["dense_kernel"], weights["dense_bias"]])


def network_with(config: Any, weights: dict[str, np.ndarray]) -> keras.Model:
    """The Keras network holding a fitted `LstmModel`'s weights (its config and `weights`),
    to check the NumPy runtime against Keras."""
    model = build_network(config, len(weights["embedding"]))
    import_weights(model, weights)
    return model
