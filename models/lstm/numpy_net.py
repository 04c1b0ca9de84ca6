"""NumPy forward pass of the trained BiLSTM: the serving runtime, no TensorFlow needed.

The embedding and the LSTM input kernels are folded once into one table per direction
(`embedding @ kernel + bias`, vocabulary x 4 units), so a time step costs a row lookup and
the recurrent matmul. The backward LSTM runs forward over each text reversed. Rows are
sorted by length so each step only touches the texts still running; no padding is read.
Gate order and activations follow Keras' LSTM (i, f, c, o; sigmoid, tanh). BLAS runs on
one thread here: the matmuls are small, and a second spinning OpenBLAS thread competes with
the worker for the cores (docs/lstm.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import expit
from threadpoolctl import ThreadpoolController

DIRECTIONS = ("forward", "backward")


class NumpyBiLstm:
    """Scores id sequences with weights exported by `models.lstm.keras_net.export_weights`."""

    def __init__(self, weights: dict[str, np.ndarray], pooling: str) -> None:
        embedding = weights["embedding"].astype(np.float32)
        self.units = u = weights["forward_recurrent"].shape[0]
        self.pooling = pooling
        # Gate columns reordered from Keras' (i, f, c, o) to (i, f, o, c), and those of the
        # sigmoid gates halved: sigmoid(x) = 0.5 * tanh(x / 2) + 0.5, so one tanh over all
        # four gates serves them (halving is exact in floating point).
        gates = np.r_[0 : 2 * u, 3 * u : 4 * u, 2 * u : 3 * u]
        scale = np.r_[np.full(3 * u, 0.5), np.ones(u)].astype(np.float32)
        # (2, vocab, 4 * units): input projection of every vocabulary word, per direction
        self.tables = _contiguous(
            [
                (embedding @ weights[f"{d}_kernel"] + weights[f"{d}_bias"])[:, gates] * scale
                for d in DIRECTIONS
            ]
        )
        self.recurrent = _contiguous(
            [weights[f"{d}_recurrent"][:, gates] * scale for d in DIRECTIONS]
        )
        self.dense_kernel = weights["dense_kernel"].astype(np.float32)
        self.dense_bias = weights["dense_bias"].astype(np.float32)
        self._blas = ThreadpoolController()

    def predict(self, sequences: Sequence[np.ndarray]) -> np.ndarray:
        """Probability of positive for each (non-empty) id sequence, shape (n,)."""
        lengths = np.array([len(seq) for seq in sequences])
        order = np.argsort(-lengths, kind="stable")
        with self._blas.limit(limits=1, user_api="blas"):
            features = self._features([sequences[i] for i in order], lengths[order])
        scores = expit(features @ self.dense_kernel + self.dense_bias)[:, 0]
        result = np.empty(len(sequences), dtype=np.float32)
        result[order] = scores
        return result

    def _features(self, sequences: list[np.ndarray], lengths: np.ndarray) -> np.ndarray:
        """Pooled BiLSTM features for sequences sorted longest first, shape (n, 2 units)."""
        n, steps = len(sequences), int(lengths[0])
        ids = np.zeros((2, steps, n), dtype=np.intp)
        for row, seq in enumerate(sequences):
            ids[0, : len(seq), row] = seq
            ids[1, : len(seq), row] = seq[::-1]
        running = (lengths[None, :] > np.arange(steps)[:, None]).sum(axis=1)  # rows per step
        h = np.zeros((2, n, self.units), dtype=np.float32)
        c = np.zeros_like(h)
        pooled = np.full_like(h, -np.inf) if self.pooling == "max" else h
        for t in range(steps):
            k = running[t]
            self._step(ids[:, t, :k], h[:, :k], c[:, :k])
            if self.pooling == "max":
                np.maximum(pooled[:, :k], h[:, :k], out=pooled[:, :k])
        return np.concatenate([pooled[0], pooled[1]], axis=1)

    def _step(self, ids: np.ndarray, h: np.ndarray, c: np.ndarray) -> None:
        """One time step for the running rows, updating views `h` and `c` in place."""
        u = self.units
        z = np.matmul(h, self.recurrent)
        z[0] += self.tables[0].take(ids[0], axis=0)
        z[1] += self.tables[1].take(ids[1], axis=0)
        np.tanh(z, out=z)  # of x / 2 for the sigmoid gates (see __init__)
        sigmoid = z[..., : 3 * u]
        sigmoid *= 0.5
        sigmoid += 0.5
        c *= z[..., u : 2 * u]
        c += z[..., :u] * z[..., 3 * u :]
        np.tanh(c, out=h)
        h *= z[..., 2 * u : 3 * u]


def _contiguous(arrays: list[np.ndarray]) -> np.ndarray:
    """Stacked, float32 and C-ordered (column selection leaves Fortran-like strides, which
    would make every row lookup copy the whole table)."""
    return np.ascontiguousarray(np.stack(arrays), dtype=np.float32)
