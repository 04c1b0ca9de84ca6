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
    rows = []
    ordered = annotations.sort_values(["labelled_at", "annotator"])
    for tweet_id, group in ordered.groupby("tweet_id", sort=False):
        if len(group) >= 2:
            a, b = group.iloc[0], group.iloc[1]
            rows.append((tweet_id, a.annotator, a.label, b.annotator, b.label, b.labelled_at))
    columns = ["tweet_id", "first", "first_label", "second", "second_label", "paired_at"]
    return pd.DataFrame(rows, columns=columns).sort_values("paired_at", kind="stable")


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
    flags: dict[str, str | None] = {}
    for tweet_id, group in annotations.groupby("tweet_id"):
        labels = group["label"].tolist()
        if len(labels) == 1:
            flags[str(tweet_id)] = "single"
        elif majority(labels) is None:
            flags[str(tweet_id)] = "disputed" if len(labels) == 2 else "no_majority"
    pairs = paired(annotations).reset_index(drop=True)
    for start in range(0, len(pairs), window):
        batch = pairs.iloc[start : start + window]
        value = kappa(batch["first_label"].tolist(), batch["second_label"].tolist())
        for tweet_id in batch["tweet_id"]:
            if tweet_id in flags:
                continue
            if len(batch) < window:
                flags[tweet_id] = "batch_open"
            elif value is None or value < kappa_min:
                flags[tweet_id] = "low_kappa"
            else:
                flags[tweet_id] = None
    return flags
