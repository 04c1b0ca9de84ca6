"""The orchestrator's wiring, in memory (Faust test contexts, no broker): each topic's agent
feeds the tally, a raised drift alert requests a retrain, a resolved one does not."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from stream.records import Alert, ScoredTweet
from stream.rollout import state as rollout
from stream.rollout.orchestrator.app import build_orchestrator
from stream.rollout.retrain import RetrainEvent
from stream.settings import Settings
from tests.stream.rollout.conftest import retraining

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _alert(status: str) -> Alert:
    return Alert(kind="drift", scope="global", metric="ks", threshold=0.2, observed=0.4,
                 status=status, message="drift")  # fmt: skip


async def _until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    """`put` returns once the agent took the value, not once it handled it."""
    for _ in range(int(timeout_s / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError


def test_the_app_wires_each_feed_and_the_alert_agent(settings: Settings) -> None:
    command = f"{sys.executable} -c \"print('retrained')\""
    orchestrator = build_orchestrator(retraining(settings, command), "m")
    topics = (settings.topic_scored, settings.topic_shadow, settings.topic_feedback,
              settings.topic_deadletter)  # fmt: skip
    assert set(orchestrator.app.agents) == {f"rollout-{t}" for t in topics} | {"retrain-on-alert"}
    published: list[RetrainEvent] = []

    async def send(event: RetrainEvent) -> None:
        published.append(event)

    orchestrator.retrainer.send = send
    tally = orchestrator.stepper.tally
    tally.follow(rollout.advance(rollout.start("m", "2", "1", T0), T0))  # canary 10 %

    async def scenario() -> None:
        scored = ScoredTweet(
            id="t1", text="t", created_at=T0, score=0.9, label="positive", confidence=0.9,
            model_name="m", model_version="2", scored_at=T0, latency_s=0.01,
        )  # fmt: skip
        async with orchestrator.app.agents[f"rollout-{settings.topic_scored}"].test_context() as a:
            await a.put(b"{not json")  # skipped, the agent goes on
            await a.put(scored.to_json())
            await _until(lambda: tally.challenger.scored == 1)
        async with orchestrator.app.agents["retrain-on-alert"].test_context() as agent:
            await agent.put(_alert("resolved").to_json())
            await agent.put(_alert("raised").to_json())
            await _until(lambda: orchestrator.retrainer.running is not None)
        assert orchestrator.retrainer.running is not None
        await orchestrator.retrainer.running

    asyncio.run(scenario())
    assert tally.challenger.scored == 1
    assert [(e.event, e.cause) for e in published] == [
        ("requested", "alert:drift"),
        ("succeeded", "outcome"),
    ]
