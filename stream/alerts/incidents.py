"""The open/resolve life of one alert condition, and the EWMA baseline, shared by the rules.

One incident raises one alert: while it is open, further breaches are deduplicated; it
resolves after `resolve_windows` quiet evaluations in a row; a breach within `cooldown_s`
of the last resolve is suppressed (no flapping). Times are event-time epoch seconds.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from stream.records import Alert

Transition = Literal["raised", "resolved"]


class IncidentPolicy(BaseModel):
    """Shared by every rule (`AIRPARADIS_ALERT_COOLDOWN_S`, `AIRPARADIS_ALERT_RESOLVE_WINDOWS`)."""

    model_config = ConfigDict(frozen=True)

    cooldown_s: float = Field(1800.0, ge=0)  # no re-raise this soon after a resolve
    resolve_windows: int = Field(2, ge=1)  # quiet evaluations in a row that resolve


@dataclass(frozen=True)
class Incident:
    is_open: bool = False
    opened_at: float | None = None
    resolved_at: float | None = None
    quiet_streak: int = 0
    suppressed: int = 0  # breaches swallowed by the cooldown, for the record

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Incident:
        return cls(**data)


def step(
    incident: Incident, breaching: bool, now: float, policy: IncidentPolicy
) -> tuple[Incident, Transition | None]:
    """Advance one evaluation; return the new incident and the transition, if any."""
    if incident.is_open:
        if breaching:
            return replace(incident, quiet_streak=0), None
        streak = incident.quiet_streak + 1
        if streak < policy.resolve_windows:
            return replace(incident, quiet_streak=streak), None
        closed = replace(incident, is_open=False, resolved_at=now, quiet_streak=0)
        return closed, "resolved"
    if not breaching:
        return incident, None
    if incident.resolved_at is not None and now - incident.resolved_at < policy.cooldown_s:
        return replace(incident, suppressed=incident.suppressed + 1), None
    return Incident(is_open=True, opened_at=now, suppressed=incident.suppressed), "raised"


@dataclass(frozen=True)
class Ewma:
    """Exponentially weighted mean and variance of a per-window quantity."""

    mean: float = 0.0
    var: float = 0.0
    windows: int = 0

    @property
    def std(self) -> float:
        return math.sqrt(self.var)

    def update(self, value: float, alpha: float) -> Ewma:
        if self.windows == 0:
            return Ewma(mean=value, var=0.0, windows=1)
        diff = value - self.mean
        mean = self.mean + alpha * diff
        var = (1 - alpha) * (self.var + alpha * diff * diff)
        return Ewma(mean=mean, var=var, windows=self.windows + 1)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ewma:
        return cls(**data)


def to_datetime(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


@dataclass(frozen=True)
class AlertFacts:
    """What a rule observed, ready to become an `Alert` when its incident changes."""

    kind: str
    scope: str
    metric: str
    threshold: float
    observed: float
    severity: Literal["info", "warning", "critical"]
    message: str
    window_start: float | None = None
    window_end: float | None = None


def build_alert(facts: AlertFacts, incident: Incident, status: Transition) -> Alert:
    """The alert for a transition; its id is stable for a given incident and status,
    so a replayed evaluation (at-least-once processing) yields the same alert_id."""
    key = f"{facts.kind}|{facts.scope}|{facts.metric}|{incident.opened_at}|{status}"
    return Alert(
        alert_id=hashlib.sha1(key.encode()).hexdigest()[:32],
        kind=facts.kind,
        scope=facts.scope,
        window_start=to_datetime(facts.window_start),
        window_end=to_datetime(facts.window_end),
        metric=facts.metric,
        threshold=facts.threshold,
        observed=facts.observed,
        severity=facts.severity if status == "raised" else "info",
        status=status,
        message=facts.message,
    )
