"""WordPiece sub-word ids for the LSTM, and input embeddings taken from a BERT-family model.

The tweet is tokenized by the shared `Preprocessor` first (same words as the Word2Vec
model); each word is then split into the checkpoint's wordpieces, so an unseen word is
still made of known pieces. The URL, user and number placeholders become one reserved
wordpiece each (`[unused0-2]`) when the vocabulary has them. Ids are the checkpoint's own,
so its `[PAD]` (id 0) is the padding the network masks. The tokenizer travels with the
model as `wordpieces.json`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.preprocessing import NUMBER_TOKEN, URL_TOKEN, USER_TOKEN

WORDPIECES_FILE = "wordpieces.json"
DEFAULT_CHECKPOINT = "default"  # models.transformer.checkpoint.default_checkpoint()
PLACEHOLDERS = {URL_TOKEN: "[unused0]", USER_TOKEN: "[unused1]", NUMBER_TOKEN: "[unused2]"}
UNK = "[UNK]"
PAD = "[PAD]"


class WordPieces:
    """Words -> wordpiece ids with the checkpoint's vocabulary (the LSTM's `Vocabulary` API)."""

    def __init__(self, tokenizer: Any) -> None:
        tokenizer.no_padding()
        tokenizer.no_truncation()
        tokenizer.post_processor = None  # no [CLS] / [SEP]
        if tokenizer.token_to_id(PAD) != 0 or tokenizer.token_to_id(UNK) is None:
            raise ValueError(f"a WordPiece vocabulary needs {PAD} at id 0 and an {UNK} token")
        reserved = [piece for piece in PLACEHOLDERS.values() if tokenizer.token_to_id(piece)]
        tokenizer.add_special_tokens(reserved)  # matched whole, never split
        self.tokenizer = tokenizer
        self.unk_id: int = tokenizer.token_to_id(UNK)
        self._placeholders = {k: v for k, v in PLACEHOLDERS.items() if v in reserved}

    def __len__(self) -> int:
        size: int = self.tokenizer.get_vocab_size()
        return size

    def encode_many(self, token_lists: Sequence[Sequence[str]], max_len: int) -> list[np.ndarray]:
        """Ids of the first `max_len` wordpieces of each text; an empty text is one [UNK]."""
        words = [[self._placeholders.get(t, _utf8(t)) for t in tokens] for tokens in token_lists]
        pieces = self.tokenizer.encode_batch(words, is_pretokenized=True, add_special_tokens=False)
        return [np.asarray(p.ids[:max_len] or [self.unk_id], dtype=np.int32) for p in pieces]

    def lengths(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """Wordpieces per text, uncut."""
        return np.array([len(ids) for ids in self.encode_many(token_lists, 1 << 30)])

    def oov_rate(self, token_lists: Iterable[Sequence[str]]) -> float:
        """Share of wordpieces that are [UNK] (0.0 when there are none)."""
        texts = [tokens for tokens in token_lists if tokens]
        ids = self.encode_many(texts, 1 << 30)
        total = sum(len(seq) for seq in ids)
        unknown = sum(int(np.count_nonzero(seq == self.unk_id)) for seq in ids)
        return unknown / total if total else 0.0

    def save(self, directory: Path) -> None:
        (Path(directory) / WORDPIECES_FILE).write_text(self.tokenizer.to_str())

    @classmethod
    def load(cls, directory: Path) -> WordPieces:
        from tokenizers import Tokenizer

        file = Path(directory) / WORDPIECES_FILE
        if not file.is_file():
            raise FileNotFoundError(f"{directory} holds no WordPiece vocabulary: {file.name}")
        return cls(Tokenizer.from_file(str(file)))


def _utf8(token: str) -> str:
    """The token, with any lone surrogate (which `tokenizers` cannot take) as "?"."""
    return token if token.isascii() else token.encode("utf-8", "replace").decode("utf-8")


def from_checkpoint(checkpoint: str, dim: int) -> tuple[WordPieces, np.ndarray]:
    """The checkpoint's wordpieces and its input token embeddings, projected onto their
    first `dim` principal axes when `dim` is smaller than the checkpoint's width."""
    from models.transformer.checkpoint import default_checkpoint, load_tokenizer

    path = default_checkpoint() if checkpoint == DEFAULT_CHECKPOINT else Path(checkpoint)
    pieces = WordPieces(load_tokenizer(path))
    matrix = _token_embeddings(path)
    if len(matrix) != len(pieces):
        raise ValueError(f"{path}: {len(matrix)} embeddings for {len(pieces)} wordpieces")
    return pieces, project(matrix, dim)


def _token_embeddings(path: Path) -> np.ndarray:
    from safetensors import safe_open

    with safe_open(str(path / "model.safetensors"), framework="numpy") as weights:
        names = [k for k in weights.keys() if k.endswith("embeddings.word_embeddings.weight")]  # noqa: SIM118
        if len(names) != 1:
            raise ValueError(f"{path}: expected one word_embeddings weight, found {names}")
        matrix: np.ndarray = weights.get_tensor(names[0])
    return matrix.astype(np.float32)


def project(matrix: np.ndarray, dim: int) -> np.ndarray:
    """Rows centred and projected onto the top `dim` principal axes (PCA); `dim` equal to
    the width keeps the matrix as it is. Padding (row 0) stays zero."""
    width = matrix.shape[1]
    if dim > width:
        raise ValueError(f"embedding_dim {dim} is wider than the checkpoint's {width}")
    if dim == width:
        projected = matrix.copy()
    else:
        centred = matrix - matrix.mean(axis=0)
        _, _, axes = np.linalg.svd(centred, full_matrices=False)
        projected = centred @ axes[:dim].T
    projected[0] = 0.0
    return projected.astype(np.float32)
