"""Bad buzz: `evaluate_buzz` per scope on each closed window (EWMA baseline + ceiling).

A small frozen state with a pure update function (no Kafka, no Faust).
Thresholds: `BuzzConfig` (`Settings.buzz`, docs/alerts.md); states are JSON-able for tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from stream.alerts.incidents import AlertFacts, Ewma, Incident, IncidentPolicy, build_alert, step
from stream.alerts.windows import WindowStats
from stream.records import Alert


class BuzzConfig(BaseModel):
    """`Settings.buzz`, read from `AIRPARADIS_BUZZ_<FIELD>` (policy: `AIRPARADIS_ALERT_*`)."""

    model_config = ConfigDict(frozen=True)

    min_negative: int = Field(20, ge=1)  # negative tweets a window needs to alert
    sigma: float = Field(3.0, gt=0)  # raise at baseline mean + sigma * std
    ratio_ceiling: float = Field(0.8, gt=0, le=1)  # raise at this ratio whatever the baseline
    warmup_windows: int = Field(6, ge=0)  # baseline windows before the sigma rule applies
    ewma_alpha: float = Field(0.1, gt=0, le=1)  # weight of each new window in the baseline
    min_std: float = Field(0.03, ge=0)  # floor on the baseline std
    baseline_min_tweets: int = Field(20, ge=1)  # thinner windows don't move the baseline
    policy: IncidentPolicy = IncidentPolicy()


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
