"""The guard loop's state between two checks: figures of the current step, and the decision.

`Tally` turns the events the orchestrator reads (scored events, dead letters, shadow
records, feedback) into per-version `VersionFigures` for the rollout's current step, and
keeps the shadow window. `decide` applies the guards' verdict to the record and, on a
rollback, builds the `rollout` alert. Both pure apart from the clock passed in.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from stream.records import Alert, DeadLetter, Feedback, Label, ScoredTweet
from stream.rollout import state as rollout
from stream.rollout.guards import GuardConfig, GuardDecision, VersionFigures, evaluate
from stream.rollout.records import ShadowScore
from stream.rollout.routing import to_challenger
from stream.rollout.shadow import THRESHOLD, ShadowPair, ShadowWindow
from stream.rollout.state import RolloutState

MODEL_ERROR = "model_error"


class Tally:
    """Figures of one rollout step; `follow` resets them when the step changes."""

    def __init__(self, shadow_window: int = 1_000, memory: int = 200_000) -> None:
        self.shadow_window = shadow_window
        self.memory = memory
        self.state: RolloutState | None = None
        self._reset()

    def _reset(self) -> None:
        self.champion, self.challenger = VersionFigures(), VersionFigures()
        self.shadow = ShadowWindow(self.shadow_window)
        self._predicted: OrderedDict[str, tuple[str, Label]] = OrderedDict()

    def follow(self, state: RolloutState | None) -> None:
        """Track this record; a new rollout or a new step starts from empty figures."""
        if _step_key(state) != _step_key(self.state):
            self._reset()
        self.state = state

    def on_scored(self, event: ScoredTweet) -> None:
        state = self.state
        if state is None or state.phase != "canary":
            return  # in shadow the shadow records carry both sides
        figures = self._figures(event.model_version)
        if figures is not None:
            figures.add_scored(event.label == "negative", event.latency_s)
            self._remember(event.id, event.model_version, event.label)

    def on_shadow(self, record: ShadowScore) -> None:
        state = self.state
        if state is None or not state.active or record.challenger_version != state.challenger:
            return
        if state.phase == "canary":  # scored events carry the figures; only failures here
            if record.challenger_score is None:
                self.challenger.add_error()
            return
        self.champion.add_scored(record.champion_score < THRESHOLD, record.champion_latency_s)
        if record.challenger_score is None:
            self.challenger.add_error()
            return
        self.challenger.add_scored(record.challenger_score < THRESHOLD, record.challenger_latency_s)
        self.shadow.add(ShadowPair(record.tweet_id, record.champion_score, record.challenger_score))

    def on_dead_letter(self, letter: DeadLetter, tweet_id: str | None) -> None:
        """A `model_error` letter counts against the version its tweet was routed to."""
        state = self.state
        if state is None or state.phase != "canary" or letter.reason != MODEL_ERROR:
            return
        routed = tweet_id is not None and to_challenger(tweet_id, state.salt, state.share)
        (self.challenger if routed else self.champion).add_error()

    def on_feedback(self, feedback: Feedback) -> None:
        seen = self._predicted.get(feedback.tweet_id)
        if seen is not None:
            version, label = seen
            figures = self._figures(version)
            if figures is not None:
                figures.add_label(label == feedback.true_label)
        elif self.shadow.label(feedback.tweet_id, feedback.true_label):
            pair = self.shadow.pair(feedback.tweet_id)
            truth = feedback.true_label == "positive"
            self.champion.add_label((pair.champion_score >= THRESHOLD) == truth)
            self.challenger.add_label((pair.challenger_score >= THRESHOLD) == truth)

    def _figures(self, version: str) -> VersionFigures | None:
        state = self.state
        if state is None:
            return None
        if version == state.challenger:
            return self.challenger
        return self.champion if version == state.champion else None

    def _remember(self, tweet_id: str, version: str, label: Label) -> None:
        self._predicted[tweet_id] = (version, label)
        while len(self._predicted) > self.memory:
            self._predicted.popitem(last=False)


def _step_key(state: RolloutState | None) -> tuple[str, str, int] | None:
    return None if state is None else (state.challenger, state.salt, len(state.history))


@dataclass(frozen=True)
class Outcome:
    state: RolloutState
    decision: GuardDecision
    alert: Alert | None

    @property
    def changed(self) -> bool:
        return self.decision.action != "hold"


def decide(tally: Tally, config: GuardConfig, now: datetime) -> Outcome | None:
    """The guards' verdict on the tracked rollout, applied; None when there is none."""
    state = tally.state
    if state is None or not state.active:
        return None
    decision = evaluate(state, tally.champion, tally.challenger, config, now)
    figures = decision.figures | shadow_figures(tally)
    if decision.action == "advance":
        return Outcome(
            rollout.advance(state, now, "guard", decision.reason, figures), decision, None
        )
    if decision.action == "rollback":
        back = rollout.roll_back(state, now, "guard", decision.reason, figures)
        return Outcome(back, decision, rollback_alert(state, decision, now))
    return Outcome(state, decision, None)


def shadow_figures(tally: Tally) -> dict[str, float]:
    """The shadow window's statistics (`shadow_agreement`, ...), when it holds tweets."""
    if not len(tally.shadow):
        return {}
    stats = tally.shadow.stats().to_dict()
    return {f"shadow_{k}": float(v) for k, v in stats.items() if v is not None}


def rollback_alert(state: RolloutState, decision: GuardDecision, now: datetime) -> Alert:
    """Kind `rollout`, critical: which version, at which share, and every figure."""
    observed = decision.figures.get("challenger_error_rate", 0.0)
    figures = ", ".join(f"{k}={v:.4g}" for k, v in sorted(decision.figures.items()))
    return Alert(
        kind="rollout",
        scope="global",
        metric="rollout_guard",
        threshold=0.0,
        observed=observed,
        severity="critical",
        message=(
            f"{state.model_name} version {state.challenger} rolled back at {state.share:.0%}"
            f" ({state.phase}); champion {state.champion} restored: {decision.reason}. {figures}"
        ),
        raised_at=now,
    )
