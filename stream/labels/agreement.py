"""Annotator agreement (Cohen's kappa) and which annotations may enter training.

Pure functions over a frame of annotations: tweet_id, annotator, label, labelled_at.
A tweet is double-labelled once two annotators answered; its pair is its first two answers,
and `paired_at` the time of the second. Batches are consecutive runs of `window` double-
labelled tweets in `paired_at` order; an annotation is trusted when its batch is complete,
the batch's kappa (first vs second answers) is at least `kappa_min`, and the tweet has a
majority label (2 of 2, or 2 of 3 after a third annotator broke a disagreement).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from itertools import combinations

import pandas as pd
from sklearn.metrics import cohen_kappa_score

LABELS = ["negative", "neutral", "positive"]


def kappa(first: list[str], second: list[str]) -> float | None:
    """Cohen's kappa; None without items; 1.0 when both raters gave one and the same label."""
    if not first:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined kappa: handled below
        value = cohen_kappa_score(first, second, labels=LABELS)
    if math.isnan(value):  # chance agreement is 1: defined only by observed agreement
        return 1.0 if first == second else 0.0
    return float(value)


def paired(annotations: pd.DataFrame) -> pd.DataFrame:
    """Double-labelled tweets: tweet_id, first/second annotator and label, paired_at; by time."""
    ordered = annotations.sort_values(["labelled_at", "annotator"], kind="stable")
    rank = ordered.groupby("tweet_id", sort=False).cumcount()
    first = ordered[rank == 0].set_index("tweet_id")
    second = ordered[rank == 1].set_index("tweet_id")
    pairs = first.merge(second, left_index=True, right_index=True, suffixes=("_1", "_2"))
    return (
        pd.DataFrame(
            {
                "tweet_id": pairs.index.astype(str),
                "first": pairs["annotator_1"].to_numpy(),
                "first_label": pairs["label_1"].to_numpy(),
                "second": pairs["annotator_2"].to_numpy(),
                "second_label": pairs["label_2"].to_numpy(),
                "paired_at": pairs["labelled_at_2"].to_numpy(),
            }
        )
        .sort_values("paired_at", kind="stable")
        .reset_index(drop=True)
    )


@dataclass
class Agreement:
    overall: float | None
    tweets: int  # double-labelled tweets it was measured on
    pairs: dict[tuple[str, str], tuple[float | None, int]] = field(default_factory=dict)


def agreement(annotations: pd.DataFrame, last_n: int) -> Agreement:
    """Kappa over the last N double-labelled tweets: overall (first vs second answer) and
    per pair of annotators (every two annotators of a tweet, the tie-breaker included)."""
    recent = paired(annotations).tail(last_n)
    overall = kappa(recent["first_label"].tolist(), recent["second_label"].tolist())
    answers = annotations[annotations["tweet_id"].isin(recent["tweet_id"])]
    by_pair: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for _, group in answers.groupby("tweet_id"):
        given = dict(zip(group["annotator"], group["label"], strict=True))
        for a, b in combinations(sorted(given), 2):
            left, right = by_pair.setdefault((a, b), ([], []))
            left.append(given[a])
            right.append(given[b])
    pairs = {pair: (kappa(*lists), len(lists[0])) for pair, lists in sorted(by_pair.items())}
    return Agreement(overall, len(recent), pairs)


def majority(labels: list[str]) -> str | None:
    """The label given by at least two annotators, if any."""
    counts = pd.Series(labels).value_counts()
    return str(counts.index[0]) if len(counts) and counts.iloc[0] >= 2 else None


def decide(annotations: pd.DataFrame, window: int, kappa_min: float) -> dict[str, str | None]:
    """tweet_id -> None (trusted) or the flag that keeps its annotations out of training:
    single, disputed (awaits a third), no_majority, batch_open, low_kappa."""
    answers = annotations.groupby("tweet_id").size()
    top = annotations.groupby(["tweet_id", "label"]).size().groupby(level="tweet_id").max()
    flags: dict[str, str | None] = {}
    flags.update(dict.fromkeys(answers.index[answers == 1].astype(str), "single"))
    split = answers[(answers >= 2) & (top < 2)]
    flags.update(dict.fromkeys(split.index[split == 2].astype(str), "disputed"))
    flags.update(dict.fromkeys(split.index[split > 2].astype(str), "no_majority"))
    pairs = paired(annotations)
    for start in range(0, len(pairs), window):
        batch = pairs.iloc[start : start + window]
        value = kappa(batch["first_label"].tolist(), batch["second_label"].tolist())
        if len(batch) < window:
            verdict: str | None = "batch_open"
        else:
            verdict = None if value is not None and value >= kappa_min else "low_kappa"
        for tweet_id in batch["tweet_id"]:
            flags.setdefault(tweet_id, verdict)
    return flags
