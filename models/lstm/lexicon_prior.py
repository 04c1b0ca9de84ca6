"""VADER's lexicon as a prior in the BiLSTM's embeddings (`LstmConfig.lexicon_dims`).

Each lexicon entry that the shared `Preprocessor` reads as one token gives that token a
valence (VADER's mean rating / 4, so -1..1). The embedding matrix gets `dims` more
columns holding it (0 for words the lexicon does not rate), and the lexicon's words join
the vocabulary even when the training tweets never used them: such a word starts from
small noise in the vector columns and keeps its valence, since it gets no gradient.
"""

from __future__ import annotations

import numpy as np

from models.lstm.vocab import OOV_ID, PAD_ID, Vocabulary
from models.preprocessing import Preprocessor

VADER_MAX_RATING = 4.0


def token_valences(preprocessor: Preprocessor) -> dict[str, float]:
    """Token -> valence in [-1, 1], for the lexicon entries that tokenize to one token
    (entries that meet on a token, like `:)` and `smile`, are averaged)."""
    from models.lexicon import analyzer

    ratings: dict[str, list[float]] = {}
    for entry, rating in analyzer().lexicon.items():
        tokens = preprocessor.tokenize(entry)
        if len(tokens) == 1:
            ratings.setdefault(tokens[0], []).append(float(rating))
    return {
        token: float(np.clip(np.mean(values) / VADER_MAX_RATING, -1.0, 1.0))
        for token, values in ratings.items()
    }


def with_lexicon(
    vocab: Vocabulary, matrix: np.ndarray, valences: dict[str, float], dims: int, seed: int
) -> tuple[Vocabulary, np.ndarray]:
    """The vocabulary plus the lexicon's unseen tokens, and the matrix plus `dims`
    valence columns (rows: the same ids, then the added tokens)."""
    known = set(vocab.tokens)
    added = sorted(token for token in valences if token not in known)
    extended = Vocabulary(vocab.tokens[OOV_ID + 1 :] + added)
    noise = np.random.default_rng(seed).normal(0.0, 0.05, size=(len(added), matrix.shape[1]))
    vectors = np.vstack([matrix, noise.astype(matrix.dtype)])
    column = np.array([valences.get(token, 0.0) for token in extended.tokens], dtype=matrix.dtype)
    column[[PAD_ID, OOV_ID]] = 0.0
    return extended, np.hstack([vectors, np.repeat(column[:, None], dims, axis=1)])
