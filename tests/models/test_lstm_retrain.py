"""The LSTM's retraining hooks: sample weights reach the loss, a warm start keeps the
champion's vocabulary and starts from its weights."""

from __future__ import annotations

import numpy as np
import pytest

from models.lstm import LstmModel
from tests.models.test_lstm import TINY


@pytest.fixture(scope="module")
def champion(tiny_data: tuple[list[str], np.ndarray]) -> LstmModel:
    texts, labels = tiny_data
    model = LstmModel(TINY)
    model.fit(texts[:240], labels[:240], texts[240:], labels[240:])
    return model


@pytest.fixture(scope="module")
def tiny_data() -> tuple[list[str], np.ndarray]:
    from models.data import DEFAULT_DATA, load_dataset
    from models.splits import stratified_sample

    sample = stratified_sample(load_dataset(DEFAULT_DATA), 300, seed=7)
    return sample.texts, sample.labels


def _warm(champion: LstmModel, data: tuple[list[str], np.ndarray], weight: float) -> LstmModel:
    texts, labels = data
    model = LstmModel(TINY)
    model.fit(
        texts[:240],
        labels[:240],
        texts[240:],
        labels[240:],
        sample_weight=np.full(240, weight),
        init=champion,
    )
    return model


def test_warm_start_keeps_the_vocabulary_and_moves_the_weights(
    champion: LstmModel, tiny_data: tuple[list[str], np.ndarray]
) -> None:
    model = _warm(champion, tiny_data, 1.0)
    assert model.vocab is champion.vocab and model.max_len == champion.max_len
    assert model.metadata["pretrained_words"] == 0
    assert set(model.weights) == set(champion.weights)
    moved = [n for n in model.weights if not np.allclose(model.weights[n], champion.weights[n])]
    assert "dense_kernel" in moved


def test_zero_sample_weights_leave_the_warm_started_weights_unchanged(
    champion: LstmModel, tiny_data: tuple[list[str], np.ndarray]
) -> None:
    model = _warm(champion, tiny_data, 0.0)  # no row counts: no gradient, no Adam step
    for name, value in champion.weights.items():
        np.testing.assert_allclose(model.weights[name], value, atol=1e-6, err_msg=name)
    texts = tiny_data[0][240:]
    np.testing.assert_allclose(model.predict_proba(texts), champion.predict_proba(texts), atol=1e-5)
