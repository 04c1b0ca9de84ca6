"""Production accuracy from feedback: the last N labelled predictions, one incident."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from stream.alerts.incidents import AlertFacts, Incident, IncidentPolicy, build_alert, step
from stream.alerts.windows import LABELS
from stream.records import Alert


class AccuracyConfig(BaseModel):
    """`Settings.accuracy`, from `AIRPARADIS_ACCURACY_<FIELD>` (policy: `AIRPARADIS_ALERT_*`)."""

    model_config = ConfigDict(frozen=True)

    window: int = Field(100, ge=1)  # last N labelled predictions
    threshold: float = Field(0.70, gt=0, le=1)
    resolve_margin: float = Field(0.02, ge=0)  # resolve at threshold + margin
    policy: IncidentPolicy = IncidentPolicy()


@dataclass(frozen=True)
class AccuracyState:
    """The last `window` labelled predictions (True = correct) and the accuracy incident."""

    outcomes: tuple[bool, ...] = ()
    incident: Incident = field(default_factory=Incident)

    @property
    def accuracy(self) -> float | None:
        return sum(self.outcomes) / len(self.outcomes) if self.outcomes else None

    def to_dict(self) -> dict[str, Any]:
        return {"outcomes": [int(o) for o in self.outcomes], "incident": self.incident.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AccuracyState:
        outcomes = tuple(bool(o) for o in data["outcomes"])
        return cls(outcomes, Incident.from_dict(data["incident"]))


def record_feedback(
    state: AccuracyState, predicted: str, true: str, at: float, config: AccuracyConfig
) -> tuple[AccuracyState, Alert | None]:
    """Add one labelled prediction (event time `at`); alert once the full window is too low."""
    for name, label in (("predicted_label", predicted), ("true_label", true)):
        if label not in LABELS:
            raise ValueError(f"{name}: must be one of {LABELS}, got {label!r}")
    outcomes = (*state.outcomes, predicted == true)[-config.window :]
    accuracy = sum(outcomes) / len(outcomes)
    floor = config.threshold + (config.resolve_margin if state.incident.is_open else 0.0)
    breaching = len(outcomes) >= config.window and accuracy < floor
    incident, transition = step(state.incident, breaching, at, config.policy)
    new_state = replace(state, outcomes=outcomes, incident=incident)
    if transition is None:
        return new_state, None
    facts = AlertFacts(
        kind="accuracy",
        scope="global",
        metric="production_accuracy",
        threshold=config.threshold,
        observed=accuracy,
        severity="critical",
        message=f"Production accuracy {accuracy:.0%} over the last {len(outcomes)} "
        f"labelled predictions (alert below {config.threshold:.0%})",
    )
    return new_state, build_alert(facts, incident, transition)
