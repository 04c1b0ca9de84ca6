"""Several saved models' scores combined in logit space.

P(positive) = sigmoid(sum_i w_i * logit(p_i) + b). The default weights (1/n each, bias 0)
average the members' logits; `fit` learns them by logistic regression on labels none of
the members was trained on. Member i is saved in `members/<i>/` inside the ensemble's
directory, any saved kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.base import SentimentModel
from models.kinds import load_model
from models.manifest import Manifest
from models.scores import logit, sigmoid

MEMBERS_DIR = "members"


class LogitEnsemble:
    kind = "ensemble"

    def __init__(
        self,
        members: Sequence[SentimentModel],
        weights: Sequence[float] | None = None,
        bias: float = 0.0,
    ) -> None:
        if not members:
            raise ValueError("an ensemble needs at least one member")
        n = len(members)
        self.members = list(members)
        self.weights = np.full(n, 1 / n) if weights is None else np.asarray(weights, np.float64)
        if self.weights.shape != (n,):
            raise ValueError(f"{n} members but {self.weights.size} weights")
        self.bias = float(bias)
        self.metadata: dict[str, Any] = {}
        self.reference_scores: np.ndarray | None = None

    def member_logits(self, texts: Sequence[str]) -> np.ndarray:
        """(n texts, n members): each member's logit of P(positive)."""
        return np.column_stack([logit(member.predict_proba(texts)) for member in self.members])

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[int] | np.ndarray,
        sample_weight: np.ndarray | None = None,
    ) -> None:
        """Learn the weights and bias on labelled texts (the members stay as they are)."""
        from sklearn.linear_model import LogisticRegression

        regression = LogisticRegression(C=1.0, max_iter=1000)
        regression.fit(self.member_logits(texts), np.asarray(labels), sample_weight=sample_weight)
        self.weights = regression.coef_[0].astype(np.float64)
        self.bias = float(regression.intercept_[0])

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.empty(0, dtype=np.float32)
        return sigmoid(self.member_logits(texts) @ self.weights + self.bias).astype(np.float32)

    def oov_rate(self, texts: Sequence[str]) -> float:
        """The first member's: the drift signal follows the primary model's vocabulary."""
        return self.members[0].oov_rate(texts)

    def save(self, path: Path) -> None:
        path = Path(path)
        entries = {
            "member_kinds": [member.kind for member in self.members],
            "weights": self.weights.tolist(),
            "bias": self.bias,
        }
        Manifest(self.kind, entries, self.metadata, self.reference_scores).save(path)
        for i, member in enumerate(self.members):
            member.save(path / MEMBERS_DIR / str(i))

    @classmethod
    def load(cls, path: Path) -> LogitEnsemble:
        path = Path(path)
        saved = Manifest.load(path, cls.kind)
        weights = saved.entries["weights"]
        members = [load_model(path / MEMBERS_DIR / str(i)) for i in range(len(weights))]
        model = cls(members, weights, float(saved.entries["bias"]))
        model.metadata, model.reference_scores = saved.metadata, saved.reference_scores
        return model
