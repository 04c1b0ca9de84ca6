"""Word2Vec (gensim, CBOW) on the training tweets -> the LSTM's embedding matrix.

Optionally the vectors start from a pretrained KeyedVectors file (GoogleNews-style
`.bin`, word2vec text `.txt`/`.vec`, or gensim's own `.kv`) and are then trained further
on the tweets, so every vocabulary word lives in one vector space.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.lstm.vocab import OOV_ID, PAD_ID, Vocabulary


def load_keyed_vectors(path: Path | str, limit: int | None = None) -> Any:
    """Read a KeyedVectors file; word2vec formats may be cut to their `limit` first words."""
    from gensim.models import KeyedVectors

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"pretrained vectors file not found: {path}")
    if path.suffix in {".bin", ".gz"}:
        return KeyedVectors.load_word2vec_format(str(path), binary=True, limit=limit)
    if path.suffix in {".txt", ".vec"}:
        return KeyedVectors.load_word2vec_format(str(path), binary=False, limit=limit)
    return KeyedVectors.load(str(path))


def train_word2vec(
    token_lists: Sequence[Sequence[str]],
    dim: int,
    min_count: int,
    epochs: int,
    seed: int,
    pretrained: Any | None = None,
) -> tuple[Any, int]:
    """CBOW vectors for the corpus; returns them and how many started from `pretrained`."""
    from gensim.models import Word2Vec

    w2v = Word2Vec(vector_size=dim, window=5, min_count=min_count, sg=0, workers=2, seed=seed)
    w2v.build_vocab(token_lists)
    seeded = _seed_from_pretrained(w2v.wv, pretrained) if pretrained is not None else 0
    w2v.train(token_lists, total_examples=w2v.corpus_count, epochs=epochs)
    return w2v.wv, seeded


def _seed_from_pretrained(wv: Any, pretrained: Any) -> int:
    if pretrained.vector_size != wv.vector_size:
        raise ValueError(
            f"pretrained vectors have {pretrained.vector_size} dimensions, "
            f"but embedding_dim is {wv.vector_size}: set embedding_dim to match"
        )
    shared = [word for word in wv.index_to_key if word in pretrained.key_to_index]
    for word in shared:
        wv.vectors[wv.key_to_index[word]] = pretrained[word]
    return len(shared)


def embedding_matrix(vocab: Vocabulary, wv: Any, seed: int) -> np.ndarray:
    """One row per vocabulary id; padding and OOV rows are zero, unseen words small noise."""
    rng = np.random.default_rng(seed)
    matrix = rng.normal(0.0, 0.05, size=(len(vocab), wv.vector_size)).astype(np.float32)
    matrix[[PAD_ID, OOV_ID]] = 0.0
    for index, token in enumerate(vocab.tokens):
        if index > OOV_ID and token in wv.key_to_index:
            matrix[index] = wv[token]
    return matrix
