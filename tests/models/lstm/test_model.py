"""LstmModel on tiny data: one epoch, tiny dimensions (behaviour on a real model lives in
the training tests)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from models.kinds import load_model
from models.lstm.model import LstmConfig, LstmModel
from models.lstm.vocab import pad_batch
from models.manifest import save_reference_scores

TINY = LstmConfig(embedding_dim=16, lstm_units=8, max_epochs=1, w2v_epochs=1, batch_size=32)


@pytest.fixture(scope="module")
def tiny_data() -> tuple[list[str], np.ndarray]:
    """300 real tweets, both classes, shuffled."""
    from models.data import DEFAULT_DATA, load_dataset
    from models.splits import stratified_sample

    sample = stratified_sample(load_dataset(DEFAULT_DATA), 300, seed=7)
    order = np.random.default_rng(7).permutation(300)
    return [sample.texts[i] for i in order], sample.labels[order]


@pytest.fixture(scope="module", params=["max", "last"])
def fitted(request: pytest.FixtureRequest, tiny_data: tuple[list[str], np.ndarray]) -> LstmModel:
    texts, labels = tiny_data
    model = LstmModel(replace(TINY, pooling=request.param))
    model.history = model.fit(texts[:240], labels[:240], texts[240:], labels[240:])  # type: ignore[attr-defined]
    return model


def test_fit_returns_per_epoch_history(fitted: LstmModel) -> None:
    history = fitted.history  # type: ignore[attr-defined]
    for name in ("loss", "val_loss", "accuracy", "val_accuracy", "val_auc"):
        assert len(history[name]) == 1, name
    assert fitted.metadata["train_rows"] == 240
    assert fitted.metadata["vocab_size"] == len(fitted.vocab)  # type: ignore[arg-type]


def test_predict_proba_shape_and_range(
    fitted: LstmModel, tiny_data: tuple[list[str], np.ndarray]
) -> None:
    scores = fitted.predict_proba(tiny_data[0][:50])
    assert scores.shape == (50,)
    assert scores.dtype == np.float32
    assert np.all((scores >= 0) & (scores <= 1))
    assert fitted.predict_proba([]).shape == (0,)


def test_save_load_gives_identical_scores(
    fitted: LstmModel, tiny_data: tuple[list[str], np.ndarray], tmp_path: Path
) -> None:
    fitted.save(tmp_path)
    manifest = json.loads((tmp_path / "model.json").read_text())
    assert manifest["kind"] == "lstm"
    assert manifest["max_len"] == fitted.max_len
    assert manifest["config"]["pooling"] == fitted.config.pooling
    assert "lemmatize" in manifest["preprocess"]
    with np.load(tmp_path / "weights.npz") as stored:
        assert stored["embedding"].dtype == np.float16
    loaded = load_model(tmp_path)
    assert isinstance(loaded, LstmModel)
    texts = tiny_data[0]
    np.testing.assert_array_equal(loaded.predict_proba(texts), fitted.predict_proba(texts))


def test_reference_scores_travel_with_the_model(fitted: LstmModel, tmp_path: Path) -> None:
    fitted.save(tmp_path)
    save_reference_scores(tmp_path, np.array([0.1, 0.9]))
    loaded = LstmModel.load(tmp_path)
    np.testing.assert_allclose(loaded.reference_scores, [0.1, 0.9], rtol=1e-6)  # type: ignore[arg-type]


def test_save_keeps_the_reference_scores_it_holds(fitted: LstmModel, tmp_path: Path) -> None:
    held, fitted.reference_scores = fitted.reference_scores, np.array([0.2, 0.7], np.float32)
    try:
        fitted.save(tmp_path)
    finally:
        fitted.reference_scores = held
    loaded = load_model(tmp_path)
    np.testing.assert_allclose(loaded.reference_scores, np.array([0.2, 0.7]), rtol=1e-6)  # type: ignore[attr-defined]


def test_single_tweet_scores_equal_batch_scores(
    fitted: LstmModel, tiny_data: tuple[list[str], np.ndarray]
) -> None:
    long_text = " ".join(tiny_data[0][:10])  # longer than max_len: truncated the same way
    texts = [*tiny_data[0][:40], long_text, "", "!!!"]
    batch = fitted.predict_proba(texts)
    single = np.array([fitted.predict_proba([text])[0] for text in texts])
    np.testing.assert_allclose(single, batch, atol=1e-5, rtol=0)


def test_numpy_runtime_matches_keras_network(
    fitted: LstmModel, tiny_data: tuple[list[str], np.ndarray]
) -> None:
    texts = tiny_data[0][:64]
    padded = pad_batch(fitted.encode(texts))
    assert (padded == 0).any(), "the batch must contain padding for this test to mean something"
    from models.lstm.keras_net import network_with

    network = network_with(fitted.config, fitted.weights)
    keras_scores = np.asarray(network(padded, training=False))[:, 0]
    np.testing.assert_allclose(fitted.predict_proba(texts), keras_scores, atol=1e-5, rtol=0)


def test_oov_rate_counts_unknown_tokens(fitted: LstmModel) -> None:
    known = [t for t in fitted.vocab.tokens[2:] if t.isalpha()][:2]  # type: ignore[union-attr]
    assert fitted.oov_rate([" ".join(known)]) == 0.0
    assert fitted.oov_rate(["qxzzyv wvkkqj"]) == 1.0
    assert fitted.oov_rate([f"{known[0]} qxzzyv", f"{known[1]} wvkkqj"]) == 0.5
    assert fitted.oov_rate([""]) == 0.0


def test_predict_rejects_non_text_naming_the_row(fitted: LstmModel) -> None:
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        fitted.predict_proba(["fine", None])  # type: ignore[list-item]


def test_unfitted_model_says_so() -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        LstmModel(TINY).predict_proba(["hello"])


@pytest.mark.parametrize(
    ("labels", "message"),
    [([0, 1, 2], r"train row 2: label must be 0 or 1"), ([0, 1], r"3 texts but 2 labels")],
)
def test_fit_rejects_bad_labels_naming_the_row(labels: list[int], message: str) -> None:
    model = LstmModel(TINY)
    with pytest.raises(ValueError, match=message):
        model.fit(["a b", "c d", "e f"], labels, ["a b"], [1])


def test_config_validation_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"LstmConfig\.pooling"):
        LstmConfig(pooling="mean")
    with pytest.raises(ValueError, match=r"LstmConfig\.dropout"):
        LstmConfig(dropout=1.0)
    with pytest.raises(ValueError, match="unknown LstmConfig fields: colour"):
        LstmConfig.from_dict({"colour": "blue"})
    assert LstmConfig.from_dict(LstmConfig().to_dict()) == LstmConfig()
