"""The NumPy BiLSTM runtime's own pieces (its parity with Keras is in test_lstm.py)."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from models.lstm_numpy import _sigmoid


def test_tanh_sigmoid_matches_expit_over_the_float32_range() -> None:
    x = np.concatenate([np.linspace(-30, 30, 10_001), [-1e4, -100.0, 0.0, 100.0, 1e4]])
    gates = x.astype(np.float32).reshape(1, -1)
    _sigmoid(gates)  # in place, like the LSTM step
    assert gates.dtype == np.float32
    np.testing.assert_allclose(gates[0], expit(x), atol=1e-6, rtol=0)
    assert gates.min() >= 0.0 and gates.max() <= 1.0
