"""The BiLSTM on wordpieces: a tiny real checkpoint's vocabulary and embeddings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.kinds import load_model
from models.lstm.model import LstmConfig, LstmModel
from models.lstm.subwords import WORDPIECES_FILE, WordPieces, project
from models.transformer.checkpoint import wordpiece_from_vocab
from tests.models.bert_checkpoints import VOCAB, write_tiny_checkpoint
from tests.models.lstm.test_model import TINY

_GOOD, _BAD = (
    ["i", "love", "this", "airline", "great", "crew", "thanks", "best"],
    ["the", "flight", "delayed", "again", "awful", "worst"],
)
TEXTS = [" ".join((_GOOD if i % 2 else _BAD)[: 1 + i % 6]) + "!" * (i % 7) for i in range(120)]
LABELS = np.arange(120) % 2  # lengths vary inside every batch (Keras infers a ragged width)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> LstmModel:
    checkpoint = write_tiny_checkpoint(tmp_path_factory.mktemp("ckpt"))
    model = LstmModel(replace(TINY, embedding_dim=8, wordpieces=str(checkpoint)))
    model.fit(TEXTS[:100], LABELS[:100], TEXTS[100:], LABELS[100:])
    return model


def test_the_vocabulary_and_embedding_rows_are_the_checkpoints(fitted: LstmModel) -> None:
    assert isinstance(fitted.vocab, WordPieces) and len(fitted.vocab) == len(VOCAB)
    assert fitted.weights["embedding"].shape == (len(VOCAB), 8)
    assert fitted.metadata["vocab_size"] == len(VOCAB)


def test_an_unseen_word_is_made_of_known_pieces(fitted: LstmModel) -> None:
    [ids] = fitted.encode(["crews"])  # not a tweet word above: "crew" + "##s"
    assert [VOCAB[i] for i in ids] == ["crew", "##s"]
    assert fitted.oov_rate(["crews delayed"]) == 0.0
    assert fitted.oov_rate(["crews qqq"]) == pytest.approx(1 / 3)  # qqq is one [UNK]
    assert fitted.oov_rate([""]) == 0.0
    [empty] = fitted.encode([""])
    assert [VOCAB[i] for i in empty] == ["[UNK]"]


def test_text_the_tokenizer_cannot_take_is_still_scored(fitted: LstmModel) -> None:
    hostile = ["crew \ud800 delayed", "\x00\x01", "ＣＲＥＷ 😀 " * 200]  # surrogate, controls, long
    scores = fitted.predict_proba(hostile)
    assert scores.shape == (3,) and np.isfinite(scores).all()
    [ids] = fitted.encode(hostile[:1])
    assert [VOCAB[i] for i in ids] == ["crew", "?", "delayed"]  # the surrogate became "?"


def test_sequences_are_cut_at_max_len_in_wordpieces(fitted: LstmModel) -> None:
    [ids] = fitted.encode([" ".join(["crews"] * 50)])
    assert len(ids) == fitted.max_len < 100


def test_save_load_gives_identical_scores(fitted: LstmModel, tmp_path: Path) -> None:
    fitted.save(tmp_path)
    assert (tmp_path / WORDPIECES_FILE).is_file() and not (tmp_path / "vocab.json").exists()
    loaded = load_model(tmp_path)
    assert isinstance(loaded, LstmModel) and isinstance(loaded.vocab, WordPieces)
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), fitted.predict_proba(TEXTS))


def test_placeholders_become_one_reserved_piece(tmp_path: Path) -> None:
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join([*VOCAB, "[unused0]", "[unused1]", "<", ">", "url"]) + "\n")
    pieces = WordPieces(wordpiece_from_vocab(vocab))
    [ids] = pieces.encode_many([["<url>", "<user>", "<num>", "crew"]], 10)
    tokens = [pieces.tokenizer.id_to_token(i) for i in ids]
    assert tokens[:2] == ["[unused0]", "[unused1]"]  # no [unused2]: <num> is split
    assert tokens[2:] == ["<", "[UNK]", ">", "crew"]


def test_a_vocabulary_without_padding_at_zero_is_refused(tmp_path: Path) -> None:
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(["[UNK]", "[PAD]", "[CLS]", "[SEP]", "crew"]) + "\n")
    with pytest.raises(ValueError, match=r"\[PAD\] at id 0"):
        WordPieces(wordpiece_from_vocab(vocab))


def test_projection_keeps_the_main_axes_and_a_zero_padding_row() -> None:
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(200, 6)) * np.array([5.0, 3.0, 1.0, 0.1, 0.1, 0.1])
    projected = project(matrix, 3)
    assert projected.shape == (200, 3) and not projected[0].any()
    spread = projected[1:].std(axis=0)
    assert spread[0] > spread[1] > spread[2] > 0.5  # the three wide axes, widest first
    np.testing.assert_array_equal(project(matrix, 6)[1:], matrix[1:].astype(np.float32))
    with pytest.raises(ValueError, match="wider"):
        project(matrix, 7)


def test_wordpieces_and_pretrained_vectors_are_exclusive() -> None:
    with pytest.raises(ValueError, match="set one"):
        LstmConfig(wordpieces="default", pretrained_vectors="vectors.kv")


# Surrogates (Cs) are drawn only when asked for; the other categories cover letters, marks,
# digits, punctuation, symbols, spaces and control characters.
_ANY = st.characters(categories=("Cs", "L", "M", "N", "P", "S", "Z", "Cc", "Cf"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(_ANY, max_size=60), min_size=1, max_size=4))
def test_any_text_gets_a_score(fitted: LstmModel, texts: list[str]) -> None:
    scores = fitted.predict_proba(texts)
    assert scores.shape == (len(texts),) and ((scores >= 0) & (scores <= 1)).all()
    assert 0.0 <= fitted.oov_rate(texts) <= 1.0
