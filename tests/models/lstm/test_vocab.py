"""The LSTM vocabulary and batch padding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.lstm.vocab import OOV_ID, PAD_ID, Vocabulary, pad_batch

CORPUS = [["good", "flight", "good"], ["bad", "flight"], ["good", "crew"], ["late"]]


def test_build_keeps_frequent_tokens_most_frequent_first() -> None:
    vocab = Vocabulary.build(CORPUS, min_count=2, max_size=10)
    assert vocab.tokens == ["<pad>", "<oov>", "good", "flight"]
    capped = Vocabulary.build(CORPUS, min_count=1, max_size=4)
    assert capped.tokens[2:] == ["good", "flight"]


def test_encode_truncates_and_maps_unknown_tokens() -> None:
    vocab = Vocabulary(["good", "flight"])
    assert vocab.encode(["good", "awful", "flight"], max_len=10).tolist() == [2, OOV_ID, 3]
    assert vocab.encode(["good", "flight", "good"], max_len=2).tolist() == [2, 3]
    assert vocab.encode([], max_len=5).tolist() == [OOV_ID]


def test_oov_rate() -> None:
    vocab = Vocabulary(["good", "flight"])
    assert vocab.oov_rate([["good", "awful"], ["flight", "delay", "good", "bad"]]) == 0.5
    assert vocab.oov_rate([[]]) == 0.0
    assert "<pad>" not in vocab and "good" in vocab


def test_save_load_round_trip(tmp_path: Path) -> None:
    vocab = Vocabulary.build(CORPUS, min_count=1, max_size=100)
    vocab.save(tmp_path)
    assert Vocabulary.load(tmp_path).tokens == vocab.tokens


def test_bad_vocabularies_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="1 duplicates"):
        Vocabulary(["a", "b", "a"])
    with pytest.raises(FileNotFoundError, match=r"vocab\.json is missing"):
        Vocabulary.load(tmp_path)
    (tmp_path / "vocab.json").write_text('{"a": 1}')
    with pytest.raises(ValueError, match="JSON list of token strings"):
        Vocabulary.load(tmp_path)


def test_pad_batch_pads_to_the_longest_sequence_only() -> None:
    batch = pad_batch([np.array([5, 6]), np.array([7, 8, 9]), np.array([4])])
    assert batch.shape == (3, 3)
    assert batch.tolist() == [[5, 6, PAD_ID], [7, 8, 9], [4, PAD_ID, PAD_ID]]
