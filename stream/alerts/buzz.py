"""Bad buzz: `evaluate_buzz` per scope on each closed window (EWMA baseline + ceiling).

A small frozen state with a pure update function (no Kafka, no Faust).
Thresholds come from `Settings` (see docs/alerts.md); states are JSON-able for Faust tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stream.alerts.incidents import AlertFacts, Ewma, Incident, IncidentPolicy, build_alert, step
from stream.alerts.windows import WindowStats
from stream.records import Alert
from stream.settings import Settings


@dataclass(frozen=True)
class BuzzConfig:
    min_negative: int = 20
    sigma: float = 3.0
    ratio_ceiling: float = 0.8
    warmup_windows: int = 6
    ewma_alpha: float = 0.1
    min_std: float = 0.03
    baseline_min_tweets: int = 20
    policy: IncidentPolicy = field(default_factory=IncidentPolicy)

    @classmethod
    def from_settings(cls, settings: Settings) -> BuzzConfig:
        return cls(
            min_negative=settings.buzz_min_negative,
            sigma=settings.buzz_sigma,
            ratio_ceiling=settings.buzz_ratio_ceiling,
            warmup_windows=settings.buzz_warmup_windows,
            ewma_alpha=settings.buzz_ewma_alpha,
            min_std=settings.buzz_min_std,
            baseline_min_tweets=settings.buzz_baseline_min_tweets,
            policy=IncidentPolicy(settings.alert_cooldown_s, settings.alert_resolve_windows),
        )


@dataclass(frozen=True)
class BuzzState:
    """One scope's negative-ratio baseline and its bad-buzz incident."""

    baseline: Ewma = field(default_factory=Ewma)
    incident: Incident = field(default_factory=Incident)

    def to_dict(self) -> dict[str, Any]:
        return {"baseline": self.baseline.to_dict(), "incident": self.incident.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BuzzState:
        return cls(Ewma.from_dict(data["baseline"]), Incident.from_dict(data["incident"]))


def buzz_limit(baseline: Ewma, config: BuzzConfig) -> float:
    """Negative ratio that raises: the ceiling, or lower once the baseline is warm."""
    if baseline.windows < config.warmup_windows:
        return config.ratio_ceiling
    spread = config.sigma * max(baseline.std, config.min_std)
    return min(config.ratio_ceiling, baseline.mean + spread)


def evaluate_buzz(
    state: BuzzState, stats: WindowStats, scope: str, start: float, end: float, config: BuzzConfig
) -> tuple[BuzzState, Alert | None]:
    """Evaluate one closed window [start, end) of `scope`; maybe raise or resolve."""
    limit = buzz_limit(state.baseline, config)
    ratio = stats.negative_ratio
    breaching = stats.negative >= config.min_negative and ratio >= limit
    incident, transition = step(state.incident, breaching, end, config.policy)
    baseline = state.baseline
    if not breaching and not incident.is_open and stats.count >= config.baseline_min_tweets:
        baseline = baseline.update(ratio, config.ewma_alpha)
    new_state = BuzzState(baseline, incident)
    if transition is None:
        return new_state, None
    facts = AlertFacts(
        kind="bad_buzz",
        scope=scope,
        metric="negative_ratio",
        threshold=limit,
        observed=ratio,
        severity="critical" if ratio >= config.ratio_ceiling else "warning",
        message=_buzz_message(stats, state.baseline, limit, config, transition),
        window_start=start,
        window_end=end,
    )
    return new_state, build_alert(facts, incident, transition)


def _buzz_message(
    stats: WindowStats, baseline: Ewma, limit: float, config: BuzzConfig, transition: str
) -> str:
    warm = baseline.windows >= config.warmup_windows
    basis = "warm-up: ceiling only"
    if warm:
        basis = f"baseline {baseline.mean:.0%} ± {baseline.std:.0%}"
    verb = "Bad buzz" if transition == "raised" else "Bad buzz over"
    return (
        f"{verb}: {stats.negative}/{stats.count} negative ({stats.negative_ratio:.0%}), "
        f"limit {limit:.0%} ({basis})"
    )
