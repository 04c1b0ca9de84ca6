"""PostHog wrapper against a local HTTP server standing in for the PostHog host."""

import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from prometheus_client import REGISTRY

from stream.analytics import FLUSH_AT, Analytics, sampled
from stream.records import Alert, DeadLetter, Feedback, InvalidRecord, ScoredTweet
from stream.settings import Settings

SECRET_TEXT = "my flight to Nice was a disaster"


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.bodies.append(body.decode())  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": 1}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def posthog_host() -> Iterator[tuple[str, list[str]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.bodies = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", server.bodies  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def silent_host() -> Iterator[str]:
    """Accepts TCP connections (kernel backlog) but never answers: the worst network case."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


def outcome_count(outcome: str) -> float:
    return REGISTRY.get_sample_value("posthog_events_total", {"outcome": outcome}) or 0.0


def settings_for(host: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"api_key": "phc_test", "host": host, "sample_rate": 1.0}
    return Settings(posthog=values | overrides)


def scored(tweet_id: str = "t1") -> ScoredTweet:
    now = datetime.now(UTC)
    return ScoredTweet(
        id=tweet_id, text=SECRET_TEXT, created_at=now, label="negative", score=0.1,
        confidence=0.9, model_name="lstm", model_version="3", scored_at=now, latency_s=0.02,
    )  # fmt: skip


def events_in(bodies: list[str]) -> list[dict]:
    return [event for body in bodies for event in json.loads(body)["batch"]]


def test_off_without_api_key(posthog_host):
    host, bodies = posthog_host
    analytics = Analytics(Settings(posthog={"api_key": None, "host": host}))
    before = outcome_count("queued")
    analytics.capture_prediction(scored())
    analytics.flush(1)
    assert not analytics.enabled and bodies == [] and outcome_count("queued") == before


def test_events_arrive_without_tweet_text_by_default(posthog_host):
    host, bodies = posthog_host
    analytics = Analytics(settings_for(host))
    queued = outcome_count("queued")
    analytics.capture_prediction(scored())
    analytics.capture_feedback(Feedback(tweet_id="t1", predicted_label="negative",
                                        true_label="positive", source="agent"))  # fmt: skip
    error = InvalidRecord("malformed_json", "Expecting value at line 1 column 1")
    analytics.capture_error(DeadLetter.for_payload(SECRET_TEXT.encode(), error, "raw", 0, 7))
    alert = Alert(kind="bad_buzz", scope="global", metric="negative_ratio", threshold=0.8,
                  observed=0.9, message="Bad buzz")  # fmt: skip
    analytics.capture_alert(alert)
    analytics.shutdown(timeout_s=10)
    events = {event["event"]: event["properties"] for event in events_in(bodies)}
    assert set(events) == {"tweet_scored", "feedback_received", "tweet_dead_lettered",
                           "alert_raised"}  # fmt: skip
    assert events["tweet_scored"]["label"] == "negative" and "text" not in events["tweet_scored"]
    assert events["feedback_received"]["correct"] is False
    assert events["tweet_dead_lettered"]["reason"] == "malformed_json"
    assert events["alert_raised"]["scope"] == "global"
    assert all(SECRET_TEXT not in body for body in bodies)
    assert "phc_test" not in repr(analytics.__dict__)  # the key stays inside the client
    assert outcome_count("queued") - queued == 4


def test_text_sent_only_when_enabled(posthog_host):
    host, bodies = posthog_host
    analytics = Analytics(settings_for(host, send_text=True))
    analytics.capture_prediction(scored())
    analytics.shutdown(timeout_s=10)
    assert [e["properties"]["text"] for e in events_in(bodies)] == [SECRET_TEXT]


def test_predictions_are_sampled_by_tweet_id(posthog_host):
    host, bodies = posthog_host
    analytics = Analytics(settings_for(host, sample_rate=0.2))
    ids = [f"tweet-{i}" for i in range(300)]
    for tweet_id in ids:
        analytics.capture_prediction(scored(tweet_id))
    analytics.shutdown(timeout_s=10)
    sent = {e["properties"]["tweet_id"] for e in events_in(bodies)}
    assert sent == {i for i in ids if sampled(i, 0.2)}
    assert 30 <= len(sent) <= 90  # about 20% of 300


def test_silent_host_never_blocks_capture_and_overflow_is_counted(silent_host):
    analytics = Analytics(settings_for(silent_host, queue_size=10, timeout_s=5))
    queued, dropped = outcome_count("queued"), outcome_count("dropped")
    started = time.perf_counter()
    for i in range(200):
        analytics.capture_prediction(scored(f"t{i}"))
    elapsed = time.perf_counter() - started
    # The sender is stuck waiting on the host for 5 s; capture never waited for it.
    assert elapsed < 2.5, f"200 captures took {elapsed:.2f}s"
    assert outcome_count("queued") - queued + outcome_count("dropped") - dropped == 200
    # at most the queue (10) and one batch in flight were taken: the rest was dropped
    assert outcome_count("dropped") - dropped >= 200 - 10 - FLUSH_AT
    started = time.perf_counter()
    analytics.shutdown(timeout_s=0.5)
    assert time.perf_counter() - started < 2.5
