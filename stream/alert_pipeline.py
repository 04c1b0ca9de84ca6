"""The alerting side of the worker: window deltas, window closing, feedback and accuracy.

Each scored micro-batch becomes one record per scope on the internal `<app>-scoped` topic,
keyed by scope, holding one delta per source partition; the agent reading that topic owns
each scope's state in the `scope-state` table and reads it in batches: a scope's state is
read, merged with the batch's deltas, closed and written once per batch. Deltas name their
source offsets, so replays apply once.
A timer sends a tick to every `<app>-scoped` partition: silent scopes close their windows.
Silence is only what was observed: a partition's silence counts from when this worker got
it or from when its ticks last resumed after a gap (a broker outage, a stalled worker), so
an outage does not pass for quiet windows.

Scored batches also carry their predictions to the feedback join (`stream.feedback`), whose
outcomes come back here under the key `accuracy`: one state (one partition, one worker)
holds production accuracy. Gauges of a partition that left this worker are removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Iterable, Sequence
from typing import Any

import faust
from faust.types import TP, TableT

from stream import metrics
from stream.alerts.accuracy import AccuracyState, record_feedback
from stream.alerts.drift import DriftReference
from stream.alerts.scopes import GLOBAL, FoundScopes, ScopeConfig, bound_scopes
from stream.alerts.state import (
    ClosedWindow,
    Delta,
    ScopeState,
    WindowConfig,
    admit,
    advance_idle,
    close_final,
    deltas_of,
)
from stream.analytics import Analytics
from stream.feedback import ACCURACY_KEY
from stream.kafka.events import key_partition, send
from stream.kafka.outbox import Record
from stream.records import Alert, ScoredTweet
from stream.scoring import Origin
from stream.serving import ModelSlot
from stream.settings import Settings
from stream.topics import Topics

log = logging.getLogger(__name__)

SCOPE_GAUGES = (
    metrics.WINDOW_TWEETS, metrics.WINDOW_NEGATIVE_RATIO, metrics.WINDOW_MEAN_SCORE,
    metrics.DRIFT_KS, metrics.DRIFT_POSITIVE_SHIFT, metrics.DRIFT_OOV_RATE,
)  # fmt: skip


class AlertPipeline:
    def __init__(
        self, settings: Settings, topics: Topics, slot: ModelSlot, analytics: Analytics
    ) -> None:
        self.settings = settings
        self.topics = topics
        self.slot = slot
        self.analytics = analytics
        self.config = WindowConfig.of(settings.windows, settings.buzz, settings.drift)
        self.scopes = ScopeConfig.of(settings.scopes)
        self.accuracy = settings.accuracy
        self.exported: dict[int, set[str]] = {}  # scoped partition -> keys with gauges here
        self.flowing_since: dict[int, float] = {}  # scoped partition -> ticks arrive since
        self.last_tick: dict[int, float] = {}  # scoped partition -> when its last tick arrived
        self._reference: tuple[str, DriftReference | None] | None = None

    def delta_records(
        self,
        tweets: Sequence[ScoredTweet],
        found: Sequence[FoundScopes],
        origins: Sequence[Origin],
    ) -> list[Record]:
        """One record of window deltas per scope, and the predictions keyed by tweet id."""
        scoped, joins = self.topics.scoped.get_topic_name(), self.topics.joins.get_topic_name()
        scopes = [bound_scopes(tweet_found, self.scopes) for tweet_found in found]
        sources = [(o.partition, o.offset, o.timestamp) for o in origins]
        by_scope: dict[str, list[dict[str, Any]]] = {}
        for delta in deltas_of(tweets, scopes, sources):
            negative = sum(entry[3] for entry in delta.entries)
            metrics.SENTIMENT_BY_SCOPE.labels(delta.scope, "negative").inc(negative)
            metrics.SENTIMENT_BY_SCOPE.labels(delta.scope, "positive").inc(
                len(delta.entries) - negative
            )
            by_scope.setdefault(delta.scope, []).append(delta.to_dict())
        records: list[Record] = [
            (scoped, scope.encode(), json.dumps({"deltas": deltas}).encode())
            for scope, deltas in by_scope.items()
        ]
        return records + self._prediction_records(joins, tweets)

    def _prediction_records(self, joins: str, tweets: Sequence[ScoredTweet]) -> list[Record]:
        """One record per `<app>-joins` partition: its tweets' (id, label) pairs, keyed by one
        of their ids, so the record lands where their feedback will (same murmur2 hash)."""
        groups: dict[int, list[list[str]]] = {}
        for tweet in tweets:
            partition = key_partition(tweet.id, self.settings.topic_partitions)
            groups.setdefault(partition, []).append([tweet.id, tweet.label])
        return [
            (joins, pairs[0][0].encode(), json.dumps({"predictions": pairs}).encode())
            for pairs in groups.values()
        ]

    async def on_scoped(self, table: TableT, events: Sequence[faust.EventT]) -> list[Alert]:
        """A batch of `<app>-scoped` records in offset order: window deltas, accuracy
        outcomes and timer ticks. Each scope touched is read once, takes its deltas one
        after the other, then closes its final windows and is written once (before a tick,
        which reads the table, and at the end of the batch)."""
        alerts: list[Alert] = []
        touched: dict[str, ScopeState] = {}
        for event in events:
            data = json.loads(event.value)
            partition = event.message.partition
            if "tick" in data:
                alerts += await self._close_touched(table, touched)
                now = time.time()
                sent_at = data["tick"] if data["tick"] > 1 else now  # older workers sent 1
                alerts += await self.on_tick(table, partition, now, sent_at)
            elif "outcome" in data:
                alerts += await self.on_outcome(table, partition, data["outcome"])
            else:
                for delta in deltas_in(data):
                    self._admit(table, touched, partition, delta)
        return alerts + await self._close_touched(table, touched)

    def _admit(
        self, table: TableT, touched: dict[str, ScopeState], partition: int, delta: Delta
    ) -> None:
        """Merge one delta into its scope's state (read from the table on first touch)."""
        state = touched.get(delta.scope)
        if state is None:
            stored = table.get(delta.scope)
            state = ScopeState.from_dict(stored) if stored else ScopeState.new(self.config)
            touched[delta.scope] = state
        state.partition = partition
        done = admit(state, delta, self.config, time.time(), self.settings.topic_partitions)
        metrics.WINDOW_REPLAYED.inc(done.replayed)
        if done.rejected:
            first = done.rejected[0]
            log.warning("scope %s: %d tweets rejected (%s)", delta.scope, len(done.rejected), first)
        for reason in done.rejected:
            metrics.WINDOW_REJECTED.labels(reason.split(":")[0]).inc()

    async def _close_touched(self, table: TableT, touched: dict[str, ScopeState]) -> list[Alert]:
        alerts: list[Alert] = []
        for scope, state in touched.items():
            alerts += await self._close(table, scope, state)
        touched.clear()
        return alerts

    async def on_tick(
        self, table: TableT, partition: int, now: float, sent_at: float
    ) -> list[Alert]:
        """Let the silent scopes of this partition close their windows."""
        alerts: list[Alert] = []
        observed_since = self._observed_since(partition, now, sent_at)
        for scope, stored in list(table.items()):
            if not isinstance(stored, dict) or stored.get("partition") != partition:
                continue
            if scope == ACCURACY_KEY:
                self._export_accuracy(AccuracyState.from_dict(stored["state"]), partition)
                continue
            state = ScopeState.from_dict(stored)
            if advance_idle(state, now, self.config.idle_s, observed_since):
                alerts += await self._close(table, scope, state)
            self._export_incidents(scope, state)
        return alerts

    def _observed_since(self, partition: int, now: float, sent_at: float) -> float:
        """Since when this partition's ticks arrive on time: a tick after a gap of more
        than a few tick periods, or one that spent as long in transit, starts it anew."""
        gap = 3 * self.settings.windows.tick_s
        last = self.last_tick.get(partition)
        self.last_tick[partition] = now
        if last is None or now - last > gap or now - sent_at > gap:
            self.flowing_since[partition] = now
        return self.flowing_since[partition]

    def _export_incidents(self, scope: str, state: ScopeState) -> None:
        """`alert_active` from the table: a worker taking over a scope exports it too."""
        incidents = [("bad_buzz", state.buzz.incident), *(
            ("drift", incident) for incident in state.drift.incidents.values()
        )]  # fmt: skip
        for kind in {kind for kind, incident in incidents if incident.is_open}:
            metrics.ALERT_ACTIVE.labels(kind, scope).set(1)
            self._mark(state.partition, scope)

    async def _close(self, table: TableT, scope: str, state: ScopeState) -> list[Alert]:
        closed, alerts = close_final(state, scope, self.config, self.reference())
        table[scope] = state.to_dict()
        for window in closed:
            self._export_window(window, state.partition)
        await self.publish(alerts, state.partition)
        return alerts

    async def on_outcome(
        self, table: TableT, partition: int, outcome: dict[str, Any]
    ) -> list[Alert]:
        """One joined feedback: update production accuracy, once per feedback record.

        The source is (feedback partition/join partition, feedback offset): offsets grow
        along each such path, so a replayed feedback is at or below the last one applied."""
        stored = table.get(ACCURACY_KEY) or {"state": AccuracyState().to_dict(), "applied": []}
        applied = {str(p): offset for p, offset in stored["applied"]}
        source, offset = outcome["source"]
        if offset <= applied.get(str(source), -1):
            metrics.WINDOW_REPLAYED.inc()
            return []
        applied[str(source)] = offset
        state, alert = record_feedback(
            AccuracyState.from_dict(stored["state"]),
            outcome["predicted"], outcome["true"], time.time(), self.accuracy,
        )  # fmt: skip
        table[ACCURACY_KEY] = {
            "state": state.to_dict(), "applied": list(applied.items()), "partition": partition,
        }  # fmt: skip
        self._export_accuracy(state, partition)
        alerts = [alert] if alert else []
        await self.publish(alerts, partition)
        return alerts

    def _export_accuracy(self, state: AccuracyState, partition: int) -> None:
        self._mark(partition, ACCURACY_KEY)
        if state.accuracy is not None:
            metrics.PRODUCTION_ACCURACY.labels(GLOBAL).set(state.accuracy)
        metrics.ACCURACY_LABELS.labels(GLOBAL).set(len(state.outcomes))
        if state.incident.is_open:
            metrics.ALERT_ACTIVE.labels("accuracy", GLOBAL).set(1)

    async def publish(self, alerts: Sequence[Alert], partition: int | None = None) -> None:
        pending: list[Awaitable[Any]] = []
        for alert in alerts:
            log.warning("ALERT %s %s %s: %s", alert.status, alert.kind, alert.scope, alert.message)
            metrics.ALERTS.labels(alert.kind, alert.status).inc()
            metrics.ALERT_ACTIVE.labels(alert.kind, alert.scope).set(alert.status == "raised")
            self._mark(partition, ACCURACY_KEY if alert.kind == "accuracy" else alert.scope)
            self.analytics.capture_alert(alert)
            pending.append(await send(self.topics.alerts, alert.scope, alert.to_json()))
        await asyncio.gather(*pending)

    def reassigned(self, assigned: Iterable[TP]) -> None:
        """After a rebalance, remove the gauges of scopes whose partition went to another
        worker (no stale `alert_active`); that worker exports them from the table."""
        scoped = self.topics.scoped.get_topic_name()
        kept = {tp.partition for tp in assigned if tp.topic == scoped}
        for partition in set(self.flowing_since) - kept:
            del self.flowing_since[partition]  # counted again from its next tick here
            self.last_tick.pop(partition, None)
        for partition in set(self.exported) - kept:
            for scope in self.exported.pop(partition):
                clear_scope_gauges(scope)

    def _mark(self, partition: int | None, scope: str) -> None:
        if partition is not None:
            self.exported.setdefault(partition, set()).add(scope)

    def _export_window(self, window: ClosedWindow, partition: int | None) -> None:
        self._mark(partition, window.scope)
        metrics.WINDOW_TWEETS.labels(window.scope).set(window.stats.count)
        metrics.WINDOW_NEGATIVE_RATIO.labels(window.scope).set(window.stats.negative_ratio)
        metrics.WINDOW_MEAN_SCORE.labels(window.scope).set(window.stats.mean_score)
        if window.drift is not None:
            metrics.DRIFT_KS.labels(window.scope).set(window.drift.ks_statistic)
            if window.drift.positive_rate_shift is not None:
                metrics.DRIFT_POSITIVE_SHIFT.labels(window.scope).set(
                    window.drift.positive_rate_shift
                )
            if window.drift.oov_rate_ratio is not None:
                metrics.DRIFT_OOV_RATE.labels(window.scope).set(window.stats.oov_rate or 0.0)

    def reference(self) -> DriftReference | None:
        """The drift reference of the model being served, rebuilt when the model changes."""
        served = self.slot.current
        if served is None or served.reference_scores is None:
            return None
        if self._reference is None or self._reference[0] != served.version:
            reference = DriftReference.from_scores(
                served.reference_scores, self.config.bins, served.training_oov_rate
            )
            self._reference = (served.version, reference)
        return self._reference[1]

    async def send_ticks(self) -> None:
        """One tick per `<app>-scoped` partition; the owner of each closes silent scopes."""
        for partition in range(self.settings.topic_partitions):
            tick = json.dumps({"tick": time.time()}).encode()
            await self.topics.scoped.send(value=tick, partition=partition)


def deltas_in(data: dict[str, Any]) -> list[Delta]:
    """The deltas of one `<app>-scoped` delta record: `{"deltas": [...]}`, or one delta, as
    workers before batched window closing wrote them (records still in the topic)."""
    if "deltas" in data:
        return [Delta.from_dict(delta) for delta in data["deltas"]]
    return [Delta.from_dict(data)]


def clear_scope_gauges(key: str) -> None:
    """Remove the gauges of one scope-state key (a scope, or the accuracy state)."""
    if key == ACCURACY_KEY:
        for gauge in (metrics.PRODUCTION_ACCURACY, metrics.ACCURACY_LABELS):
            _remove(gauge, GLOBAL)
        _remove(metrics.ALERT_ACTIVE, "accuracy", GLOBAL)
        return
    for gauge in SCOPE_GAUGES:
        _remove(gauge, key)
    for kind in ("bad_buzz", "drift"):
        _remove(metrics.ALERT_ACTIVE, kind, key)


def _remove(gauge: Any, *labels: str) -> None:
    with contextlib.suppress(KeyError):  # never set here
        gauge.remove(*labels)
