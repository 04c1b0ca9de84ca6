"""Faults on the real broker with a real worker process: a worker that cannot make progress
says so and exits, SIGTERM is bounded, the scorer child never outlives its worker, and a
registry that cannot be reached at start-up is survived with the cached model."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import mlflow
import pytest
from confluent_kafka.admin import AdminClient, NewTopic

from models.pyfunc import log_model_dir
from models.registry import CHAMPION, REGISTERED_NAMES, register, use_experiment
from stream.local_worker import (
    Worker,
    free_port,
    get_json,
    isolated_env,
    read_events,
    settings_from,
)
from stream.producer import produce
from stream.serving import resolve_cached
from stream.watchdog import EXIT_FATAL, EXIT_SHUTDOWN_TIMEOUT
from tests.kafka_broker import delete_topics_containing
from tests.stream.test_worker_e2e import tweet

pytestmark = pytest.mark.kafka
NAME = REGISTERED_NAMES["tfidf"]


def wait_for(condition: Callable[[], object], timeout_s: float, every_s: float = 0.5) -> object:
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every_s)


def not_ready(worker: Worker) -> dict | None:
    try:
        health = get_json(f"{worker.url}/health")
    except OSError:
        return None
    return health if health.get("http_status") == 503 else None


def stop_scorer(worker: Worker) -> int:
    """SIGSTOP the scorer child: its batches never return."""
    [scorer] = [
        pid
        for pid in worker.children()
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()  # not the resource tracker
    ]
    os.kill(scorer, signal.SIGSTOP)
    return scorer


def test_the_scorer_child_exits_when_its_worker_is_killed(start_worker, small_model_dir):
    worker = start_worker(str(small_model_dir))
    assert worker.children(), "the worker scores in a child process"
    assert worker.process is not None
    os.kill(worker.process.pid, signal.SIGKILL)  # the worker alone, not its process group
    worker.process.wait(10)
    orphans = wait_for(lambda: not worker.children(), 10) or worker.children()
    assert orphans is True, f"processes left behind by the killed worker: {orphans}"


def test_a_persistent_publish_error_turns_health_not_ready_then_exits(
    start_worker, small_model_dir, kafka_bootstrap
):
    env = isolated_env(kafka_bootstrap, str(small_model_dir), AIRPARADIS_FATAL_EXIT_DELAY_S="5")
    settings = settings_from(env)
    # tweets.scored refuses every scored event: the broker answers MSG_SIZE_TOO_LARGE
    small = NewTopic(settings.topic_scored, 3, 1, config={"max.message.bytes": "64"})
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    admin.create_topics([small])[settings.topic_scored].result(10)
    worker = start_worker("", env=env)
    produce(settings, [(None, tweet("a perfectly ordinary tweet")) for _ in range(20)])

    health = wait_for(lambda: not_ready(worker), 30)
    assert health, "/health stayed ready while every batch failed"
    assert "MSG_SIZE_TOO_LARGE" in health["reason"] and health["status"] == "not_ready"
    assert worker.wait_exit(30) == EXIT_FATAL
    assert wait_for(lambda: not worker.children(), 10)


def test_a_stalled_worker_turns_not_ready_with_the_reason_then_exits(start_worker, small_model_dir):
    worker = start_worker(
        str(small_model_dir),
        AIRPARADIS_STALL_TIMEOUT_S="6",
        AIRPARADIS_FATAL_EXIT_DELAY_S="4",
    )
    settings = settings_from(worker.env)
    stop_scorer(worker)  # the scorer hangs: a cause nobody foresaw
    started = time.monotonic()
    produce(settings, [(None, tweet(f"stuck tweet {i}")) for i in range(50)])

    health = wait_for(lambda: not_ready(worker), 30)
    assert health and health["reason"].startswith("stalled: ")
    assert "no batch was published for" in health["reason"]
    assert get_json(f"{worker.url}/health")["http_status"] == 503
    assert worker.wait_exit(30) == EXIT_FATAL
    assert time.monotonic() - started < 6 + 4 + 15
    assert wait_for(lambda: not worker.children(), 10), "the stopped scorer child was left"


def test_sigterm_stops_the_worker_in_bounded_time_with_a_batch_stuck(start_worker, small_model_dir):
    worker = start_worker(str(small_model_dir), AIRPARADIS_SHUTDOWN_TIMEOUT_S="8")
    settings = settings_from(worker.env)
    stop_scorer(worker)
    produce(settings, [(None, tweet(f"stuck tweet {i}")) for i in range(50)])
    time.sleep(2)  # a batch is in the (stopped) scorer
    assert worker.process is not None
    started = time.monotonic()
    worker.process.send_signal(signal.SIGTERM)
    code = worker.wait_exit(40)
    elapsed = time.monotonic() - started
    assert code is not None, "the worker ignored SIGTERM for 40 s"
    assert code in (0, EXIT_SHUTDOWN_TIMEOUT) and elapsed < 8 + 5, (code, elapsed)
    assert wait_for(lambda: not worker.children(), 10)


def _register_champion(settings, model_dir: Path) -> str:
    use_experiment(settings)
    with mlflow.start_run():
        return register(settings, log_model_dir(model_dir, "tfidf"), "tfidf", CHAMPION)


def test_registry_unreachable_at_start_serves_the_cached_champion(
    start_worker, small_model_dir, kafka_bootstrap, tmp_path
):
    uri = f"models:/{NAME}@{CHAMPION}"
    env = isolated_env(kafka_bootstrap, uri, AIRPARADIS_DATA_DIR=str(tmp_path / "var"))
    settings = settings_from(env)
    version = _register_champion(settings, small_model_dir)
    resolve_cached(settings, uri)  # what an earlier worker's start-up did: download, record
    down = {**env, "MLFLOW_TRACKING_URI": f"http://127.0.0.1:{free_port()}"}

    worker = start_worker("", env=down)
    assert get_json(f"{worker.url}/health")["model"] == f"{NAME}/{version}"
    produce(settings, [(None, tweet("great crew, thank you"))])
    [scored] = read_events(settings, settings.topic_scored, 1)
    assert scored["model_version"] == version
    assert "serving cached" in worker.log_path.read_text()


def test_registry_unreachable_and_nothing_cached_fails_with_a_clear_message(
    kafka_bootstrap, tmp_path
):
    env = isolated_env(
        kafka_bootstrap,
        f"models:/{NAME}@{CHAMPION}",
        AIRPARADIS_DATA_DIR=str(tmp_path / "var"),
        MLFLOW_TRACKING_URI=f"http://127.0.0.1:{free_port()}",
    )
    done = subprocess.run(
        [sys.executable, "-m", "stream.cli", "worker", "--loglevel", "warning"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "no model to serve" in done.stderr and "no cached copy" in done.stderr
    assert "Traceback" not in done.stderr
    delete_topics_containing(kafka_bootstrap, env["AIRPARADIS_APP_ID"].removeprefix("test-"))
