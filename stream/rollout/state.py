"""The rollout record: one per registered model, every worker reads it, decisions change it.

Pure: each transition returns a new record (with the step appended to its history);
persistence is `stream.rollout.store`. Phases: shadow (share 0, scored beside the champion)
-> canary at each share of `steps` -> done (the challenger is champion); or rolled_back.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field

Phase = Literal["shadow", "canary", "done", "rolled_back"]
Action = Literal["advance", "hold", "rollback"]
ACTIVE: tuple[Phase, ...] = ("shadow", "canary")
DEFAULT_STEPS = (0.1, 0.5, 1.0)


class RolloutError(ValueError):
    """A transition that does not apply to the rollout's phase."""


class Step(BaseModel):
    """One entry of the history: what was decided, when, why, on which figures."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at: datetime
    phase: Phase
    share: float
    action: str  # start, advance, rollback, abort, done
    by: str  # "guard" or "operator"
    reason: str = ""
    figures: dict[str, float] = Field(default_factory=dict)


class RolloutState(BaseModel):
    """Where one challenger stands against the champion it would replace."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model_name: str
    challenger: str
    champion: str | None
    phase: Phase = "shadow"
    share: float = Field(0.0, ge=0.0, le=1.0)  # of traffic the challenger scores (published)
    salt: str = Field(default_factory=lambda: secrets.token_hex(8))
    steps: tuple[float, ...] = DEFAULT_STEPS
    started_at: datetime
    step_started_at: datetime
    history: tuple[Step, ...] = ()

    @property
    def active(self) -> bool:
        return self.phase in ACTIVE

    @property
    def shadow_on(self) -> bool:
        """The challenger scores beside the champion (results on the shadow topic)."""
        return self.phase == "shadow"

    @property
    def next_share(self) -> float | None:
        """The share after this step, None when the challenger already has everything."""
        later = [s for s in self.steps if s > self.share]
        return min(later) if later else None

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, data: str | bytes) -> Self:
        return cls.model_validate_json(data)


def start(
    model_name: str,
    challenger: str,
    champion: str | None,
    now: datetime,
    steps: tuple[float, ...] = DEFAULT_STEPS,
    salt: str | None = None,
) -> RolloutState:
    """A new rollout in its shadow phase."""
    if not steps or sorted(steps) != list(steps) or steps[-1] != 1.0 or steps[0] <= 0:
        raise RolloutError(f"steps must increase from above 0 to 1.0, got {steps}")
    if challenger == champion:
        raise RolloutError(f"version {challenger} is already the champion")
    extra = {"salt": salt} if salt else {}
    first = Step(at=now, phase="shadow", share=0.0, action="start", by="operator")
    return RolloutState(
        model_name=model_name,
        challenger=challenger,
        champion=champion,
        steps=steps,
        started_at=now,
        step_started_at=now,
        history=(first,),
        **extra,
    )


def advance(
    state: RolloutState,
    now: datetime,
    by: str = "guard",
    reason: str = "",
    figures: dict[str, float] | None = None,
) -> RolloutState:
    """Next share (shadow -> first canary step -> ... -> 1.0 -> done)."""
    _require_active(state, "advance")
    share = state.next_share
    phase: Phase = "canary" if share is not None else "done"
    action = "advance" if share is not None else "done"
    share = 1.0 if share is None else share
    step = Step(
        at=now, phase=phase, share=share, action=action, by=by, reason=reason, figures=figures or {}
    )
    return _moved(state, step)


def roll_back(
    state: RolloutState,
    now: datetime,
    by: str = "guard",
    reason: str = "",
    figures: dict[str, float] | None = None,
) -> RolloutState:
    """Back to 0 %: the champion scores everything again."""
    _require_active(state, "roll back")
    phase: Phase = "rolled_back"
    action = "rollback" if by == "guard" else "abort"
    step = Step(
        at=now, phase=phase, share=0.0, action=action, by=by, reason=reason, figures=figures or {}
    )
    return _moved(state, step)


def _moved(state: RolloutState, step: Step) -> RolloutState:
    """`state` in the step's phase and share, from the step's time, with the step recorded."""
    update = {"phase": step.phase, "share": step.share, "step_started_at": step.at}
    return state.model_copy(update={**update, "history": (*state.history, step)})


def _require_active(state: RolloutState, what: str) -> None:
    if not state.active:
        raise RolloutError(f"cannot {what} version {state.challenger}: rollout is {state.phase}")
