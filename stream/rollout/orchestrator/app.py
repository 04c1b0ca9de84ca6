"""The orchestrator's Faust app: its topics, the feeds, the schedule, `/metrics`."""

from __future__ import annotations

from typing import Any, NamedTuple

import faust

from stream.app import create_app
from stream.rollout.orchestrator import feeds, schedule
from stream.rollout.orchestrator.retrainer import Retrainer
from stream.rollout.orchestrator.stepper import RolloutStepper
from stream.rollout.retrain import RetrainEvent
from stream.settings import Settings


class Orchestrator(NamedTuple):
    app: faust.App
    stepper: RolloutStepper
    retrainer: Retrainer


def build_orchestrator(settings: Settings, model_name: str) -> Orchestrator:
    conf = settings.model_copy(
        update={"app_id": f"{settings.app_id}-orchestrator", "web_port": settings.orchestrator_port}
    )
    app = create_app(conf)

    def topic(name: str) -> faust.TopicT:
        return app.topic(name, key_type=bytes, value_type=bytes, value_serializer="raw")

    alerts, events = topic(settings.topic_alerts), topic(settings.topic_retrain)

    async def send(event: RetrainEvent) -> None:
        await events.send(key=event.request_id.encode(), value=event.to_json())

    stepper = RolloutStepper(settings, model_name)
    retrainer = Retrainer(settings, model_name, send)
    feeds.add_tally_feeds(app, topic, settings, stepper.tally)
    feeds.add_retrain_on_alert(app, alerts, retrainer)
    schedule.add_monthly_retrain(app, settings, retrainer)
    schedule.add_rollout_checks(app, settings, stepper, alerts)

    @app.page("/metrics")
    async def prometheus(web: Any, request: Any) -> Any:
        from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

        headers = {"Content-Type": CONTENT_TYPE_LATEST}
        return web.bytes(generate_latest(REGISTRY), headers=headers)

    return Orchestrator(app, stepper, retrainer)


def run_orchestrator(settings: Settings, model_name: str, loglevel: str = "info") -> None:
    from stream.kafka.admin import ensure_topics

    ensure_topics(settings, [*settings.all_topics(), settings.topic_shadow, settings.topic_retrain])
    (settings.data_dir / "faust").mkdir(parents=True, exist_ok=True)
    orchestrator = build_orchestrator(settings, model_name)
    faust.Worker(orchestrator.app, loglevel=loglevel).execute_from_commandline()
