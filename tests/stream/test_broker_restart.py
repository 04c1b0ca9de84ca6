"""The broker stopped and restarted mid-stream (`deploy/kafka/kafka.sh stop/start`): the
worker resumes on its own and loses nothing. Runs a broker of its own (never the shared one);
`AIRPARADIS_TEST_OWN_KAFKA_PORT` picks its port (default: a free one)."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stream.local_worker import free_port, isolated_env, read_events, settings_from
from stream.producer import produce
from tests.kafka_broker import run_script
from tests.stream.test_worker_e2e import VALID, tweet, wait_until_committed

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


@dataclass
class OwnBroker:
    env: dict[str, str]

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.env['AIRPARADIS_KAFKA_PORT']}"

    def stop(self) -> None:
        run_script("stop", self.env)

    def start(self) -> None:
        run_script("start", self.env)


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[OwnBroker]:
    if shutil.which("java") is None:
        pytest.skip("kafka.sh needs Java")
    port = int(os.environ.get("AIRPARADIS_TEST_OWN_KAFKA_PORT") or free_port())
    broker = OwnBroker(
        {
            "AIRPARADIS_KAFKA_PORT": str(port),
            "AIRPARADIS_KAFKA_CONTROLLER_PORT": str(free_port()),
            "AIRPARADIS_KAFKA_DATA_DIR": str(tmp_path / "kafka"),
        }
    )
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


def test_broker_stopped_and_restarted_mid_stream_loses_nothing(
    own_broker, start_worker, small_model_dir
):
    env = isolated_env(own_broker.bootstrap, str(small_model_dir), AIRPARADIS_BATCH_SIZE="16")
    worker = start_worker("", env=env)
    settings = settings_from(env)
    payloads = [tweet(f"{VALID[i % len(VALID)]} #{i}") for i in range(2000)]
    ids = {json.loads(p)["id"] for p in payloads}
    producer = threading.Thread(
        target=produce, args=(settings, [(None, p) for p in payloads], 100.0)
    )
    producer.start()
    time.sleep(3)
    # after 3 + 8 s (a new reader's group join takes seconds): ~1,100 of 2,000 produced
    scored_before = {e["id"] for e in read_events(settings, settings.topic_scored, 10**9, 8)}
    own_broker.stop()
    time.sleep(5)
    own_broker.start()
    producer.join()

    assert 0 < len(scored_before) < len(ids), "the broker must stop mid-stream"
    seen: set[str] = set()
    deadline = time.monotonic() + 180
    while not ids <= seen and time.monotonic() < deadline:
        seen |= {e["id"] for e in read_events(settings, settings.topic_scored, 10**9, 10)}
    assert ids <= seen, f"{len(ids - seen)} tweets lost"
    assert worker.process is not None and worker.process.poll() is None, "the worker exited"
    assert wait_until_committed(settings, deadline_s=60) == 0
