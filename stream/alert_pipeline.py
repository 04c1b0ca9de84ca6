"""The alerting side of the worker: window deltas, window closing, feedback and accuracy.

Each scored micro-batch is aggregated into one delta per (scope, window) and sent to the
internal `<app>-scoped` topic keyed by scope (a few records per batch instead of re-reading
every scored tweet); the agent reading it owns the scope's state in a Faust table.
Feedback is joined with predictions by tweet id.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Sequence
from typing import Any

import faust
from faust.types import TableT

from stream import metrics
from stream.alerting import (
    ClosedWindow,
    Delta,
    ScopeState,
    WindowConfig,
    admit,
    close_final,
    deltas_of,
)
from stream.analytics import Analytics
from stream.drift import DriftReference
from stream.outbox import Record
from stream.pipeline import RecentPredictions, origin_of, send
from stream.records import Alert, Feedback, InvalidRecord, ScoredTweet
from stream.rules import AccuracyConfig, AccuracyState, record_feedback
from stream.scopes import FoundScopes, ScopeConfig, ScopeTracker, bound_scopes
from stream.scoring import dead_letter
from stream.serving import ModelSlot
from stream.settings import Settings
from stream.topics import Topics

log = logging.getLogger(__name__)


class AlertPipeline:
    def __init__(
        self, settings: Settings, topics: Topics, slot: ModelSlot, analytics: Analytics
    ) -> None:
        self.topics = topics
        self.slot = slot
        self.analytics = analytics
        self.config = WindowConfig.from_settings(settings)
        self.scopes = ScopeConfig.from_settings(settings)
        self.tracker = ScopeTracker()
        self._reference: tuple[str, DriftReference | None] | None = None

    def delta_records(
        self, tweets: Sequence[ScoredTweet], found: Sequence[FoundScopes]
    ) -> list[Record]:
        """One delta record per (scope, window) of a scored batch, keyed by scope."""
        topic = self.topics.scoped.get_topic_name()
        scopes = [bound_scopes(tweet_found, self.scopes, self.tracker) for tweet_found in found]
        records: list[Record] = []
        for delta in deltas_of(tweets, scopes, self.config):
            metrics.SENTIMENT_BY_SCOPE.labels(delta.scope, "positive").inc(delta.stats.positive)
            metrics.SENTIMENT_BY_SCOPE.labels(delta.scope, "negative").inc(delta.stats.negative)
            payload = json.dumps(delta.to_dict()).encode()
            records.append((topic, delta.scope.encode(), payload))
        return records

    async def on_delta(self, table: TableT, raw: bytes) -> list[Alert]:
        """Merge one delta into its scope's state, close final windows, publish alerts."""
        delta = Delta.from_dict(json.loads(raw))
        stored = table.get(delta.scope)
        state = ScopeState.from_dict(stored) if stored else ScopeState.new(self.config)
        rejected = admit(state, delta, self.config, time.time())
        if rejected:
            log.warning(
                "scope %s: %d tweets rejected (%s)", delta.scope, delta.stats.count, rejected
            )
            metrics.WINDOW_REJECTED.labels(rejected.split(":")[0]).inc(delta.stats.count)
        closed, alerts = close_final(state, delta.scope, self.config, self.reference())
        table[delta.scope] = state.to_dict()
        for window in closed:
            _export_window(window)
        await self.publish(alerts)
        return alerts

    async def publish(self, alerts: Sequence[Alert]) -> None:
        pending: list[Awaitable[Any]] = []
        for alert in alerts:
            log.warning("ALERT %s %s %s: %s", alert.status, alert.kind, alert.scope, alert.message)
            metrics.ALERTS.labels(alert.kind, alert.status).inc()
            metrics.ALERT_ACTIVE.labels(alert.kind, alert.scope).set(alert.status == "raised")
            self.analytics.capture_alert(alert)
            pending.append(await send(self.topics.alerts, alert.scope, alert.to_json()))
        await asyncio.gather(*pending)

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


def _export_window(window: ClosedWindow) -> None:
    metrics.WINDOW_TWEETS.labels(window.scope).set(window.stats.count)
    metrics.WINDOW_NEGATIVE_RATIO.labels(window.scope).set(window.stats.negative_ratio)
    metrics.WINDOW_MEAN_SCORE.labels(window.scope).set(window.stats.mean_score)
    if window.drift is not None:
        metrics.DRIFT_KS.set(window.drift.ks_statistic)
        if window.drift.positive_rate_shift is not None:
            metrics.DRIFT_POSITIVE_SHIFT.set(window.drift.positive_rate_shift)
        if window.drift.oov_rate_ratio is not None:
            metrics.DRIFT_OOV_RATE.set(window.stats.oov_rate or 0.0)


class FeedbackPipeline:
    """Feedback joined with predictions; rolling production accuracy; accuracy alerts."""

    def __init__(
        self, settings: Settings, topics: Topics, recent: RecentPredictions, alerts: AlertPipeline
    ) -> None:
        self.topics = topics
        self.recent = recent
        self.alerts = alerts
        self.config = AccuracyConfig.from_settings(settings)
        self.state = AccuracyState()

    async def handle(self, event: faust.EventT) -> None:
        try:
            feedback = Feedback.from_json(event.value)
            predicted = feedback.predicted_label or self.recent.get(feedback.tweet_id)
            if predicted is None:
                raise InvalidRecord(
                    "unmatched_feedback", f"no prediction known for tweet '{feedback.tweet_id}'"
                )
        except InvalidRecord as error:
            metrics.FEEDBACK_RECEIVED.labels("false").inc()
            letter = dead_letter(event.value or b"", error, origin_of(event))
            metrics.TWEETS_DEADLETTERED.labels(letter.reason).inc()
            await (await send(self.topics.deadletter, None, letter.to_json()))
            return
        metrics.FEEDBACK_RECEIVED.labels("true").inc()
        self.alerts.analytics.capture_feedback(feedback)
        self.state, alert = record_feedback(
            self.state, predicted, feedback.true_label, time.time(), self.config
        )
        _export_accuracy(self.state)
        await self.alerts.publish([alert] if alert else [])


def _export_accuracy(state: AccuracyState) -> None:
    if state.accuracy is not None:
        metrics.PRODUCTION_ACCURACY.set(state.accuracy)
    metrics.ACCURACY_LABELS.set(len(state.outcomes))
