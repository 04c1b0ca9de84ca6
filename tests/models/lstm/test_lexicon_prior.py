"""VADER's valences as embedding columns: the real lexicon, and a tiny BiLSTM that keeps them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from models.lstm.lexicon_prior import token_valences, with_lexicon
from models.lstm.model import LstmConfig, LstmModel
from models.lstm.vocab import OOV_ID, PAD_ID, Vocabulary
from models.preprocessing import Preprocessor

TINY = LstmConfig(embedding_dim=8, lstm_units=4, max_epochs=2, w2v_epochs=1, batch_size=8)
TEXTS = ["the flight was late again", "love the crew, great flight"] * 20
LABELS = np.array([0, 1] * 20)


@pytest.fixture(scope="module")
def valences() -> dict[str, float]:
    return token_valences(Preprocessor())


def test_valences_are_vaders_ratings_scaled_to_one(valences: dict[str, float]) -> None:
    assert valences["great"] == pytest.approx(3.1 / 4)
    assert valences["horrible"] == pytest.approx(-2.5 / 4)
    assert all(-1 <= v <= 1 for v in valences.values())
    assert len(valences) > 7_000  # nearly all of the 7,502 entries are one token


def test_entries_meeting_on_a_token_are_averaged(valences: dict[str, float]) -> None:
    from models.lexicon import analyzer

    lexicon = analyzer().lexicon
    # ":(" becomes the token "sad" (models.preprocessing), so both ratings count
    assert ":(" in lexicon and "sad" in lexicon
    ratings = [r for entry, r in lexicon.items() if Preprocessor().tokenize(entry) == ["sad"]]
    assert len(ratings) > 1
    assert valences["sad"] == pytest.approx(np.mean(ratings) / 4)


def test_with_lexicon_keeps_ids_and_appends_unseen_words() -> None:
    vocab = Vocabulary(["flight", "great"])
    matrix = np.arange(4 * 3, dtype=np.float32).reshape(4, 3)
    extended, wide = with_lexicon(vocab, matrix, {"great": 0.75, "awful": -0.5}, 2, seed=0)
    assert extended.tokens == ["<pad>", "<oov>", "flight", "great", "awful"]
    assert wide.shape == (5, 5)
    np.testing.assert_array_equal(wide[:4, :3], matrix)  # the same ids keep their vectors
    np.testing.assert_array_equal(wide[:, 3:], [[0, 0], [0, 0], [0, 0], [0.75] * 2, [-0.5] * 2])
    assert np.abs(wide[4, :3]).max() < 0.5  # an unseen word starts from small noise


def test_reserved_tokens_get_no_valence() -> None:
    vocab = Vocabulary(["ok"])
    extended, wide = with_lexicon(vocab, np.zeros((3, 2), np.float32), {"<oov>": 1.0}, 1, 0)
    assert len(extended) == 3
    assert wide[[PAD_ID, OOV_ID], 2].tolist() == [0.0, 0.0]


@pytest.fixture(scope="module")
def fitted() -> LstmModel:
    model = LstmModel(replace(TINY, lexicon_dims=3))
    model.fit(TEXTS, LABELS, TEXTS[:8], LABELS[:8])
    return model


def test_a_fitted_model_reads_words_it_never_trained_on(
    fitted: LstmModel, valences: dict[str, float]
) -> None:
    vocab = fitted.vocab
    assert isinstance(vocab, Vocabulary)
    assert "horrible" in vocab and "horrible" not in " ".join(TEXTS)
    assert fitted.weights["embedding"].shape == (len(vocab), 8 + 3)
    row = fitted.weights["embedding"][vocab.encode(["horrible"], 1)[0]]
    # no gradient reaches a word no tweet used: its valence columns are the lexicon's
    np.testing.assert_allclose(row[8:], [valences["horrible"]] * 3, atol=1e-3)
    assert fitted.oov_rate(["the horrible flight"]) == 0.0


def test_the_lexicon_model_saves_and_loads(fitted: LstmModel, tmp_path: Path) -> None:
    fitted.save(tmp_path)
    loaded = LstmModel.load(tmp_path)
    assert loaded.config.lexicon_dims == 3
    texts = ["horrible delay", "great crew", ""]
    np.testing.assert_allclose(loaded.predict_proba(texts), fitted.predict_proba(texts), atol=1e-6)


def test_the_lexicon_needs_words_not_wordpieces() -> None:
    with pytest.raises(ValueError, match="lexicon_dims needs words"):
        LstmConfig(lexicon_dims=2, wordpieces="default")
    with pytest.raises(ValueError, match="lexicon_dims must be >= 0"):
        LstmConfig(lexicon_dims=-1)
