"""A real Prometheus scrapes the real worker's /metrics (the project's metrics)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from stream.kafka.clients import produce
from tests.deploy.test_prometheus import needs_prometheus, prometheus_scraping, query, wait_for
from training.tools.local_worker import settings_from

pytestmark = pytest.mark.kafka


@needs_prometheus
def test_prometheus_scrapes_the_worker(start_worker, small_model_dir, tmp_path):
    worker = start_worker(str(small_model_dir))
    settings = settings_from(worker.env)
    now = datetime.now(UTC).isoformat()
    tweets = [{"id": uuid.uuid4().hex, "text": "great crew", "created_at": now} for _ in range(5)]
    produce(settings, [(None, json.dumps(t).encode()) for t in tweets] + [(None, b"{oops")])

    with prometheus_scraping(tmp_path, worker.url.removeprefix("http://")) as prometheus:
        wait_for(lambda: query(prometheus, 'up{job="air-paradis-stream"} == 1'), 30, "target up")
        scored = wait_for(
            lambda: query(prometheus, "sum(tweets_scored_total) >= 5"), 30, "5 scored tweets"
        )
        assert float(scored[0]["value"][1]) == 5
        letters = query(prometheus, 'tweets_deadlettered_total{reason="malformed_json"}')
        assert float(letters[0]["value"][1]) == 1
        assert query(prometheus, 'model_info{name="tfidf",version="local"} == 1')
        assert query(prometheus, "tweets_consumed_total >= 6")
