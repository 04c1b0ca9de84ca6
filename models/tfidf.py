"""The baseline: TF-IDF (word and optional character n-grams) + L2 logistic regression.

Everything is one scikit-learn `Pipeline` whose first step is the shared `Preprocessor`,
so the pipeline alone (saved with skops, or logged as MLflow's sklearn flavour) scores
raw tweets. A saved directory holds `model.json` and `pipeline.skops` (skops: loading
trusts only the types in `SKOPS_TRUSTED`, no arbitrary pickles).
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from models.char_ngrams import CharNgramTfidf
from models.manifest import Manifest
from models.preprocessing import PreprocessConfig, shared_preprocessor

PIPELINE_FILE = "pipeline.skops"
#: The project's own types inside the pipeline, the only non-sklearn types skops may load.
SKOPS_TRUSTED = [
    "models.preprocessing.PreprocessConfig",
    "models.tfidf.tokens_as_text",
    "models.tfidf.split_tokens",
    "models.char_ngrams.CharNgramTfidf",
]


@dataclass(frozen=True)
class TfidfConfig:
    max_features: int = 5000  # word n-gram features kept (most frequent)
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] | None = None  # e.g. (2, 5): adds char_wb n-grams
    char_max_features: int = 20_000
    min_df: int = 2
    sublinear_tf: bool = True
    C: float = 1.0  # inverse L2 regularisation strength
    max_iter: int = 1000
    preprocessing: PreprocessConfig = field(default_factory=PreprocessConfig)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TfidfConfig:
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["preprocessing"] = PreprocessConfig.from_dict(values.get("preprocessing", {}))
        for key in ("word_ngrams", "char_ngrams"):
            values[key] = tuple(values[key]) if values.get(key) else None
        return cls(**values)


def tokens_as_text(texts: Any, config: PreprocessConfig) -> list[str]:
    """The shared tokenizer's tokens joined by spaces (tokens never contain spaces).

    Also takes a DataFrame with a `text` column (MLflow's sklearn flavour passes one).
    """
    if hasattr(texts, "columns"):
        texts = texts["text"]
    preprocessor = shared_preprocessor(config)
    return [" ".join(preprocessor.tokenize(text)) for text in texts]


def split_tokens(text: str) -> list[str]:
    """Undo `tokens_as_text`'s join (a named function, so skops can allow-list it)."""
    return text.split()


def build_pipeline(config: TfidfConfig, seed: int = 42) -> Any:
    """tokens -> TF-IDF features -> logistic regression, all scikit-learn."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer

    common = {"min_df": config.min_df, "sublinear_tf": config.sublinear_tf, "lowercase": False}
    word = TfidfVectorizer(
        tokenizer=split_tokens,
        token_pattern=None,
        ngram_range=config.word_ngrams,
        max_features=config.max_features,
        **common,
    )
    parts: list[tuple[str, Any]] = [("word", word)]
    if config.char_ngrams:
        char = CharNgramTfidf(
            analyzer="char_wb",
            ngram_range=config.char_ngrams,
            max_features=config.char_max_features,
            **common,
        )
        parts.append(("char", char))
    tokens = FunctionTransformer(tokens_as_text, kw_args={"config": config.preprocessing})
    classifier = LogisticRegression(C=config.C, max_iter=config.max_iter, random_state=seed)
    return Pipeline(
        [("tokens", tokens), ("features", FeatureUnion(parts)), ("classifier", classifier)]
    )


class TfidfModel:
    kind = "tfidf"

    def __init__(self, config: TfidfConfig | None = None, seed: int = 42) -> None:
        self.config = config or TfidfConfig()
        self.pipeline = build_pipeline(self.config, seed)
        self.metadata: dict[str, Any] = {}
        self.reference_scores: np.ndarray | None = None  # validation scores: drift reference
        self._fitted = False

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[int] | np.ndarray,
        val_texts: Sequence[str] = (),
        val_labels: Sequence[int] | np.ndarray = (),
        sample_weight: np.ndarray | None = None,
        soft_labels: bool = False,
    ) -> dict[str, list[float]]:
        """Fit on the training texts (validation data is not needed); no per-epoch history.

        `soft_labels`: `labels` are target probabilities in [0, 1] (distillation)."""
        if soft_labels:
            self._fit_soft(texts, np.asarray(labels, dtype=np.float64), sample_weight)
        else:
            weights = {} if sample_weight is None else {"classifier__sample_weight": sample_weight}
            self.pipeline.fit(list(texts), np.asarray(labels), **weights)
        for _, vectorizer in self._vectorizers():
            # plain ints: skops would store each numpy int as a file of its own
            vectorizer.vocabulary_ = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
        self._fitted = True
        return {}

    def _fit_soft(
        self, texts: Sequence[str], targets: np.ndarray, sample_weight: np.ndarray | None
    ) -> None:
        """Cross-entropy against soft targets: each text once as positive, weighted by its
        target, and once as negative, weighted by one minus it."""
        from scipy.sparse import vstack

        if targets.min(initial=0.0) < 0 or targets.max(initial=1.0) > 1:
            raise ValueError("soft labels must be probabilities in [0, 1]")
        features = self.pipeline[:-1].fit_transform(list(texts))
        weight = np.ones(len(targets)) if sample_weight is None else np.asarray(sample_weight)
        n = len(targets)
        classifier = self.pipeline.named_steps["classifier"]
        classifier.fit(
            vstack([features, features]).tocsr(),
            np.concatenate([np.ones(n, dtype=np.int64), np.zeros(n, dtype=np.int64)]),
            sample_weight=np.concatenate([weight * targets, weight * (1 - targets)]),
        )

    def refit_classifier(
        self, texts: Sequence[str], labels: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> None:
        """Warm start: keep the fitted features, refit the regression from its coefficients."""
        self._check_fitted()
        features = self.pipeline[:-1].transform(list(texts))
        classifier = self.pipeline.named_steps["classifier"].set_params(warm_start=True)
        classifier.fit(features, np.asarray(labels), sample_weight=sample_weight)
        classifier.set_params(warm_start=False)

    def _vectorizers(self) -> list[tuple[str, Any]]:
        return list(self.pipeline.named_steps["features"].transformer_list)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        self._check_fitted()
        if not len(texts):
            return np.empty(0, dtype=np.float32)
        lines = self._token_lines(texts)
        return self.pipeline[1:].predict_proba(lines)[:, 1].astype(np.float32)

    def oov_rate(self, texts: Sequence[str]) -> float:
        self._check_fitted()
        vocabulary = self._vectorizers()[0][1].vocabulary_
        tokens = [tok for line in self._token_lines(texts) for tok in line.split()]
        return sum(tok not in vocabulary for tok in tokens) / len(tokens) if tokens else 0.0

    def _token_lines(self, texts: Sequence[str]) -> list[str]:
        """The pipeline's first step on a batch. The shared preprocessor remembers the last
        batch's tokens (`Preprocessor.tokenize_batch`): the stream asks for a batch's scores
        and then its OOV rate, and an ensemble's members score the same batch."""
        tokens = shared_preprocessor(self.config.preprocessing).tokenize_batch(texts)
        return [" ".join(line) for line in tokens]

    def save(self, path: Path) -> None:
        import skops.io

        self._check_fitted()
        path = Path(path)
        entries = {
            "config": self.config.to_dict(),
            "preprocess": self.config.preprocessing.to_dict(),
        }
        Manifest(self.kind, entries, self.metadata, self.reference_scores).save(path)
        skops.io.dump(self.pipeline, path / PIPELINE_FILE, compression=zipfile.ZIP_DEFLATED)

    @classmethod
    def load(cls, path: Path) -> TfidfModel:
        import skops.io

        path = Path(path)
        saved = Manifest.load(path, cls.kind)
        model = cls(TfidfConfig.from_dict(saved.entries["config"]))
        model.pipeline = skops.io.load(path / PIPELINE_FILE, trusted=SKOPS_TRUSTED)
        model.metadata, model.reference_scores = saved.metadata, saved.reference_scores
        model._fitted = True
        return model

    def _check_fitted(self) -> None:
        if not self._fitted:
            raise RuntimeError("TfidfModel is not fitted: call fit() or TfidfModel.load() first")
