"""The rollout stepping: follow the registry record, start an approved version, apply guards.

`RolloutStepper` holds the `Tally` of the current step (fed by `feeds`) and, at each check,
reads the record, starts a shadow rollout when the gate's alias points at a new version,
and writes the record back when the guards advance or roll back (with a `rollout` alert).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from stream import metrics
from stream.records import Alert
from stream.rollout import state as rollout
from stream.rollout.controller import Outcome, Tally, decide
from stream.rollout.state import RolloutState
from stream.settings import Settings

log = logging.getLogger(__name__)


class RolloutStepper:
    """The current step's figures and the guards; the registry is the record."""

    def __init__(self, settings: Settings, model_name: str) -> None:
        self.settings = settings
        self.model_name = model_name
        self.tally = Tally(settings.rollout.shadow_window)
        self.guards = settings.rollout.guards

    def check(self, now: datetime) -> tuple[RolloutState | None, Alert | None]:
        """Blocking (registry): follow the record, start an approved version, apply guards."""
        from stream.rollout import store

        state, outcome = self.judge(self.load(now), now)
        if outcome is not None:
            store.save(self.settings, outcome.state)
        return state, outcome.alert if outcome else None

    async def tick(self, now: datetime) -> Alert | None:
        """`check` for the event loop: registry calls in a thread, the tally in the loop (the
        agents feed it there)."""
        from stream.rollout import store

        state = await asyncio.to_thread(self.load, now)
        _, outcome = self.judge(state, now)
        if outcome is not None:
            await asyncio.to_thread(store.save, self.settings, outcome.state)
        return outcome.alert if outcome else None

    def load(self, now: datetime) -> RolloutState | None:
        """Blocking: the record, after starting a rollout for a newly approved version."""
        from stream.rollout import store

        return self._maybe_start(store.load(self.settings, self.model_name), now)

    def judge(
        self, state: RolloutState | None, now: datetime
    ) -> tuple[RolloutState | None, Outcome | None]:
        """Follow `state`, apply the guards; the outcome when the record must change."""
        self.tally.follow(state)
        export_shadow(self.tally)
        outcome = decide(self.tally, self.guards, now)
        if outcome is None or not outcome.changed:
            return state, None
        decision = outcome.decision
        log.info(
            "rollout %s: %s (%s)", state and state.challenger, decision.action, decision.reason
        )
        self.tally.follow(outcome.state)
        return outcome.state, outcome

    def _maybe_start(self, state: RolloutState | None, now: datetime) -> RolloutState | None:
        from models.registry import champion_version
        from stream.rollout import store

        alias = self.settings.rollout.start_alias
        approved = champion_version(self.settings, self.model_name, alias) if alias else None
        champion = champion_version(self.settings, self.model_name)
        if approved is None or approved == champion or (state and state.active):
            return state
        if state is not None and state.challenger == approved:
            return state  # this version already had its rollout
        steps = tuple(self.settings.rollout.steps)
        new = rollout.start(self.model_name, approved, champion, now, steps)
        log.info("gate approved version %s: shadow beside champion %s", approved, champion)
        return store.save(self.settings, new)


def export_shadow(tally: Tally) -> None:
    """The shadow window's statistics as `rollout_shadow_stat{stat, version}` gauges."""
    state = tally.state
    if state is None or state.phase != "shadow" or not len(tally.shadow):
        return
    stats = tally.shadow.stats()
    both = {"agreement": stats.agreement, "ks_distance": stats.ks_distance}
    for version in (state.challenger, state.champion or "none"):
        for stat, value in both.items():
            metrics.SHADOW_STAT.labels(stat, version).set(value)
    sides = [
        (state.champion or "none", stats.champion_negative_ratio, stats.champion_accuracy),
        (state.challenger, stats.challenger_negative_ratio, stats.challenger_accuracy),
    ]
    for version, negative, accuracy in sides:
        metrics.SHADOW_STAT.labels("negative_ratio", version).set(negative)
        if accuracy is not None:
            metrics.SHADOW_STAT.labels("accuracy", version).set(accuracy)
