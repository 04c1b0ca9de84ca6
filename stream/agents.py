"""Faust agents: thin loops that read a topic and hand each batch or event to a pipeline.

score-tweets   tweets.raw      -> tweets.scored, tweets.review, tweets.deadletter,
                                  <app>-scoped (deltas keyed by scope), <app>-joins (predictions)
close-windows  <app>-scoped    -> scope-state table, alerts (bad buzz, drift, accuracy); batches
feedback       tweets.feedback -> <app>-joins (keyed by tweet id), tweets.deadletter
join-feedback  <app>-joins     -> predictions table, <app>-scoped (accuracy outcomes)
timer          every window_tick_s: a tick to each <app>-scoped partition (silent scopes close)
"""

from __future__ import annotations

from typing import Any

import faust

from stream.alert_pipeline import AlertPipeline
from stream.feedback import FeedbackPipeline
from stream.scoring_pipeline import ScoringPipeline
from stream.tables import Tables


def register_agents(
    app: faust.App,
    tables: Tables,
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
        take = stream.take_events  # type: ignore[attr-defined]  # missing from StreamT stubs
        async for events in take(size, within=within):
            await alerting.on_scoped(tables.scopes, events)

    @app.agent(topics.feedback, name="feedback")
    async def forward_feedback(stream: faust.StreamT) -> None:
        async for event in stream.events():
            await feedback.handle(event)

    @app.agent(topics.joins, name="join-feedback")
    async def join_feedback(stream: faust.StreamT) -> None:
        async for event in stream.events():
            await feedback.join(tables.predictions, event)

    @app.timer(settings.windows.tick_s)
    async def tick_windows() -> None:
        await alerting.send_ticks()

    async def on_assigned(sender: Any, assigned: Any, **_: Any) -> None:
        alerting.reassigned(assigned)
        feedback.reassigned()

    app.on_partitions_assigned.connect(on_assigned)  # type: ignore[arg-type]  # mode's stub
