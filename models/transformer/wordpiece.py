"""WordPiece encoding of tweets and length-bucketed, padded batches for transformer models.

Tweets are tokenized with the checkpoint's own WordPiece tokenizer (HF `tokenizers`), after
an optional `clean_tweet`. Batches group tweets of similar length so that little compute is
spent on padding; padded lengths are rounded up to a multiple of 8 to bound retracing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from models.preprocessing import clean_tweet

PAD_MULTIPLE = 8
POOL_BATCHES = 32  # shuffled training batches are sorted by length within pools of this many


def check_texts(texts: Sequence[str]) -> None:
    """Reject anything that is not a list of strings, naming the first bad row."""
    if isinstance(texts, str):
        raise TypeError("texts: expected a sequence of strings, got one string")
    for row, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{row}]: expected str, got {type(text).__name__}")


class WordPieceEncoder:
    """Tweets -> WordPiece ids ([CLS] ... [SEP]), truncated to `max_length`."""

    def __init__(self, tokenizer: Any, max_length: int, clean: bool) -> None:
        if max_length < 3:
            raise ValueError(f"max_length: must be at least 3, got {max_length}")
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.clean = clean
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length)
        self.unk_id = tokenizer.token_to_id("[UNK]")

    def encode(self, texts: Sequence[str]) -> list[np.ndarray]:
        check_texts(texts)
        prepared = [clean_tweet(t) for t in texts] if self.clean else list(texts)
        encodings = self.tokenizer.encode_batch(prepared)
        return [np.asarray(e.ids, dtype=np.int32) for e in encodings]

    def oov_rate(self, texts: Sequence[str]) -> float:
        """Share of [UNK] among the wordpieces of `texts` ([CLS]/[SEP] not counted)."""
        ids = self.encode(texts)
        pieces = sum(max(len(seq) - 2, 0) for seq in ids)
        unknown = sum(int(np.count_nonzero(seq == self.unk_id)) for seq in ids)
        return unknown / pieces if pieces else 0.0

    def to_json(self) -> str:
        json_text: str = self.tokenizer.to_str()
        return json_text


def bucketed_batches(
    lengths: np.ndarray, batch_size: int, rng: np.random.Generator | None = None
) -> list[np.ndarray]:
    """Index batches of similar lengths: sorted when `rng` is None, else shuffled by pools."""
    if batch_size < 1:
        raise ValueError(f"batch_size: must be positive, got {batch_size}")
    if rng is None:
        order = np.argsort(lengths, kind="stable")
        return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    order = rng.permutation(len(lengths))
    pool = batch_size * POOL_BATCHES
    batches = []
    for start in range(0, len(order), pool):
        chunk = order[start : start + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def padded_length(longest: int) -> int:
    return max(PAD_MULTIPLE, -(-longest // PAD_MULTIPLE) * PAD_MULTIPLE)


def pad_ids(sequences: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(token_ids, padding_mask), both int32 of shape (batch, padded length)."""
    width = padded_length(max(len(seq) for seq in sequences))
    token_ids = np.zeros((len(sequences), width), dtype=np.int32)
    mask = np.zeros((len(sequences), width), dtype=np.int32)
    for row, seq in enumerate(sequences):
        token_ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1
    return token_ids, mask
