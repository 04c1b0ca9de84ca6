"""Faust agents: thin loops that read a topic and hand each batch or event to a pipeline.

score-tweets   tweets.raw      -> tweets.scored, tweets.review, tweets.deadletter,
                                  <app>-scoped (one delta per scope and window, keyed by scope)
close-windows  <app>-scoped    -> scope-state table, alerts (bad buzz, drift)
feedback       tweets.feedback -> alerts (production accuracy), tweets.deadletter
"""

from __future__ import annotations

import faust
from faust.types import TableT

from stream.alert_pipeline import AlertPipeline, FeedbackPipeline
from stream.pipeline import ScoringPipeline


def register_agents(
    app: faust.App,
    table: TableT,
    scoring: ScoringPipeline,
    alerting: AlertPipeline,
    feedback: FeedbackPipeline,
) -> None:
    settings, topics = scoring.settings, scoring.topics
    size, within = settings.batch_size, settings.batch_timeout_s

    @app.agent(topics.raw, name="score-tweets")
    async def score_tweets(stream: faust.StreamT) -> None:
        take = stream.take_events  # type: ignore[attr-defined]  # missing from StreamT stubs
        async for events in take(size, within=within):
            await scoring.submit(events)

    @app.agent(topics.scoped, name="close-windows")
    async def close_windows(stream: faust.StreamT) -> None:
        async for raw in stream:
            await alerting.on_delta(table, raw)

    @app.agent(topics.feedback, name="feedback")
    async def join_feedback(stream: faust.StreamT) -> None:
        async for event in stream.events():
            await feedback.handle(event)
