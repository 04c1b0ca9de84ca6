"""Assemble the worker (app, topics, model, agents, views, timers) and run it."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from typing import Any

import faust

from stream import metrics
from stream.agents import register_agents
from stream.alert_pipeline import AlertPipeline
from stream.analytics import Analytics
from stream.app import create_app
from stream.feedback import FeedbackPipeline
from stream.kafka.outbox import Outbox
from stream.kafka.transport import guard_commits
from stream.rollout.serving import ChallengerSlot
from stream.scoring_pipeline import ScoringPipeline
from stream.serving import ModelSlot, ModelUnavailable
from stream.settings import Settings
from stream.tables import declare_tables
from stream.topics import Topics, declare_topics
from stream.views import register_views
from stream.watchdog import Watchdog

log = logging.getLogger(__name__)
EXIT_NO_MODEL = 2
# MLflow's HTTP client retries 7 times with backoff (minutes) by default
REGISTRY_HTTP_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "10",
}


def build_worker(
    settings: Settings, slot: ModelSlot, analytics: Analytics, watchdog: Watchdog | None = None
) -> tuple[faust.App, Topics]:
    """The whole topology around an already loaded model slot."""
    watchdog = watchdog or Watchdog(settings)
    app = create_app(settings)
    guard_commits(app, settings.topic_raw)  # only published batches move its commits
    topics = declare_topics(app, settings)
    alerting = AlertPipeline(settings, topics, slot, analytics)
    outbox = Outbox(settings)
    _close_on_shutdown(app, outbox)
    rollout = ChallengerSlot(settings)
    scoring = ScoringPipeline(
        settings, topics, slot, analytics, outbox, alerting, watchdog, rollout
    )
    feedback = FeedbackPipeline(settings, topics, analytics)
    register_agents(app, declare_tables(app, settings), scoring, alerting, feedback)
    register_views(app, settings, slot, topics, watchdog)
    _register_timers(app, settings, slot)
    _register_rollout(app, settings, rollout)
    _register_watchdog(app, settings, scoring, watchdog)
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


def _register_rollout(app: faust.App, settings: Settings, rollout: ChallengerSlot) -> None:
    @app.timer(settings.model_reload_interval_s)
    async def follow_rollout() -> None:  # the record in the registry (docs/rollout.md)
        try:
            await asyncio.to_thread(rollout.reload)
        except Exception:
            log.exception("rollout record unreadable; keeping the current challenger")


def _register_watchdog(
    app: faust.App, settings: Settings, scoring: ScoringPipeline, watchdog: Watchdog
) -> None:
    @app.timer(1.0)
    async def check_progress() -> None:
        watchdog.check(max(scoring.held, raw_lag(app, settings.topic_raw)))


def raw_lag(app: faust.App, topic: str) -> int:
    """Records of `topic` past the committed offsets (partitions with a commit only)."""
    monitor = app.monitor
    lag = 0
    for tp, end in list(monitor.tp_end_offsets.items()):
        committed = monitor.tp_committed_offsets.get(tp)
        if tp.topic == topic and committed is not None:
            lag += max(0, end - committed)
    return lag


class GuardedWorker(faust.Worker):
    """Faust's worker, with a hard deadline on the stop that SIGTERM/SIGINT start."""

    watchdog: Watchdog

    def _on_sigterm(self) -> None:
        self.watchdog.arm_shutdown_deadline()
        super()._on_sigterm()

    def _on_sigint(self) -> None:
        self.watchdog.arm_shutdown_deadline()
        super()._on_sigint()


def run_worker(settings: Settings, loglevel: str = "info") -> None:
    """Create missing topics, load the model once, then run the Faust worker until stopped."""
    from stream.kafka.admin import ensure_topics

    ensure_topics(
        settings,
        [
            *settings.all_topics(),
            settings.topic_scoped,
            settings.topic_joins,
            settings.topic_shadow,
        ],
    )
    (settings.data_dir / "faust").mkdir(parents=True, exist_ok=True)
    for variable, value in REGISTRY_HTTP_DEFAULTS.items():  # an unreachable registry: seconds
        os.environ.setdefault(variable, value)
    slot = ModelSlot(settings)
    try:
        served = slot.load()
    except ModelUnavailable as error:
        log.critical("no model to serve: %s", error)
        raise SystemExit(EXIT_NO_MODEL) from None
    log.info("serving %s version %s", served.name, served.version)
    logging.getLogger("aiokafka").setLevel(logging.INFO)  # its per-message debug lines cost
    analytics = Analytics(settings)
    watchdog = Watchdog(settings)
    app, _ = build_worker(settings, slot, analytics, watchdog)
    gc.freeze()  # the start-up heap (MLflow, NumPy, Faust) out of the collector's full passes
    worker = GuardedWorker(app, loglevel=loglevel)
    worker.watchdog = watchdog
    try:
        worker.execute_from_commandline()
    finally:
        analytics.shutdown()
