"""Word2Vec embeddings, optionally seeded from a pretrained KeyedVectors file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.lstm.embeddings import embedding_matrix, load_keyed_vectors, train_word2vec
from models.lstm.model import LstmConfig, LstmModel
from models.lstm.vocab import Vocabulary

DIM = 8
WORDS = ["flight", "delayed", "great", "crew", "lost", "bag", "thanks", "awful"]
CORPUS = [
    ["flight", "delayed", "again", "awful"],
    ["great", "crew", "thanks"],
    ["lost", "my", "bag", "awful", "flight"],
    ["thanks", "great", "flight", "crew"],
] * 20


@pytest.fixture
def pretrained_file(tmp_path: Path) -> Path:
    """A tiny KeyedVectors file in word2vec text format, plus one word the corpus lacks."""
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(3)
    vectors = KeyedVectors(vector_size=DIM)
    vectors.add_vectors([*WORDS, "elsewhere"], rng.normal(size=(len(WORDS) + 1, DIM)))
    path = tmp_path / "tiny_vectors.txt"
    vectors.save_word2vec_format(str(path), binary=False)
    return path


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_training_starts_from_pretrained_vectors(pretrained_file: Path) -> None:
    pretrained = load_keyed_vectors(pretrained_file)
    seeded, count = train_word2vec(
        CORPUS, DIM, min_count=1, epochs=1, seed=1, pretrained=pretrained
    )
    fresh, none = train_word2vec(CORPUS, DIM, min_count=1, epochs=1, seed=1)
    assert (count, none) == (len(WORDS), 0)
    for word in WORDS:
        assert _cosine(seeded[word], pretrained[word]) > 0.9, word
    assert np.mean([_cosine(fresh[w], pretrained[w]) for w in WORDS]) < 0.5


def test_pretrained_dimension_mismatch_is_explained(pretrained_file: Path) -> None:
    pretrained = load_keyed_vectors(pretrained_file)
    with pytest.raises(ValueError, match="8 dimensions, but embedding_dim is 16"):
        train_word2vec(CORPUS, 16, min_count=1, epochs=1, seed=1, pretrained=pretrained)


def test_missing_pretrained_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nowhere\.bin"):
        load_keyed_vectors(tmp_path / "nowhere.bin")


def test_native_keyed_vectors_format_loads(pretrained_file: Path, tmp_path: Path) -> None:
    native = tmp_path / "tiny.kv"
    load_keyed_vectors(pretrained_file).save(str(native))
    assert load_keyed_vectors(native).index_to_key[: len(WORDS)] == WORDS


def test_embedding_matrix_rows_follow_vocabulary(pretrained_file: Path) -> None:
    vectors = load_keyed_vectors(pretrained_file)
    vocab = Vocabulary(["crew", "unseen"])
    matrix = embedding_matrix(vocab, vectors, seed=0)
    assert matrix.shape == (4, DIM)
    assert not matrix[:2].any()  # padding and OOV
    np.testing.assert_allclose(matrix[2], vectors["crew"], rtol=1e-6)
    assert 0 < np.abs(matrix[3]).max() < 0.5  # small noise for a word without a vector


def test_lstm_model_fits_from_a_pretrained_file(pretrained_file: Path) -> None:
    texts = [" ".join(tokens) for tokens in CORPUS]
    labels = [0, 1, 0, 1] * 20
    config = LstmConfig(
        embedding_dim=DIM,
        lstm_units=4,
        max_epochs=1,
        w2v_epochs=1,
        min_count=1,
        pretrained_vectors=str(pretrained_file),
    )
    model = LstmModel(config)
    model.fit(texts, labels, texts[:8], labels[:8])
    assert model.metadata["pretrained_words"] == len(WORDS)
    assert model.predict_proba(["great crew"]).shape == (1,)
