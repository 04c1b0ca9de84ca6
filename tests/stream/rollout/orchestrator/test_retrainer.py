"""Retrain requests run the configured command once and publish request, skip and outcome;
the debounce survives a restart (a real SQLite registry, no broker)."""

from __future__ import annotations

import asyncio
import sys

from stream.rollout.orchestrator.retrainer import Retrainer, Send
from stream.rollout.retrain import RetrainEvent
from stream.settings import Settings
from tests.stream.rollout.conftest import NAME, retraining


def _recorder() -> tuple[list[RetrainEvent], Send]:
    published: list[RetrainEvent] = []

    async def send(event: RetrainEvent) -> None:  # the topic send, recorded
        published.append(event)

    return published, send


def test_retrain_requests_run_the_command_once_and_publish_the_outcome(settings: Settings) -> None:
    command = f"{sys.executable} -c \"print('retrained')\""
    published, send = _recorder()
    retrainer = Retrainer(retraining(settings, command), NAME, send)

    async def scenario() -> None:
        await retrainer.request("alert:drift", "a1")
        await retrainer.request("schedule")  # one in flight: skipped
        assert retrainer.running is not None
        await retrainer.running

    asyncio.run(scenario())
    assert [e.event for e in published] == ["requested", "skipped", "succeeded"]
    assert published[0].alert_id == "a1" and "retrained" in published[2].detail
    assert retrainer.debounce is not None and retrainer.debounce.in_flight is None


def test_a_command_that_cannot_start_is_a_failed_outcome(settings: Settings) -> None:
    command = "/nonexistent/airparadis-train retrain"
    published, send = _recorder()
    retrainer = Retrainer(retraining(settings, command), NAME, send)

    async def scenario() -> None:
        await retrainer.request("operator")
        assert retrainer.running is not None
        await retrainer.running

    asyncio.run(scenario())
    assert [e.event for e in published] == ["requested", "failed"]
    assert "FileNotFoundError" in published[1].detail


def test_the_retrain_debounce_survives_a_restart(env: Settings) -> None:
    command = f'{sys.executable} -c "import time; time.sleep(2)"'
    settings = retraining(env, command)
    events, send = _recorder()
    first, second = Retrainer(settings, NAME, send), Retrainer(settings, NAME, send)

    async def scenario() -> None:
        await first.request("alert:accuracy")
        await second.request("alert:accuracy")  # a restarted orchestrator: one in flight
        assert first.running is not None
        await first.running

    asyncio.run(scenario())
    assert [e.event for e in events] == ["requested", "skipped", "succeeded"]
    assert "in flight" in events[1].detail
