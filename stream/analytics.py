"""Product analytics to PostHog, off without an API key, never in the stream's way.

Events go through the posthog client's bounded in-memory queue and background sender
thread: `capture_*` only enqueues (non-blocking); when the queue is full the event is
dropped and counted in `posthog_events_total{outcome="dropped"}`. Tweet text is sent only
when `posthog_send_text` is on; predictions are sampled by a hash of the tweet id.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

from stream import metrics
from stream.records import Alert, DeadLetter, Feedback, ScoredTweet
from stream.settings import Settings

log = logging.getLogger(__name__)
FLUSH_AT = 100  # events per HTTP batch: also the most the sender holds besides the queue
OUTCOMES = ("queued", "dropped", "sampled_out", "send_failed", "error")


def sampled(key: str, rate: float) -> bool:
    """Deterministic sampling: the same tweet id is always in or out."""
    if rate >= 1.0:
        return True
    bucket = int.from_bytes(hashlib.sha1(key.encode()).digest()[:8], "big") / 2**64
    return bucket < rate


class Analytics:
    """Thin PostHog wrapper. `enabled` is False (and every call a no-op) without a key."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: Any = None
        self._warned_full = False
        if settings.posthog.api_key is not None:
            self._client = _make_client(settings)

    @property
    def enabled(self) -> bool:
        return self._client is not None

    def capture_prediction(self, tweet: ScoredTweet) -> None:
        if not self.enabled:
            return
        if not sampled(tweet.id, self._settings.posthog.sample_rate):
            metrics.POSTHOG_EVENTS.labels("sampled_out").inc()
            return
        props = {
            "tweet_id": tweet.id,
            "label": tweet.label,
            "score": tweet.score,
            "confidence": tweet.confidence,
            "model_name": tweet.model_name,
            "model_version": tweet.model_version,
            "latency_s": tweet.latency_s,
            "oov_rate": tweet.oov_rate,
            "lang": tweet.lang,
        }
        if self._settings.posthog.send_text:
            props["text"] = tweet.text
        self._capture("tweet_scored", props)

    def capture_feedback(self, feedback: Feedback) -> None:
        correct = None
        if feedback.predicted_label is not None:
            correct = feedback.predicted_label == feedback.true_label
        props = {
            "tweet_id": feedback.tweet_id,
            "predicted_label": feedback.predicted_label,
            "true_label": feedback.true_label,
            "correct": correct,
            "source": feedback.source,
        }
        self._capture("feedback_received", props)

    def capture_error(self, dead_letter: DeadLetter) -> None:
        """A dead-lettered input: reason and location, never the payload."""
        props = {
            "reason": dead_letter.reason,
            "source_topic": dead_letter.source_topic,
            "partition": dead_letter.partition,
            "offset": dead_letter.offset,
        }
        self._capture("tweet_dead_lettered", props)

    def capture_alert(self, alert: Alert) -> None:
        props = alert.model_dump(mode="json", exclude={"schema_version"})
        self._capture(f"alert_{alert.status}", props)

    def _capture(self, event: str, properties: dict[str, Any]) -> None:
        if self._client is None:
            return
        properties = {**properties, "$process_person_profile": False}
        try:
            queued = self._client.capture(
                event, distinct_id=self._settings.app_id, properties=properties
            )
        except Exception:  # analytics must never break scoring
            log.exception("PostHog capture of %s failed", event)
            metrics.POSTHOG_EVENTS.labels("error").inc()
            return
        metrics.POSTHOG_EVENTS.labels("queued" if queued else "dropped").inc()
        if not queued and not self._warned_full:
            self._warned_full = True
            log.warning("PostHog queue full: dropping events, see posthog_events_total")

    def flush(self, timeout_s: float = 5.0) -> None:
        """Send what is queued, waiting at most `timeout_s` (call on shutdown, not per event)."""
        if self._client is not None:
            self._client.flush(timeout_seconds=timeout_s)

    def shutdown(self, timeout_s: float = 5.0) -> None:
        """Final delivery attempt, bounded: posthog's own shutdown has no drain timeout."""
        client, self._client = self._client, None
        if client is None:
            return
        closer = threading.Thread(target=client.shutdown, name="posthog-shutdown", daemon=True)
        closer.start()
        closer.join(timeout_s)
        if closer.is_alive():
            log.warning("PostHog shutdown still draining after %.1fs; giving up", timeout_s)


def _make_client(settings: Settings) -> Any:
    from posthog import Posthog  # lazy: only when analytics is on

    assert settings.posthog.api_key is not None
    client = Posthog(
        settings.posthog.api_key.get_secret_value(),
        host=settings.posthog.host,
        max_queue_size=settings.posthog.queue_size,
        timeout=settings.posthog.timeout_s,
        max_retries=1,
        flush_at=FLUSH_AT,
        flush_interval=1.0,
        sync_mode=False,
        gzip=True,
        on_error=_count_send_failure,
        enable_local_evaluation=False,
    )
    # posthog logs every dropped event (and resets its level in the constructor): drops are
    # counted in a metric and warned about once instead.
    logging.getLogger("posthog").setLevel(logging.ERROR)
    return client


def _count_send_failure(error: Exception, batch: list[Any]) -> None:
    log.warning("PostHog dropped %d events after send failure: %s", len(batch), error)
    metrics.POSTHOG_EVENTS.labels("send_failed").inc(len(batch))
