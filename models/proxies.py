"""The dev protocol's proxies: one model scored on each, and the results as a table.

Proxies: the fixed Sentiment140 test split, the airline tweets of the judge days, the
behavioural suite (`models.devsets`) and the hand-written general tweets
(`models.general_tweets`). None of them overlaps the held-out benchmarks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from models.base import SentimentModel
from models.data import LabelledTexts
from models.evaluation import Quality, quality

METRICS = (("accuracy", "acc"), ("f1_macro", "F1"), ("roc_auc", "AUC"))


@dataclass(frozen=True)
class Proxies:
    split_test: LabelledTexts
    airline_judge: LabelledTexts
    behaviour: LabelledTexts
    general: LabelledTexts

    def named(self) -> dict[str, LabelledTexts]:
        return {
            "split": self.split_test,
            "airline": self.airline_judge,
            "behaviour": self.behaviour,
            "general": self.general,
        }


def evaluate(model: SentimentModel, proxies: Proxies) -> dict[str, Quality]:
    """The model's quality (threshold 0.5) on every proxy."""
    return {
        name: quality(data.labels, model.predict_proba(data.texts))
        for name, data in proxies.named().items()
    }


def flat_metrics(results: Mapping[str, Quality]) -> dict[str, float]:
    """`<proxy>_<metric>` scalars, for MLflow."""
    return {
        f"{proxy}_{key}": value
        for proxy, result in results.items()
        for key, value in result.scalars().items()
    }


def markdown_table(
    rows: Mapping[str, Mapping[str, Quality]], seconds: Mapping[str, float] | None = None
) -> str:
    """One row per model: accuracy, macro F1 and ROC-AUC per proxy (and fit time)."""
    proxies = list(next(iter(rows.values())))
    head = ["model"] + [f"{proxy} {short}" for proxy in proxies for _, short in METRICS]
    if seconds is not None:
        head.append("fit s")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, results in rows.items():
        cells = [name] + [
            f"{getattr(results[proxy], key):.3f}" for proxy in proxies for key, _ in METRICS
        ]
        if seconds is not None:
            cells.append(f"{seconds.get(name, 0.0):.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
