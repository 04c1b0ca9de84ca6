"""Hyper-parameters of the Word2Vec + BiLSTM model; saved in its `model.json`.

Defaults are the production choice (experiments and their results: docs/lstm.md);
`LstmConfig.seed_architecture()` is the original spec: frozen Word2Vec embeddings,
last-state BiLSTM(128), Dropout(0.5).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

POOLINGS = ("last", "max")


@dataclass(frozen=True)
class LstmConfig:
    # Word2Vec (gensim CBOW) and vocabulary
    embedding_dim: int = 300
    w2v_epochs: int = 10
    min_count: int = 2
    max_vocab: int = 25_000
    pretrained_vectors: str | None = None  # KeyedVectors file the Word2Vec training starts from
    pretrained_limit: int | None = None  # read only the first N words of a word2vec file
    # Sub-words instead: a BERT-family checkpoint directory ("default": the project's
    # MiniLM) gives the vocabulary (its wordpieces) and the initial embeddings; no Word2Vec
    wordpieces: str | None = None
    # VADER's valence of each word (-1..1) as this many extra embedding columns; the
    # lexicon's words join the vocabulary even if training never saw them
    lexicon_dims: int = 0
    # Network
    lstm_units: int = 128
    pooling: str = "max"  # "last": final states; "max": max over time of all states
    trainable_embeddings: bool = True
    embedding_dropout: float = 0.2
    dropout: float = 0.5
    # Sequences: None takes this percentile of training lengths
    max_len: int | None = None
    max_len_percentile: float = 99.9
    # Optimisation
    learning_rate: float = 1e-3
    lr_decay: float = 1.0  # learning rate multiplied by this after each epoch (1.0: constant)
    batch_size: int = 64
    max_epochs: int = 20
    patience: int = 3
    seed: int = 42
    float16_embeddings: bool = True

    def __post_init__(self) -> None:
        for name in ("embedding_dim", "w2v_epochs", "min_count", "max_vocab", "lstm_units"):
            _require(name, getattr(self, name) >= 1, "must be >= 1")
        _require("lexicon_dims", self.lexicon_dims >= 0, "must be >= 0")
        for name in ("batch_size", "max_epochs", "patience"):
            _require(name, getattr(self, name) >= 1, "must be >= 1")
        _require("pooling", self.pooling in POOLINGS, f"must be one of {POOLINGS}")
        _require("dropout", 0 <= self.dropout < 1, "must be in [0, 1)")
        _require("embedding_dropout", 0 <= self.embedding_dropout < 1, "must be in [0, 1)")
        _require("learning_rate", self.learning_rate > 0, "must be > 0")
        _require("lr_decay", 0 < self.lr_decay <= 1, "must be in (0, 1]")
        _require(
            "wordpieces",
            self.wordpieces is None or not self.pretrained_vectors,
            "and pretrained_vectors are two sources of embeddings: set one",
        )
        _require(
            "lexicon_dims",
            not (self.lexicon_dims and self.wordpieces),
            "needs words: the lexicon does not apply to wordpieces",
        )
        _require("max_len", self.max_len is None or self.max_len >= 1, "must be >= 1 or None")
        _require("max_len_percentile", 0 < self.max_len_percentile <= 100, "must be in (0, 100]")

    @property
    def embedding_width(self) -> int:
        """Columns of the embedding matrix: the vectors and the lexicon's."""
        return self.embedding_dim + self.lexicon_dims

    @classmethod
    def seed_architecture(cls, **overrides: Any) -> LstmConfig:
        """The spec's starting point: frozen embeddings, last states, no embedding dropout."""
        seed = cls(trainable_embeddings=False, pooling="last", embedding_dropout=0.0)
        return replace(seed, **overrides)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LstmConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown LstmConfig fields: {', '.join(unknown)}")
        return cls(**data)


def _require(field: str, ok: bool, reason: str) -> None:
    if not ok:
        raise ValueError(f"LstmConfig.{field} {reason}")
