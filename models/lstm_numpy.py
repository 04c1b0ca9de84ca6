"""NumPy forward pass of the trained BiLSTM: the serving runtime, no TensorFlow needed.

The embedding and the LSTM input kernels are folded once into one table per direction
(`embedding @ kernel + bias`, vocabulary x 4 units), so a time step costs a row lookup and
the recurrent matmul. The backward LSTM runs forward over each text reversed. Rows are
sorted by length so each step only touches the texts still running; no padding is read.
Gate order and activations follow Keras' LSTM (i, f, c, o; sigmoid, tanh).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import expit

DIRECTIONS = ("forward", "backward")


class NumpyBiLstm:
    """Scores id sequences with weights exported by `models.lstm_keras.export_weights`."""

    def __init__(self, weights: dict[str, np.ndarray], pooling: str) -> None:
        embedding = weights["embedding"].astype(np.float32)
        self.units = weights["forward_recurrent"].shape[0]
        self.pooling = pooling
        # (2, vocab, 4 * units): input projection of every vocabulary word, per direction
        self.tables = np.stack(
            [embedding @ weights[f"{d}_kernel"] + weights[f"{d}_bias"] for d in DIRECTIONS]
        ).astype(np.float32)
        self.recurrent = np.stack([weights[f"{d}_recurrent"] for d in DIRECTIONS])
        self.dense_kernel = weights["dense_kernel"].astype(np.float32)
        self.dense_bias = weights["dense_bias"].astype(np.float32)

    def predict(self, sequences: Sequence[np.ndarray]) -> np.ndarray:
        """Probability of positive for each (non-empty) id sequence, shape (n,)."""
        lengths = np.array([len(seq) for seq in sequences])
        order = np.argsort(-lengths, kind="stable")
        features = self._features([sequences[i] for i in order], lengths[order])
        scores = expit(features @ self.dense_kernel + self.dense_bias)[:, 0]
        result = np.empty(len(sequences), dtype=np.float32)
        result[order] = scores
        return result

    def _features(self, sequences: list[np.ndarray], lengths: np.ndarray) -> np.ndarray:
        """Pooled BiLSTM features for sequences sorted longest first, shape (n, 2 units)."""
        n, steps, units = len(sequences), int(lengths[0]), self.units
        ids = np.zeros((2, steps, n), dtype=np.int32)
        for row, seq in enumerate(sequences):
            ids[0, : len(seq), row] = seq
            ids[1, : len(seq), row] = seq[::-1]
        inputs = np.stack([self.tables[0][ids[0]], self.tables[1][ids[1]]])  # (2, T, n, 4u)
        running = (lengths[None, :] > np.arange(steps)[:, None]).sum(axis=1)  # rows per step
        h = np.zeros((2, n, units), dtype=np.float32)
        c = np.zeros_like(h)
        pooled = np.full_like(h, -np.inf) if self.pooling == "max" else h
        for t in range(steps):
            k = running[t]
            h[:, :k], c[:, :k] = self._step(inputs[:, t, :k], h[:, :k], c[:, :k])
            if self.pooling == "max":
                np.maximum(pooled[:, :k], h[:, :k], out=pooled[:, :k])
        return np.concatenate([pooled[0], pooled[1]], axis=1)

    def _step(self, x: np.ndarray, h: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u = self.units
        z = x + np.matmul(h, self.recurrent)
        gates = expit(z[..., : 2 * u])  # input, forget
        out_gate = expit(z[..., 3 * u :])
        c_new = gates[..., u:] * c + gates[..., :u] * np.tanh(z[..., 2 * u : 3 * u])
        return out_gate * np.tanh(c_new), c_new
