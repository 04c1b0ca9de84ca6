"""The NumPy BiLSTM runtime against a plain, step-by-step LSTM written from the equations
(its parity with the trained Keras network is in test_lstm.py)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from models.lstm.numpy_net import NumpyBiLstm

VOCAB, DIM, UNITS = 50, 8, 6


def random_weights(rng: np.random.Generator) -> dict[str, np.ndarray]:
    def w(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.8, shape).astype(np.float32)

    weights = {"embedding": w(VOCAB, DIM), "dense_kernel": w(2 * UNITS, 1), "dense_bias": w(1)}
    for d in ("forward", "backward"):
        weights |= {f"{d}_kernel": w(DIM, 4 * UNITS), f"{d}_recurrent": w(UNITS, 4 * UNITS)}
        weights[f"{d}_bias"] = w(4 * UNITS)
    return weights


def reference_states(weights: dict[str, np.ndarray], ids: np.ndarray, d: str) -> np.ndarray:
    """h at every step, Keras gate order (i, f, c, o), float64."""
    kernel, recurrent, bias = (
        weights[f"{d}_{n}"].astype(float) for n in ("kernel", "recurrent", "bias")
    )
    h, c, states = np.zeros(UNITS), np.zeros(UNITS), []
    for x in weights["embedding"].astype(float)[ids]:
        i, f, g, o = np.split(x @ kernel + h @ recurrent + bias, 4)
        c = expit(f) * c + expit(i) * np.tanh(g)
        h = expit(o) * np.tanh(c)
        states.append(h)
    return np.array(states)


def reference_score(weights: dict[str, np.ndarray], ids: np.ndarray, pooling: str) -> float:
    forward, backward = (
        reference_states(weights, ids, "forward"),
        reference_states(weights, ids[::-1], "backward"),
    )
    pool = (lambda s: s.max(axis=0)) if pooling == "max" else (lambda s: s[-1])
    features = np.concatenate([pool(forward), pool(backward)])
    return float(expit(features @ weights["dense_kernel"][:, 0] + weights["dense_bias"][0]))


@pytest.mark.parametrize("pooling", ["max", "last"])
def test_runtime_matches_the_lstm_equations(pooling: str) -> None:
    rng = np.random.default_rng(7)
    weights = random_weights(rng)
    sequences = [rng.integers(0, VOCAB, n) for n in (1, 9, 3, 30, 9, 2)]  # unsorted lengths
    scores = NumpyBiLstm(weights, pooling).predict(sequences)
    expected = [reference_score(weights, ids, pooling) for ids in sequences]
    assert scores.dtype == np.float32
    np.testing.assert_allclose(scores, expected, atol=1e-5, rtol=0)
