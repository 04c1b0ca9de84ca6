"""Measure how long `Analytics.capture_prediction` takes, against a healthy local PostHog
stand-in and against a host that accepts connections but never answers.

    .venv/bin/python training/tools/bench_posthog.py --events 5000
"""

from __future__ import annotations

import argparse
import socket
import statistics
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import REGISTRY

from stream.analytics import Analytics
from stream.records import ScoredTweet
from stream.settings import Settings


class _Ok(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"status": 1}')

    def log_message(self, *args: object) -> None:
        pass


def _tweet(i: int) -> ScoredTweet:
    now = datetime.now(UTC)
    return ScoredTweet(
        id=f"bench-{i}", text="late again", created_at=now, label="negative", score=0.2,
        confidence=0.8, model_name="bench", model_version="0", scored_at=now, latency_s=0.01,
    )  # fmt: skip


def _dropped() -> float:
    return REGISTRY.get_sample_value("posthog_events_total", {"outcome": "dropped"}) or 0.0


def _measure(host: str, events: int, queue_size: int) -> None:
    posthog = {"api_key": "phc_bench", "host": host, "sample_rate": 1.0,
               "queue_size": queue_size, "timeout_s": 5.0}  # fmt: skip
    settings = Settings(posthog=posthog)
    analytics = Analytics(settings)
    tweets = [_tweet(i) for i in range(events)]
    dropped = _dropped()
    durations = []
    for tweet in tweets:
        started = time.perf_counter()
        analytics.capture_prediction(tweet)
        durations.append(time.perf_counter() - started)
    dropped = _dropped() - dropped
    durations.sort()
    p99 = durations[int(0.99 * (len(durations) - 1))]
    print(f"{host:28s} events={events} queue={queue_size} dropped={dropped:.0f} "
          f"p50={statistics.median(durations) * 1e6:.0f}us p99={p99 * 1e6:.0f}us "
          f"max={durations[-1] * 1e3:.2f}ms total={sum(durations):.3f}s")  # fmt: skip
    started = time.perf_counter()
    analytics.shutdown(timeout_s=2.0)
    print(f"{'':28s} shutdown took {time.perf_counter() - started:.2f}s (bounded at 2 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--queue-size", type=int, default=1000)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1024)
    try:
        _measure(f"http://127.0.0.1:{server.server_port}", args.events, args.queue_size)
        _measure(f"http://127.0.0.1:{silent.getsockname()[1]}", args.events, args.queue_size)
    finally:
        server.shutdown()
        silent.close()


if __name__ == "__main__":
    main()
