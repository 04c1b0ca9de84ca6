"""A model's score blended with VADER's lexicon scores by a small logistic regression.

P(positive) = sigmoid(w . [logit(base score), compound, pos, neg] + b). The base model is
any saved kind, kept in `base/` inside the blend's directory; the four weights and the
bias sit in `model.json`. Fit the blend on labels the base model was *not* trained on
(the validation split, or recent labelled tweets), so it learns how far to trust each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.base import SentimentModel
from models.kinds import load_model
from models.lexicon import vader_features
from models.manifest import Manifest
from models.scores import logit, sigmoid
from models.weighting import source_balanced_weights

BASE_DIR = "base"
FEATURES = ("base_logit", "compound", "pos", "neg")
#: People's labels' share of a blend fitted on them and the validation split (the rest).
LABEL_SHARE = 0.25


def blend_features(base_scores: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """(n, 4): the base model's logit and VADER's compound, pos and neg."""
    lexicon = vader_features(texts)[:, :3].astype(np.float64)
    return np.column_stack([logit(base_scores), lexicon])


@dataclass(frozen=True)
class BlendSource:
    """Labelled texts to fit a blend on, the base's scores of them, and their share of the
    fit's weight (classes are balanced within the source unless `balanced` is False: then it
    keeps its own prior)."""

    texts: Sequence[str]
    labels: np.ndarray
    base_scores: np.ndarray
    share: float
    balanced: bool = True


class LexiconBlend:
    kind = "blend"

    def __init__(self, base: SentimentModel, C: float = 1.0) -> None:
        self.base = base
        self.C = C
        self.coef: np.ndarray | None = None
        self.intercept = 0.0
        self.metadata: dict[str, Any] = {}
        self.reference_scores: np.ndarray | None = None

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[int] | np.ndarray,
        sample_weight: np.ndarray | None = None,
        base_scores: np.ndarray | None = None,
    ) -> dict[str, list[float]]:
        """Fit the blend's weights on labelled texts (the base model stays as it is).

        `base_scores`: the base's scores of `texts` when they must not come from `self.base`
        (out-of-fold scores of texts the base was trained on)."""
        from sklearn.linear_model import LogisticRegression

        if base_scores is None:
            base_scores = self.base.predict_proba(texts)
        features = blend_features(base_scores, texts)
        regression = LogisticRegression(C=self.C, max_iter=1000)
        regression.fit(features, np.asarray(labels), sample_weight=sample_weight)
        self.coef = regression.coef_[0].astype(np.float64)
        self.intercept = float(regression.intercept_[0])
        return {}

    def fit_sources(self, sources: Sequence[BlendSource]) -> None:
        """Fit on several sources at once, each carrying its share."""
        used = [source for source in sources if len(source.texts) and source.share > 0]
        labels = np.concatenate([np.asarray(source.labels) for source in used])
        shares = [(len(source.texts), source.share) for source in used]
        self.fit(
            [text for source in used for text in source.texts],
            labels,
            source_balanced_weights(labels, shares, [source.balanced for source in used]),
            np.concatenate([source.base_scores for source in used]),
        )

    def weights(self) -> dict[str, float]:
        self._check_fitted()
        assert self.coef is not None
        return dict(zip(FEATURES, self.coef.tolist(), strict=True)) | {"bias": self.intercept}

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        self._check_fitted()
        assert self.coef is not None
        if not len(texts):
            return np.empty(0, dtype=np.float32)
        z = blend_features(self.base.predict_proba(texts), texts) @ self.coef + self.intercept
        return sigmoid(z).astype(np.float32)

    def oov_rate(self, texts: Sequence[str]) -> float:
        return self.base.oov_rate(texts)

    def save(self, path: Path) -> None:
        path = Path(path)
        entries = {"base_kind": self.base.kind, "C": self.C, "weights": self.weights()}
        Manifest(self.kind, entries, self.metadata, self.reference_scores).save(path)
        self.base.save(path / BASE_DIR)

    @classmethod
    def load(cls, path: Path) -> LexiconBlend:
        path = Path(path)
        saved = Manifest.load(path, cls.kind)
        model = cls(load_model(path / BASE_DIR), C=float(saved.entries.get("C", 1.0)))
        weights = saved.entries["weights"]
        model.coef = np.asarray([weights[name] for name in FEATURES], dtype=np.float64)
        model.intercept = float(weights["bias"])
        model.metadata, model.reference_scores = saved.metadata, saved.reference_scores
        return model

    def _check_fitted(self) -> None:
        if self.coef is None:
            raise RuntimeError("LexiconBlend is not fitted: call fit() or LexiconBlend.load()")
