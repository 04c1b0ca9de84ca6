"""The LSTM's vocabulary: token -> integer id, with padding and out-of-vocabulary ids.

Id 0 pads a batch to its longest sequence (masked by the network), id 1 stands for any
token outside the vocabulary. The vocabulary travels with the model as `vocab.json`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

PAD_ID = 0
OOV_ID = 1
VOCAB_FILE = "vocab.json"
_RESERVED = ("<pad>", "<oov>")


class Vocabulary:
    """Frequent training tokens, most frequent first, after the two reserved ids."""

    def __init__(self, tokens: Sequence[str]) -> None:
        duplicates = len(tokens) - len(set(tokens))
        if duplicates:
            raise ValueError(f"vocabulary tokens must be unique ({duplicates} duplicates)")
        self.tokens = list(_RESERVED) + [t for t in tokens if t not in _RESERVED]
        self._ids = {token: i for i, token in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: object) -> bool:
        return token in self._ids and self._ids[token] > OOV_ID

    @classmethod
    def build(
        cls, token_lists: Iterable[Sequence[str]], min_count: int, max_size: int
    ) -> Vocabulary:
        """Tokens seen at least `min_count` times, the `max_size` most frequent at most."""
        counts = Counter(tok for tokens in token_lists for tok in tokens)
        frequent = [(tok, n) for tok, n in counts.items() if n >= min_count]
        frequent.sort(key=lambda item: (-item[1], item[0]))
        return cls([tok for tok, _ in frequent[: max(max_size - len(_RESERVED), 0)]])

    def encode(self, tokens: Sequence[str], max_len: int) -> np.ndarray:
        """Ids of the first `max_len` tokens; an empty text becomes one OOV id."""
        ids = [self._ids.get(tok, OOV_ID) for tok in tokens[:max_len]]
        return np.asarray(ids or [OOV_ID], dtype=np.int32)

    def encode_many(self, token_lists: Sequence[Sequence[str]], max_len: int) -> list[np.ndarray]:
        return [self.encode(tokens, max_len) for tokens in token_lists]

    def lengths(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """Tokens per text, uncut."""
        return np.array([len(tokens) for tokens in token_lists])

    def oov_rate(self, token_lists: Iterable[Sequence[str]]) -> float:
        """Share of tokens outside the vocabulary (0.0 when there are no tokens)."""
        total = unknown = 0
        for tokens in token_lists:
            total += len(tokens)
            unknown += sum(1 for tok in tokens if tok not in self)
        return unknown / total if total else 0.0

    def save(self, directory: Path) -> None:
        (Path(directory) / VOCAB_FILE).write_text(json.dumps(self.tokens[len(_RESERVED) :]))

    @classmethod
    def load(cls, directory: Path) -> Vocabulary:
        file = Path(directory) / VOCAB_FILE
        if not file.is_file():
            raise FileNotFoundError(
                f"{directory} holds no LSTM vocabulary: {VOCAB_FILE} is missing"
            )
        tokens = json.loads(file.read_text())
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            raise ValueError(f"{file}: expected a JSON list of token strings")
        return cls(tokens)


def pad_batch(sequences: Sequence[np.ndarray]) -> np.ndarray:
    """Right-pad id sequences with PAD_ID to the longest one in this batch."""
    width = max(len(seq) for seq in sequences)
    batch = np.full((len(sequences), width), PAD_ID, dtype=np.int32)
    for row, seq in enumerate(sequences):
        batch[row, : len(seq)] = seq
    return batch
