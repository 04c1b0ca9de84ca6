"""Shadow comparison: the champion and the challenger on the same tweets, over a window.

`ShadowWindow` keeps the last `size` pairs (default 1,000) and the labels that arrive for
them; `compare` is the pure statistic: agreement, the two-sample KS distance between the
score distributions (exact on the window, no binning), each model's negative ratio and,
on the labelled tweets, each model's accuracy.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from stream.records import Label

THRESHOLD = 0.5  # score >= 0.5: positive, as in stream.scoring


@dataclass(frozen=True)
class ShadowPair:
    tweet_id: str
    champion_score: float
    challenger_score: float


@dataclass(frozen=True)
class ShadowStats:
    tweets: int
    agreement: float
    ks_distance: float
    champion_negative_ratio: float
    challenger_negative_ratio: float
    labelled: int
    champion_accuracy: float | None
    challenger_accuracy: float | None

    def to_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


def ks_distance(a: np.ndarray, b: np.ndarray) -> float:
    """sup |F_a - F_b| of the two empirical CDFs (scipy's ks_2samp statistic)."""
    if len(a) == 0 or len(b) == 0:
        return 0.0
    a, b = np.sort(a), np.sort(b)
    points = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, points, side="right") / len(a)
    cdf_b = np.searchsorted(b, points, side="right") / len(b)
    return float(np.max(np.abs(cdf_a - cdf_b)))


def compare(pairs: Sequence[ShadowPair], labels: Mapping[str, Label]) -> ShadowStats:
    """The window's statistics; accuracies are None until a tweet of it is labelled."""
    champion = np.array([p.champion_score for p in pairs], dtype=float)
    challenger = np.array([p.challenger_score for p in pairs], dtype=float)
    n = len(pairs)
    champion_pos, challenger_pos = champion >= THRESHOLD, challenger >= THRESHOLD
    truth = [
        (i, labels[p.tweet_id] == "positive") for i, p in enumerate(pairs) if p.tweet_id in labels
    ]
    idx = np.array([i for i, _ in truth], dtype=int)
    positive = np.array([t for _, t in truth], dtype=bool)
    return ShadowStats(
        tweets=n,
        agreement=float(np.mean(champion_pos == challenger_pos)) if n else 0.0,
        ks_distance=ks_distance(champion, challenger),
        champion_negative_ratio=float(np.mean(~champion_pos)) if n else 0.0,
        challenger_negative_ratio=float(np.mean(~challenger_pos)) if n else 0.0,
        labelled=len(truth),
        champion_accuracy=float(np.mean(champion_pos[idx] == positive)) if truth else None,
        challenger_accuracy=float(np.mean(challenger_pos[idx] == positive)) if truth else None,
    )


class ShadowWindow:
    """The last `size` shadow pairs, and the labels that arrived for them."""

    def __init__(self, size: int = 1_000) -> None:
        self.size = size
        self._pairs: OrderedDict[str, ShadowPair] = OrderedDict()
        self._labels: dict[str, Label] = {}

    def add(self, pair: ShadowPair) -> None:
        self._pairs[pair.tweet_id] = pair
        self._pairs.move_to_end(pair.tweet_id)
        while len(self._pairs) > self.size:
            old, _ = self._pairs.popitem(last=False)
            self._labels.pop(old, None)

    def label(self, tweet_id: str, label: Label) -> bool:
        """Record a true label; False when the tweet is not (or no longer) in the window."""
        if tweet_id not in self._pairs:
            return False
        self._labels[tweet_id] = label
        return True

    def pair(self, tweet_id: str) -> ShadowPair:
        return self._pairs[tweet_id]

    def __len__(self) -> int:
        return len(self._pairs)

    def stats(self) -> ShadowStats:
        return compare(list(self._pairs.values()), self._labels)
