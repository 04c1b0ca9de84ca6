"""The retraining set: the base corpus (Sentiment140 train split) plus stored labels,
with time-weighting and class balancing (`models.weighting`), and the time windows
that keep calibration and gate data out of training."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models import weighting
from models.data import LabelledTexts
from training.loop.labels import between

BALANCING = ("none", "weights", "resample")
BASE_SOURCE = "base"


@dataclass(frozen=True)
class Weighting:
    half_life_days: float | None = 2.0  # None: no time-weighting
    base_weight: float = 0.2  # weight of one base-corpus tweet (a fresh label weighs 1)
    balance: str = "weights"

    def __post_init__(self) -> None:
        if self.balance not in BALANCING:
            raise ValueError(f"balance {self.balance!r}: expected one of {BALANCING}")
        if self.base_weight < 0:
            raise ValueError("base_weight must be >= 0")

    def tags(self) -> dict[str, str]:
        return {f"weighting.{k}": str(v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class Windows:
    """Labels before `calibrate_from` train; [calibrate_from, train_until) calibrate (when
    calibrating); [train_until, holdout_until) are held back for the gate."""

    calibrate_from: pd.Timestamp
    train_until: pd.Timestamp
    holdout_until: pd.Timestamp

    @classmethod
    def ending(
        cls,
        labels: pd.DataFrame,
        train_until: pd.Timestamp | None,
        holdout_days: float,
        calibration_days: float,
    ) -> Windows:
        """Default `train_until`: `holdout_days` before the newest label."""
        holdout = pd.Timedelta(days=holdout_days)
        if train_until is None:
            if labels.empty:
                raise ValueError("no labels: give --train-until or add labels")
            train_until = labels["tweet_time"].max() + pd.Timedelta(seconds=1) - holdout
        train_until = pd.Timestamp(train_until).tz_convert("UTC")
        return cls(
            train_until - pd.Timedelta(days=calibration_days), train_until, train_until + holdout
        )

    def tags(self) -> dict[str, str]:
        return {f"data.{k}": v.isoformat() for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class TrainingSet:
    texts: list[str]
    labels: np.ndarray
    weights: np.ndarray
    sources: np.ndarray  # "base" or the label's source, per row

    def __len__(self) -> int:
        return len(self.texts)


def label_parts(
    labels: pd.DataFrame, windows: Windows, calibrate: bool
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(train, calibration, holdout) label rows; calibration is empty when not calibrating."""
    split = windows.calibrate_from if calibrate else windows.train_until
    train = between(labels, None, split)
    calibration = between(labels, split, windows.train_until)
    return train, calibration, between(labels, windows.train_until, windows.holdout_until)


def build(
    base: LabelledTexts,
    labels: pd.DataFrame,
    reference: pd.Timestamp,
    weighting_: Weighting,
    seed: int = 42,
) -> TrainingSet:
    """Base tweets at `base_weight`, labels at their time weight (age before `reference`),
    then balanced as `weighting_.balance` says."""
    age_days = (pd.Timestamp(reference) - labels["tweet_time"]) / pd.Timedelta(days=1)
    label_weights = weighting.time_weights(age_days.to_numpy(), weighting_.half_life_days)
    texts = list(base.texts) + labels["text"].tolist()
    y = np.concatenate([base.labels, labels["y"].to_numpy()]).astype(int)
    w = np.concatenate([np.full(len(base), weighting_.base_weight), label_weights])
    sources = np.array([BASE_SOURCE] * len(base) + labels["source"].astype(str).tolist())
    keep = w > 0
    texts, y, w, sources = (
        [t for t, k in zip(texts, keep, strict=True) if k],
        y[keep],
        w[keep],
        sources[keep],
    )
    if weighting_.balance == "weights":
        w = weighting.balanced_weights(y, w)
    elif weighting_.balance == "resample":
        rows = weighting.balanced_resample(y, w, seed)
        return TrainingSet([texts[i] for i in rows], y[rows], np.ones(len(rows)), sources[rows])
    return TrainingSet(texts, y, w / w.mean(), sources)
