"""The production model: Word2Vec (CBOW) embeddings + bidirectional LSTM.

`LstmModel(config).fit(...)` trains Word2Vec on the training tweets (optionally seeded
from pretrained vectors), or takes a BERT-family checkpoint's wordpieces and token
embeddings (`config.wordpieces`), then trains the Keras network; `predict_proba` runs
the NumPy forward pass (`models.lstm.numpy_net`), so serving needs no TensorFlow. A saved
directory holds `model.json`, `vocab.json` (or `wordpieces.json`) and `weights.npz`
(embedding in float16 by default).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.lstm.config import LstmConfig
from models.lstm.fit import Labels, TokenIds, train
from models.lstm.numpy_net import NumpyBiLstm
from models.lstm.subwords import WordPieces
from models.lstm.vocab import Vocabulary
from models.manifest import Manifest
from models.preprocessing import PreprocessConfig, shared_preprocessor

WEIGHTS_FILE = "weights.npz"

__all__ = ["LstmConfig", "LstmModel"]


class LstmModel:
    kind = "lstm"

    def __init__(
        self, config: LstmConfig | None = None, preprocess: PreprocessConfig | None = None
    ) -> None:
        self.config = config or LstmConfig()
        self.preprocessor = shared_preprocessor(preprocess or PreprocessConfig())
        self.metadata: dict[str, Any] = {}
        self.vocab: TokenIds | None = None
        self.max_len = 0
        self.weights: dict[str, np.ndarray] = {}
        self.reference_scores: np.ndarray | None = None
        self._runtime: NumpyBiLstm | None = None

    def fit(
        self,
        texts: Sequence[str],
        labels: Labels,
        val_texts: Sequence[str],
        val_labels: Labels,
        sample_weight: np.ndarray | None = None,
        init: LstmModel | None = None,
        soft_labels: bool = False,
    ) -> dict[str, list[float]]:
        """Train embeddings and network; returns the per-epoch Keras history. `init` warm
        starts from a fitted model (its vocabulary, length and weights; no Word2Vec).
        `soft_labels`: `labels` are target probabilities in [0, 1] (distillation)."""
        started = time.perf_counter()
        start = None if init is None else (init._fitted_vocab(), init.max_len, init.weights)
        result = train(
            self.config,
            self.preprocessor,
            (texts, labels),
            (val_texts, val_labels),
            sample_weight,
            start,
            soft_labels,
        )
        self.vocab, self.max_len, self.weights = result.vocab, result.max_len, result.weights
        self._runtime = None
        self.metadata |= result.metadata | {
            "train_seconds": round(time.perf_counter() - started, 1)
        }
        return result.history

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of positive for each text, shape (n,), float32."""
        if not len(texts):
            return np.empty(0, dtype=np.float32)
        return self.runtime.predict(self.encode(texts))

    def encode(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Token ids per text, cut to `max_len` (an empty text is one OOV id)."""
        return self._fitted_vocab().encode_many(self.tokenize(texts), self.max_len)

    def oov_rate(self, texts: Sequence[str]) -> float:
        return self._fitted_vocab().oov_rate(self.tokenize(texts))

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Tokens per text; the last batch is remembered, as the stream asks for its
        scores and then its OOV rate."""
        batch = list(texts)
        for row, text in enumerate(batch):
            if not isinstance(text, str):
                raise TypeError(f"texts[{row}]: expected str, got {type(text).__name__}")
        return self.preprocessor.tokenize_batch(batch)

    @property
    def runtime(self) -> NumpyBiLstm:
        if self._runtime is None:
            self._fitted_vocab()
            self._runtime = NumpyBiLstm(self.weights, self.config.pooling)
        return self._runtime

    def save(self, path: Path) -> None:
        path = Path(path)
        entries = {
            "config": self.config.to_dict(),
            "preprocess": self.preprocessor.config.to_dict(),
            "max_len": self.max_len,
        }
        Manifest(self.kind, entries, self.metadata, self.reference_scores).save(path)
        self._fitted_vocab().save(path)
        embedding_dtype = np.float16 if self.config.float16_embeddings else np.float32
        stored = self.weights | {"embedding": self.weights["embedding"].astype(embedding_dtype)}
        np.savez(path / WEIGHTS_FILE, **stored)

    @classmethod
    def load(cls, path: Path) -> LstmModel:
        path = Path(path)
        saved = Manifest.load(path, cls.kind)
        model = cls(
            LstmConfig.from_dict(saved.entries["config"]),
            PreprocessConfig.from_dict(saved.entries["preprocess"]),
        )
        model.vocab = (WordPieces if model.config.wordpieces else Vocabulary).load(path)
        model.max_len = int(saved.entries["max_len"])
        model.metadata, model.reference_scores = saved.metadata, saved.reference_scores
        with np.load(path / WEIGHTS_FILE) as stored:
            model.weights = {name: stored[name].astype(np.float32) for name in stored.files}
        model._runtime = NumpyBiLstm(model.weights, model.config.pooling)  # now, not on a tweet
        return model

    def _fitted_vocab(self) -> TokenIds:
        if self.vocab is None:
            raise RuntimeError("LstmModel is not fitted: call fit() or LstmModel.load() first")
        return self.vocab
