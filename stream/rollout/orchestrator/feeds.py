"""What the orchestrator reads: topics into the step's tally, alerts into retrain requests.

Each topic has a thin agent: scored events, shadow records, feedback and dead letters
update the `Tally`; a raised `accuracy` or `drift` alert becomes a retrain request.
Records that do not parse are skipped: the workers dead-letter them, the figures ignore them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import faust

from stream.records import Alert, DeadLetter, Feedback, InvalidRecord, ScoredTweet
from stream.rollout import retrain
from stream.rollout.controller import Tally
from stream.rollout.orchestrator.retrainer import Retrainer
from stream.rollout.records import ShadowScore
from stream.settings import Settings

Topic = Callable[[str], faust.TopicT]


def add_tally_feeds(app: faust.App, topic: Topic, settings: Settings, tally: Tally) -> None:
    """One agent per topic the guards read, each feeding `tally`."""

    def on_letter(raw: bytes) -> None:
        letter = DeadLetter.from_json(raw)
        tally.on_dead_letter(letter, tweet_id_of(letter))

    feeds: list[tuple[str, Callable[[bytes], None]]] = [
        (settings.topic_scored, lambda raw: tally.on_scored(ScoredTweet.from_json(raw))),
        (settings.topic_shadow, lambda raw: tally.on_shadow(ShadowScore.from_json(raw))),
        (settings.topic_feedback, lambda raw: tally.on_feedback(Feedback.from_json(raw))),
        (settings.topic_deadletter, on_letter),
    ]
    for name, handle in feeds:
        _feed(app, topic(name), handle, f"rollout-{name}")


def add_retrain_on_alert(app: faust.App, alerts: faust.TopicT, retrainer: Retrainer) -> None:
    """A raised `accuracy`/`drift` alert requests a retrain (debounced by `retrainer`)."""

    @app.agent(alerts, name="retrain-on-alert")
    async def on_alert(stream: faust.StreamT) -> None:
        async for raw in stream:
            try:
                alert = Alert.from_json(raw)
            except InvalidRecord:
                continue  # not ours to judge: the alert topic's consumers validate it
            if cause := retrain.cause_of(alert):
                await retrainer.request(cause, alert.alert_id)


def tweet_id_of(letter: DeadLetter) -> str | None:
    """The id in a dead letter's payload, when it is a JSON object with one."""
    try:
        value = json.loads(letter.payload).get("id")
    except (ValueError, AttributeError):
        return None
    return str(value) if value is not None else None


def _feed(app: faust.App, topic: faust.TopicT, handle: Any, name: str) -> None:
    @app.agent(topic, name=name)
    async def feed(stream: faust.StreamT) -> None:
        async for raw in stream:
            try:
                handle(raw)
            except InvalidRecord:
                continue  # the workers dead-letter bad records; figures skip them
