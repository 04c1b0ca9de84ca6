"""Deterministic, stratified, de-duplicated train/validation/test splits, and leak checks.

Tweets are compared after `clean_tweet` (so "@a hi" and "@b hi" are one text). Duplicates
keep their first occurrence; texts seen with both labels are dropped as ambiguous. Both
counts are reported on the `Splits`, never dropped silently.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn.model_selection import train_test_split

from models.data import LabelledTexts
from models.preprocessing import clean_tweet

TEST_SHARE = 0.2
VAL_SHARE = 0.1


class DataLeakError(ValueError):
    """The same (normalised) text sits in two splits."""


@dataclass(frozen=True)
class Splits:
    train: LabelledTexts
    val: LabelledTexts
    test: LabelledTexts
    duplicates_removed: int = 0
    conflicts_removed: int = 0

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "val": len(self.val), "test": len(self.test)}


@lru_cache(maxsize=1 << 17)
def normalise(text: str) -> str:
    """The key two tweets must differ on to count as different texts (cached: splitting
    and leak checks see each text twice)."""
    return clean_tweet(text)


def deduplicate(data: LabelledTexts) -> tuple[LabelledTexts, int, int]:
    """Keep the first row of each normalised text; drop texts seen with both labels.

    Returns the kept rows, the number of duplicate rows removed and the number of rows
    removed because their text had conflicting labels.
    """
    keys = [normalise(text) for text in data.texts]
    first: dict[str, int] = {}
    labels_seen: dict[str, set[int]] = {}
    for index, (key, label) in enumerate(zip(keys, data.labels.tolist(), strict=True)):
        first.setdefault(key, index)
        labels_seen.setdefault(key, set()).add(label)
    conflicting = {key for key, seen in labels_seen.items() if len(seen) > 1}
    keep = sorted(index for key, index in first.items() if key not in conflicting)
    conflicts = sum(1 for key in keys if key in conflicting)
    duplicates = len(data) - len(keep) - conflicts
    return data.take(keep), duplicates, conflicts


def stratified_sample(data: LabelledTexts, size: int, seed: int) -> LabelledTexts:
    """A class-balanced (as in the data) random subset of `size` rows; all rows if larger."""
    if size >= len(data):
        return data
    indices = np.arange(len(data))
    picked, _ = train_test_split(indices, train_size=size, stratify=data.labels, random_state=seed)
    return data.take(np.sort(picked))


def split_dataset(
    data: LabelledTexts,
    seed: int = 42,
    val_share: float = VAL_SHARE,
    test_share: float = TEST_SHARE,
) -> Splits:
    """De-duplicate, split stratified by label (default 70/10/20, rows shuffled), check leaks."""
    unique, duplicates, conflicts = deduplicate(data)
    indices = np.arange(len(unique))
    rest, test = train_test_split(
        indices, test_size=test_share, stratify=unique.labels, random_state=seed
    )
    train, val = train_test_split(
        rest,
        test_size=val_share / (1 - test_share),
        stratify=unique.labels[rest],
        random_state=seed,
    )
    splits = Splits(
        unique.take(train),
        unique.take(val),
        unique.take(test),
        duplicates,
        conflicts,
    )
    check_no_leaks(splits)
    return splits


def check_no_leaks(splits: Splits) -> None:
    """Raise DataLeakError naming the first text found in two splits."""
    seen: dict[str, str] = {}
    for name in ("train", "val", "test"):
        part: LabelledTexts = getattr(splits, name)
        keys = {normalise(text): text for text in part.texts}
        for key, text in keys.items():
            if key in seen:
                raise DataLeakError(f"text {text!r} is in both the {seen[key]} and {name} splits")
        seen.update(dict.fromkeys(keys, name))


def fingerprint(data: LabelledTexts) -> str:
    """A short hash of the normalised texts and labels: identifies a split across runs."""
    digest = hashlib.sha256()
    for text, label in sorted(zip(map(normalise, data.texts), data.labels.tolist(), strict=True)):
        digest.update(f"{label}\t{text}\n".encode())
    return digest.hexdigest()[:16]
