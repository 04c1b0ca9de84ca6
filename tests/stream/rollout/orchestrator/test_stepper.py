"""The rollout stepping on a real (SQLite) registry: approved version -> shadow -> guards,
a breach -> rollback + alert, a restart resumes the record (no broker here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models import registry
from stream.rollout import store
from stream.rollout.guards import GuardConfig
from stream.rollout.orchestrator.stepper import RolloutStepper
from stream.rollout.records import ShadowScore
from stream.settings import Settings
from tests.stream.rollout.conftest import NAME

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _fast(settings: Settings) -> Settings:
    guards = GuardConfig(shadow_dwell_s=1, canary_dwell_s=1, min_events=10)
    rollout = settings.rollout.model_copy(update={"guards": guards})
    return settings.model_copy(update={"rollout": rollout})


def test_an_approved_version_starts_in_shadow_and_guards_advance_it(env: Settings) -> None:
    loop = RolloutStepper(_fast(env), NAME)
    assert loop.check(T0) == (None, None)  # nothing approved yet
    registry.client(env).set_registered_model_alias(NAME, "challenger-approved", "2")
    state, alert = loop.check(T0)
    assert state is not None and (state.phase, state.challenger, state.champion) == (
        "shadow",
        "2",
        "1",
    )
    for i in range(20):
        loop.tally.on_shadow(
            ShadowScore(
                tweet_id=str(i), model_name=NAME, champion_version="1", challenger_version="2",
                champion_score=0.3 + i % 2 * 0.4, challenger_score=0.3 + i % 2 * 0.4,
            )
        )  # fmt: skip
    state, alert = loop.check(T0 + timedelta(seconds=2))
    assert state is not None and (state.phase, state.share, alert) == ("canary", 0.1, None)
    assert store.load(env, NAME) == state  # what every worker reads
    again, _ = RolloutStepper(_fast(env), NAME).check(T0 + timedelta(seconds=2))
    assert again == state  # a restarted orchestrator resumes the record, it does not restart it


def test_a_breach_rolls_back_with_an_alert_and_is_not_restarted(env: Settings) -> None:
    registry.client(env).set_registered_model_alias(NAME, "challenger-approved", "2")
    loop = RolloutStepper(_fast(env), NAME)
    loop.check(T0)
    for i in range(20):
        loop.tally.on_shadow(
            ShadowScore(
                tweet_id=str(i), model_name=NAME, champion_version="1", challenger_version="2",
                champion_score=0.2, challenger_score=0.9,
            )
        )  # fmt: skip
    state, alert = loop.check(T0 + timedelta(seconds=1))
    assert state is not None and state.phase == "rolled_back"
    assert alert is not None and alert.kind == "rollout" and "negative ratio" in alert.message
    assert registry.champion_version(env, NAME) == "1"
    later, _ = loop.check(T0 + timedelta(seconds=5))
    assert later is not None and later.phase == "rolled_back"  # the alias does not restart it
