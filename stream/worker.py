"""Assemble the worker (app, topics, model, agents, views, timers) and run it."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

import faust

from stream import metrics
from stream.agents import register_agents
from stream.alert_pipeline import AlertPipeline
from stream.analytics import Analytics
from stream.app import create_app
from stream.feedback import FeedbackPipeline
from stream.kafka_transport import guard_commits
from stream.outbox import Outbox
from stream.pipeline import ScoringPipeline
from stream.serving import ModelSlot
from stream.settings import Settings
from stream.tables import declare_tables
from stream.topics import Topics, declare_topics
from stream.views import register_views

log = logging.getLogger(__name__)


def build_worker(
    settings: Settings, slot: ModelSlot, analytics: Analytics
) -> tuple[faust.App, Topics]:
    """The whole topology around an already loaded model slot."""
    app = create_app(settings)
    guard_commits(app, settings.topic_raw)  # only published batches move its commits
    topics = declare_topics(app, settings)
    alerting = AlertPipeline(settings, topics, slot, analytics)
    outbox = Outbox(settings)
    _close_on_shutdown(app, outbox)
    scoring = ScoringPipeline(settings, topics, slot, analytics, outbox, windows=alerting)
    feedback = FeedbackPipeline(settings, topics, analytics)
    register_agents(app, declare_tables(app, settings), scoring, alerting, feedback)
    register_views(app, settings, slot, topics)
    _register_timers(app, settings, slot)
    return app, topics


def _close_on_shutdown(app: faust.App, outbox: Outbox) -> None:
    async def close_outbox(sender: Any, **_: Any) -> None:
        left = await asyncio.get_running_loop().run_in_executor(None, outbox.close)
        if left:
            log.warning("%d output records were not delivered before shutdown", left)

    app.on_before_shutdown.connect(close_outbox)  # type: ignore[arg-type]  # mode's stub


def _register_timers(app: faust.App, settings: Settings, slot: ModelSlot) -> None:
    @app.timer(settings.model_reload_interval_s)
    async def reload_champion() -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(None, slot.reload_if_changed)
        except Exception:
            log.exception(
                "hot reload failed; still serving %s", slot.current and slot.current.version
            )

    @app.timer(5.0)
    async def export_consumer_lag() -> None:
        monitor = app.monitor
        for tp, end in list(monitor.tp_end_offsets.items()):
            committed = monitor.tp_committed_offsets.get(tp)
            if committed is not None:
                metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(
                    max(0, end - committed)
                )


def run_worker(settings: Settings, loglevel: str = "info") -> None:
    """Create missing topics, load the model once, then run the Faust worker until stopped."""
    from stream.kafka_admin import ensure_topics

    ensure_topics(settings, [*settings.all_topics(), settings.topic_scoped, settings.topic_joins])
    (settings.data_dir / "faust").mkdir(parents=True, exist_ok=True)
    slot = ModelSlot(settings)
    served = slot.load()
    log.info("serving %s version %s", served.name, served.version)
    logging.getLogger("aiokafka").setLevel(logging.INFO)  # its per-message debug lines cost
    analytics = Analytics(settings)
    app, _ = build_worker(settings, slot, analytics)
    gc.freeze()  # the start-up heap (MLflow, NumPy, Faust) out of the collector: ~250 ms pauses
    try:
        faust.Worker(app, loglevel=loglevel).execute_from_commandline()
    finally:
        analytics.shutdown()
