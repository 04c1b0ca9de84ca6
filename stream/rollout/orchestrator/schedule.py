"""When the orchestrator acts on its own: the monthly retrain and the guards' timer.

A Faust crontab (`retrain_cron`, UTC, on the leader) requests a retrain through the same
debounce as the alerts (docs/rollout.md says why not a cron line); a timer every
`rollout_check_interval_s` applies the guards and publishes a rollback's `rollout` alert.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import faust

from stream.rollout.orchestrator.retrainer import Retrainer
from stream.rollout.orchestrator.stepper import RolloutStepper
from stream.settings import Settings

log = logging.getLogger(__name__)


def add_monthly_retrain(app: faust.App, settings: Settings, retrainer: Retrainer) -> None:
    @app.crontab(settings.retrain.cron, timezone=UTC, on_leader=True)
    async def monthly_retrain() -> None:
        await retrainer.request("schedule")


def add_rollout_checks(
    app: faust.App, settings: Settings, stepper: RolloutStepper, alerts: faust.TopicT
) -> None:
    @app.timer(settings.rollout.check_interval_s)
    async def check_rollout() -> None:
        try:
            alert = await stepper.tick(datetime.now(UTC))
        except Exception:
            log.exception("rollout check failed; retried at the next tick")
            return
        if alert is not None:
            await alerts.send(key=b"rollout", value=alert.to_json())
