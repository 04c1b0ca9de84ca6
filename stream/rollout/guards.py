"""Guards of a rollout step: pure figures per version, and the advance/hold/rollback verdict.

`VersionFigures` accumulates, for one version over the current step, what the guards need:
scored tweets, `model_error` dead letters, scoring latencies, negatives and labelled
outcomes. `evaluate` compares the challenger with the champion over the same period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from stream.rollout.state import Action, RolloutState
from stream.settings import GuardConfig


@dataclass
class VersionFigures:
    """One version's figures over one step (mutable accumulator, reset at each step)."""

    scored: int = 0
    errors: int = 0
    negatives: int = 0
    labelled: int = 0
    correct: int = 0
    latencies: list[float] = field(default_factory=list)

    def add_scored(self, negative: bool, latency_s: float) -> None:
        self.scored += 1
        self.negatives += negative
        self.latencies.append(latency_s)

    def add_error(self, count: int = 1) -> None:
        self.errors += count

    def add_label(self, correct: bool) -> None:
        self.labelled += 1
        self.correct += correct

    @property
    def error_rate(self) -> float:
        attempts = self.scored + self.errors
        return self.errors / attempts if attempts else 0.0

    @property
    def negative_ratio(self) -> float | None:
        return self.negatives / self.scored if self.scored else None

    @property
    def p95_latency_s(self) -> float | None:
        return float(np.percentile(self.latencies, 95)) if self.latencies else None

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.labelled if self.labelled else None

    def summary(self, prefix: str) -> dict[str, float]:
        values = {
            "scored": float(self.scored),
            "errors": float(self.errors),
            "error_rate": self.error_rate,
            "negative_ratio": self.negative_ratio,
            "p95_latency_s": self.p95_latency_s,
            "labelled": float(self.labelled),
            "accuracy": self.accuracy,
        }
        return {f"{prefix}_{k}": v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class GuardDecision:
    action: Action
    reasons: tuple[str, ...]
    figures: dict[str, float]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def breaches(
    champion: VersionFigures, challenger: VersionFigures, config: GuardConfig
) -> list[str]:
    """Every guard the challenger breaks, worded with its figures ([] when clean)."""
    found: list[str] = []
    if challenger.errors and challenger.error_rate > config.max_error_rate:
        found.append(f"error rate {challenger.error_rate:.3f} > {config.max_error_rate}")
    found += _latency(champion, challenger, config)
    found += _negative_gap(champion, challenger, config)
    found += _accuracy_drop(champion, challenger, config)
    return found


def _sample(config: GuardConfig) -> int:
    """Events a version needs before its latency or negative ratio is judged."""
    return max(1, config.min_events // 10)


def _latency(
    champion: VersionFigures, challenger: VersionFigures, config: GuardConfig
) -> list[str]:
    if len(challenger.latencies) < _sample(config):
        return []
    p95, base = challenger.p95_latency_s, champion.p95_latency_s
    if p95 is not None and p95 > config.max_p95_s:
        return [f"p95 latency {p95:.3f}s > {config.max_p95_s}s"]
    if not base or len(champion.latencies) < _sample(config):
        return []  # nothing to compare with yet
    if p95 is not None and p95 > config.max_p95_ratio * base:
        return [f"p95 latency {p95:.3f}s > {config.max_p95_ratio} x champion {base:.3f}s"]
    return []


def _negative_gap(
    champion: VersionFigures, challenger: VersionFigures, config: GuardConfig
) -> list[str]:
    """The negative ratio far from the champion's: a proxy for labels, so it gives way
    once both versions have `min_labels` labels and the challenger is as accurate."""
    mine, theirs = challenger.negative_ratio, champion.negative_ratio
    enough = min(challenger.scored, champion.scored) >= _sample(config)
    if mine is None or theirs is None or not enough or _labels_agree(champion, challenger, config):
        return []
    if abs(mine - theirs) > config.max_negative_gap:
        return [
            f"negative ratio {mine:.3f} vs champion {theirs:.3f} (gap > {config.max_negative_gap})"
        ]
    return []


def _labels_agree(
    champion: VersionFigures, challenger: VersionFigures, config: GuardConfig
) -> bool:
    if min(challenger.labelled, champion.labelled) < config.min_labels:
        return False
    return (challenger.accuracy or 0.0) >= (champion.accuracy or 0.0)


def _accuracy_drop(
    champion: VersionFigures, challenger: VersionFigures, config: GuardConfig
) -> list[str]:
    if min(challenger.labelled, champion.labelled) < config.min_labels:
        return []
    mine, theirs = challenger.accuracy or 0.0, champion.accuracy or 0.0
    if mine < theirs - config.max_accuracy_drop:
        return [f"accuracy {mine:.3f} vs champion {theirs:.3f} (drop > {config.max_accuracy_drop})"]
    return []


def evaluate(
    state: RolloutState,
    champion: VersionFigures,
    challenger: VersionFigures,
    config: GuardConfig,
    now: datetime,
) -> GuardDecision:
    """Rollback on any breach; advance once the step's dwell time and events are there."""
    figures = champion.summary("champion") | challenger.summary("challenger")
    figures["share"] = state.share
    if not state.active:
        return GuardDecision("hold", (f"rollout is {state.phase}",), figures)
    if found := breaches(champion, challenger, config):
        return GuardDecision("rollback", tuple(found), figures)
    dwell = config.shadow_dwell_s if state.phase == "shadow" else config.canary_dwell_s
    waited = (now - state.step_started_at).total_seconds()
    figures["dwell_s"] = waited
    if waited < dwell:
        return GuardDecision("hold", (f"dwell {waited:.0f}s of {dwell:.0f}s",), figures)
    if challenger.scored < config.min_events:
        return GuardDecision(
            "hold", (f"{challenger.scored} of {config.min_events} challenger tweets",), figures
        )
    return GuardDecision("advance", ("guards clean",), figures)
