"""`airparadis-stream orchestrator`: the learning loop's one decision-maker.

A small Faust process beside the workers (its own consumer group, one instance):
- reads scored events, shadow records, dead letters and feedback into the `Tally` of the
  current rollout step, and every `rollout_check_interval_s` applies the guards (advance,
  hold, rollback + a `rollout` alert), writing the registry record the workers follow;
- starts a rollout (shadow) when the gate approves a new version (`rollout_start_alias`);
- requests a retrain on a raised `accuracy`/`drift` alert and on `retrain_cron` (monthly),
  debounced, runs `retrain_command`, and publishes request, skip and outcome events.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shlex
from datetime import UTC, datetime
from typing import Any

import faust

from stream import metrics
from stream.app import create_app
from stream.records import Alert, DeadLetter, Feedback, InvalidRecord, ScoredTweet
from stream.rollout import retrain
from stream.rollout import state as rollout
from stream.rollout.controller import Outcome, Tally, decide
from stream.rollout.records import ShadowScore
from stream.rollout.state import RolloutState
from stream.settings import Settings

log = logging.getLogger(__name__)


class Orchestrator:
    """The loop's state and its steps; the Faust wiring is `build_orchestrator`."""

    def __init__(self, settings: Settings, model_name: str) -> None:
        self.settings = settings
        self.model_name = model_name
        self.tally = Tally(settings.rollout.shadow_window)
        self.guards = settings.rollout.guards
        self.retrain_config = settings.retrain
        self.debounce: retrain.DebounceState | None = None  # read from the registry at first use
        self.alerts: faust.TopicT | None = None
        self.events: faust.TopicT | None = None
        self.running: asyncio.Future[None] | None = None  # the retrain in progress

    def check(self, now: datetime) -> tuple[RolloutState | None, Alert | None]:
        """Blocking (registry): follow the record, start an approved version, apply guards."""
        from stream.rollout import store

        state, outcome = self.judge(self.load(now), now)
        if outcome is not None:
            store.save(self.settings, outcome.state)
        return state, outcome.alert if outcome else None

    async def tick(self, now: datetime) -> Alert | None:
        """`check` for the event loop: registry calls in a thread, the tally in the loop (the
        agents feed it there)."""
        from stream.rollout import store

        state = await asyncio.to_thread(self.load, now)
        _, outcome = self.judge(state, now)
        if outcome is not None:
            await asyncio.to_thread(store.save, self.settings, outcome.state)
        return outcome.alert if outcome else None

    def load(self, now: datetime) -> RolloutState | None:
        """Blocking: the record, after starting a rollout for a newly approved version."""
        from stream.rollout import store

        return self._maybe_start(store.load(self.settings, self.model_name), now)

    def judge(
        self, state: RolloutState | None, now: datetime
    ) -> tuple[RolloutState | None, Outcome | None]:
        """Follow `state`, apply the guards; the outcome when the record must change."""
        self.tally.follow(state)
        export_shadow(self.tally)
        outcome = decide(self.tally, self.guards, now)
        if outcome is None or not outcome.changed:
            return state, None
        decision = outcome.decision
        log.info(
            "rollout %s: %s (%s)", state and state.challenger, decision.action, decision.reason
        )
        self.tally.follow(outcome.state)
        return outcome.state, outcome

    def _maybe_start(self, state: RolloutState | None, now: datetime) -> RolloutState | None:
        from models.registry import champion_version
        from stream.rollout import store

        alias = self.settings.rollout.start_alias
        approved = champion_version(self.settings, self.model_name, alias) if alias else None
        champion = champion_version(self.settings, self.model_name)
        if approved is None or approved == champion or (state and state.active):
            return state
        if state is not None and state.challenger == approved:
            return state  # this version already had its rollout
        steps = tuple(self.settings.rollout.steps)
        new = rollout.start(self.model_name, approved, champion, now, steps)
        log.info("gate approved version %s: shadow beside champion %s", approved, champion)
        return store.save(self.settings, new)

    async def request_retrain(self, cause: str, alert_id: str | None = None) -> None:
        now = datetime.now(UTC)
        before = await self._debounce()
        self.debounce, event = retrain.request(before, cause, now, self.retrain_config, alert_id)
        await self._save_debounce()
        await self._publish(event)
        if event.event == "requested":
            self.running = asyncio.ensure_future(self._run_retrain(event.request_id))

    async def _run_retrain(self, request_id: str) -> None:
        command = shlex.split(self.settings.retrain.command)
        try:
            process = await asyncio.create_subprocess_exec(
                *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
            )
            output, _ = await process.communicate()
            ok, detail = process.returncode == 0, output.decode(errors="replace")[-500:]
        except OSError as error:
            ok, detail = False, f"{type(error).__name__}: {error}"
        before = await self._debounce()
        self.debounce, event = retrain.finish(before, request_id, ok, datetime.now(UTC), detail)
        await self._save_debounce()
        await self._publish(event)

    async def _debounce(self) -> retrain.DebounceState:
        from stream.rollout import store

        if self.debounce is None:
            try:
                self.debounce = await asyncio.to_thread(
                    store.load_debounce, self.settings, self.model_name
                )
            except Exception:  # no registered model yet, or the registry is down
                log.warning("retrain debounce unreadable; starting from none", exc_info=True)
                self.debounce = retrain.DebounceState()
        return self.debounce

    async def _save_debounce(self) -> None:
        from stream.rollout import store

        if self.debounce is None:
            return
        try:
            await asyncio.to_thread(
                store.save_debounce, self.settings, self.model_name, self.debounce
            )
        except Exception:
            log.warning("retrain debounce not saved (kept in memory)", exc_info=True)

    async def _publish(self, event: retrain.RetrainEvent) -> None:
        log.info("retrain %s: %s %s", event.event, event.cause, event.detail[:200])
        if self.events is not None:
            await self.events.send(key=event.request_id.encode(), value=event.to_json())


def export_shadow(tally: Tally) -> None:
    """The shadow window's statistics as `rollout_shadow_stat{stat, version}` gauges."""
    state = tally.state
    if state is None or state.phase != "shadow" or not len(tally.shadow):
        return
    stats = tally.shadow.stats()
    both = {"agreement": stats.agreement, "ks_distance": stats.ks_distance}
    for version in (state.challenger, state.champion or "none"):
        for stat, value in both.items():
            metrics.SHADOW_STAT.labels(stat, version).set(value)
    sides = [
        (state.champion or "none", stats.champion_negative_ratio, stats.champion_accuracy),
        (state.challenger, stats.challenger_negative_ratio, stats.challenger_accuracy),
    ]
    for version, negative, accuracy in sides:
        metrics.SHADOW_STAT.labels("negative_ratio", version).set(negative)
        if accuracy is not None:
            metrics.SHADOW_STAT.labels("accuracy", version).set(accuracy)


def tweet_id_of(letter: DeadLetter) -> str | None:
    """The id in a dead letter's payload, when it is a JSON object with one."""
    try:
        value = json.loads(letter.payload).get("id")
    except (ValueError, AttributeError):
        return None
    return str(value) if value is not None else None


def build_orchestrator(settings: Settings, model_name: str) -> tuple[faust.App, Orchestrator]:
    conf = settings.model_copy(
        update={"app_id": f"{settings.app_id}-orchestrator", "web_port": settings.orchestrator_port}
    )
    app = create_app(conf)
    loop = Orchestrator(settings, model_name)

    def topic(name: str) -> faust.TopicT:
        return app.topic(name, key_type=bytes, value_type=bytes, value_serializer="raw")

    loop.alerts, loop.events = topic(settings.topic_alerts), topic(settings.topic_retrain)
    feeds: list[tuple[str, Any]] = [
        (settings.topic_scored, lambda raw: loop.tally.on_scored(ScoredTweet.from_json(raw))),
        (settings.topic_shadow, lambda raw: loop.tally.on_shadow(ShadowScore.from_json(raw))),
        (settings.topic_feedback, lambda raw: loop.tally.on_feedback(Feedback.from_json(raw))),
        (settings.topic_deadletter, lambda raw: _on_letter(loop, DeadLetter.from_json(raw))),
    ]
    for name, handle in feeds:
        _feed(app, topic(name), handle, f"rollout-{name}")

    @app.agent(loop.alerts, name="retrain-on-alert")
    async def on_alert(stream: faust.StreamT) -> None:
        async for raw in stream:
            try:
                alert = Alert.from_json(raw)
            except InvalidRecord:
                continue  # not ours to judge: the alert topic's consumers validate it
            if cause := retrain.cause_of(alert):
                await loop.request_retrain(cause, alert.alert_id)

    @app.page("/metrics")
    async def prometheus(web: Any, request: Any) -> Any:
        from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

        headers = {"Content-Type": CONTENT_TYPE_LATEST}
        return web.bytes(generate_latest(REGISTRY), headers=headers)

    @app.crontab(settings.retrain.cron, timezone=UTC, on_leader=True)
    async def monthly_retrain() -> None:
        await loop.request_retrain("schedule")

    @app.timer(settings.rollout.check_interval_s)
    async def check_rollout() -> None:
        try:
            alert = await loop.tick(datetime.now(UTC))
        except Exception:
            log.exception("rollout check failed; retried at the next tick")
            return
        if alert is not None and loop.alerts is not None:
            await loop.alerts.send(key=b"rollout", value=alert.to_json())

    return app, loop


def _on_letter(loop: Orchestrator, letter: DeadLetter) -> None:
    loop.tally.on_dead_letter(letter, tweet_id_of(letter))


def _feed(app: faust.App, topic: faust.TopicT, handle: Any, name: str) -> None:
    @app.agent(topic, name=name)
    async def feed(stream: faust.StreamT) -> None:
        async for raw in stream:
            try:
                handle(raw)
            except InvalidRecord:
                continue  # the workers dead-letter bad records; figures skip them


def run_orchestrator(settings: Settings, model_name: str, loglevel: str = "info") -> None:
    from stream.kafka.admin import ensure_topics

    ensure_topics(settings, [*settings.all_topics(), settings.topic_shadow, settings.topic_retrain])
    (settings.data_dir / "faust").mkdir(parents=True, exist_ok=True)
    app, _ = build_orchestrator(settings, model_name)
    faust.Worker(app, loglevel=loglevel).execute_from_commandline()
