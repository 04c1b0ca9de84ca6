"""The Keras side of the LSTM: length-bucketed batches, padding invariance, weight export."""

from __future__ import annotations

import numpy as np
import pytest

from models.lstm.model import LstmConfig

keras_module = pytest.importorskip("models.lstm.keras_net")

TINY = LstmConfig(embedding_dim=8, lstm_units=4, batch_size=4)


def _sequences(count: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(2, 50, size=rng.integers(1, 30)).astype(np.int32) for _ in range(count)]


def test_bucketed_batches_cover_every_row_once_with_little_padding() -> None:
    sequences = _sequences(103)
    labels = np.arange(103) % 2
    batches = keras_module.BucketedBatches(sequences, labels, batch_size=8, seed=1)
    for _epoch in range(2):
        seen = np.concatenate([batches._batches[i] for i in range(len(batches))])
        assert sorted(seen.tolist()) == list(range(103))
        for index in range(len(batches)):
            ids, batch_labels = batches[index]
            rows = batches._batches[index]
            assert ids.shape[1] == max(len(sequences[i]) for i in rows)
            np.testing.assert_array_equal(batch_labels, labels[rows])
        batches.on_epoch_end()


@pytest.mark.parametrize("pooling", ["last", "max"])
def test_padding_never_changes_a_keras_score(pooling: str) -> None:
    from dataclasses import replace

    model = keras_module.build_network(replace(TINY, pooling=pooling), vocab_size=50)
    sequence = _sequences(1, seed=3)[0]
    tight = sequence[None, :]
    padded = np.zeros((1, len(sequence) + 12), dtype=np.int32)
    padded[0, : len(sequence)] = sequence
    scores = [float(np.asarray(model(x, training=False))[0, 0]) for x in (tight, padded)]
    assert scores[0] == pytest.approx(scores[1], abs=1e-6)


def test_exported_weights_round_trip_into_a_fresh_network() -> None:
    first = keras_module.build_network(TINY, vocab_size=50)
    second = keras_module.build_network(TINY, vocab_size=50)
    x = np.stack(_sequences(1)[0:1] * 2)
    weights = keras_module.export_weights(first)
    assert weights["embedding"].shape == (50, 8)
    assert weights["forward_recurrent"].shape == (4, 16)
    keras_module.import_weights(second, weights)
    np.testing.assert_array_equal(np.asarray(first(x)), np.asarray(second(x)))


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # Keras' own
def test_learning_rate_decays_each_epoch() -> None:
    from dataclasses import replace

    config = replace(TINY, lr_decay=0.5, max_epochs=3, patience=5)
    model = keras_module.build_network(config, vocab_size=50)
    sequences, labels = _sequences(16), np.arange(16) % 2
    batches = keras_module.BucketedBatches(sequences, labels, batch_size=8, seed=0)
    history = keras_module.train_network(model, batches, batches, config)
    assert history["learning_rate"] == pytest.approx([1e-3, 5e-4, 2.5e-4])
    assert len(history["val_loss"]) == 3


def test_training_survives_first_batches_of_one_width() -> None:
    """Keras fixes the input width seen in the first two batches; a later, other width
    used to stop the fit."""
    sequences = [np.full(6, 3, np.int32)] * 64 + [np.full(9, 4, np.int32)] * 8
    labels = np.arange(72) % 2
    batches = keras_module.BucketedBatches(sequences, labels, batch_size=8, seed=0)
    widths = [batches[i][0].shape[1] for i in range(len(batches))]
    assert widths[0] != widths[1] and sorted(widths) == [6] * 8 + [9]
    from dataclasses import replace

    config = replace(TINY, max_epochs=2, patience=5)
    model = keras_module.build_network(config, vocab_size=50)
    history = keras_module.train_network(model, batches, batches, config)
    assert len(history["val_loss"]) == 2
