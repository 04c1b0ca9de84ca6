"""The orchestrator's steps on a real (SQLite) registry: approved version -> shadow -> guards;
retrain requests run the configured command and publish their outcome (no broker here)."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

from models import registry
from stream.rollout import store
from stream.rollout.guards import GuardConfig
from stream.rollout.orchestrator import Orchestrator
from stream.rollout.records import ShadowScore
from stream.settings import Settings
from tests.stream.rollout.conftest import NAME

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _fast(settings: Settings) -> Settings:
    guards = GuardConfig(shadow_dwell_s=1, canary_dwell_s=1, min_events=10)
    rollout = settings.rollout.model_copy(update={"guards": guards})
    return settings.model_copy(update={"rollout": rollout})


def _retraining(settings: Settings, command: str) -> Settings:
    retrain = settings.retrain.model_copy(update={"command": command})
    return settings.model_copy(update={"retrain": retrain})


def test_an_approved_version_starts_in_shadow_and_guards_advance_it(env: Settings) -> None:
    loop = Orchestrator(_fast(env), NAME)
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
    again, _ = Orchestrator(_fast(env), NAME).check(T0 + timedelta(seconds=2))
    assert again == state  # a restarted orchestrator resumes the record, it does not restart it


def test_a_breach_rolls_back_with_an_alert_and_is_not_restarted(env: Settings) -> None:
    registry.client(env).set_registered_model_alias(NAME, "challenger-approved", "2")
    loop = Orchestrator(_fast(env), NAME)
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


def test_retrain_requests_run_the_command_once_and_publish_the_outcome(settings: Settings) -> None:
    command = f"{sys.executable} -c \"print('retrained')\""
    loop = Orchestrator(_retraining(settings, command), NAME)
    published = []

    async def scenario() -> None:
        async def publish(event):  # the topic send, recorded
            published.append(event)

        loop._publish = publish  # type: ignore[method-assign]
        await loop.request_retrain("alert:drift", "a1")
        await loop.request_retrain("schedule")  # one in flight: skipped
        assert loop.running is not None
        await loop.running

    asyncio.run(scenario())
    assert [e.event for e in published] == ["requested", "skipped", "succeeded"]
    assert published[0].alert_id == "a1" and "retrained" in published[2].detail
    assert loop.debounce is not None and loop.debounce.in_flight is None


def test_the_retrain_debounce_survives_a_restart(env: Settings) -> None:
    command = f'{sys.executable} -c "import time; time.sleep(2)"'
    settings = _retraining(env, command)
    first, second = Orchestrator(settings, NAME), Orchestrator(settings, NAME)
    events: list = []

    async def publish(event):
        events.append(event)

    first._publish = second._publish = publish  # type: ignore[method-assign]

    async def scenario() -> None:
        await first.request_retrain("alert:accuracy")
        await second.request_retrain("alert:accuracy")  # a restarted orchestrator: one in flight
        assert first.running is not None
        await first.running

    asyncio.run(scenario())
    assert [e.event for e in events] == ["requested", "skipped", "succeeded"]
    assert "in flight" in events[1].detail
