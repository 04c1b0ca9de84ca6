"""Shared fixtures: a real Kafka broker for the session, unique topics and settings per test.

Tests that talk to Kafka are marked `@pytest.mark.kafka` (deselect with `-m "not kafka"`);
using `kafka_bootstrap` marks a test automatically.
"""

from __future__ import annotations

import csv
import gzip
import os
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from stream.settings import Settings
from tests.kafka_broker import (
    LocalBroker,
    container_broker,
    delete_topics_containing,
    docker_engine_answers,
)
from training.tools.local_worker import OrchestratorProcess, Worker, isolated_env

TOPIC_FIELDS = (
    "topic_raw",
    "topic_scored",
    "topic_alerts",
    "topic_feedback",
    "topic_deadletter",
    "topic_review",
)
OFFLINE_BOOTSTRAP = "127.0.0.1:9"  # tests not marked `kafka` must not reach a broker
# Registry locations and credentials a shell may hold: never inherited by a test
SHELL_ONLY_ENV = re.compile(
    r"^(AIRPARADIS_)?(MLFLOW_\w+|DATABRICKS_\w+|AWS_\w+|POSTHOG_API_KEY"
    r"|KAFKA_SASL_\w+|KAFKA_SSL_\w+|KAFKA_SECURITY_PROTOCOL)$"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "kafka_bootstrap" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.kafka)
        if item.get_closest_marker("kafka") is not None:
            # `-n 2 --dist loadgroup`: the broker's tests in one lane, one after the other
            item.add_marker(pytest.mark.xdist_group("kafka"))


@pytest.fixture(autouse=True)
def no_registry_or_credentials_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test touches only registries (and brokers) it set up: `MLFLOW_TRACKING_URI` and
    credentials exported in the shell are removed, and the tracking URI is set empty, which
    also overrides a `.env` file (Settings then use a SQLite store in their own data dir)."""
    for name in [name for name in os.environ if SHELL_ONLY_ENV.match(name)]:
        monkeypatch.delenv(name)
    for name in ("MLFLOW_TRACKING_URI", "AIRPARADIS_MLFLOW_TRACKING_URI"):
        monkeypatch.setenv(name, "")


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """Bootstrap servers of a real broker: env, else testcontainers, else deploy/kafka."""
    if configured := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield configured
        return
    broker: AbstractContextManager[str] = (
        container_broker() if docker_engine_answers() else LocalBroker.from_env().session()
    )
    with broker as bootstrap:
        yield bootstrap


@pytest.fixture
def test_suffix() -> str:
    """A short random suffix that keeps this test's Kafka names apart from every other's."""
    return uuid.uuid4().hex[:12]


@pytest.fixture
def unique_topic(test_suffix: str) -> Callable[[str], str]:
    """Factory of topic names no other test uses: unique_topic("raw") -> "test.raw.<suffix>"."""
    return lambda base="topic": f"test.{base}.{test_suffix}"


@pytest.fixture
def topic_names(unique_topic: Callable[[str], str]) -> dict[str, str]:
    """Unique names for every project topic, keyed by Settings field (topic_raw, ...)."""
    return {field: unique_topic(field.removeprefix("topic_")) for field in TOPIC_FIELDS}


@pytest.fixture
def settings_factory(
    request: pytest.FixtureRequest, topic_names: dict[str, str], test_suffix: str, tmp_path: Path
) -> Iterator[Callable[..., Settings]]:
    """Build Settings for this test: unique topics and app id, its own data dir, no `.env`.

    Tests marked `kafka` get the session broker (and their topics are deleted afterwards);
    others get an address where nothing listens.
    """
    marked = request.node.get_closest_marker("kafka") is not None
    bootstrap = request.getfixturevalue("kafka_bootstrap") if marked else OFFLINE_BOOTSTRAP

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "kafka": {"bootstrap_servers": bootstrap},
            **topic_names,
            "app_id": f"test-{test_suffix}",
            "data_dir": tmp_path / "var",
        }
        return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg]

    yield build
    if marked:
        delete_topics_containing(bootstrap, test_suffix)


@pytest.fixture
def settings(settings_factory: Callable[..., Settings]) -> Settings:
    """Settings with the defaults of `settings_factory`."""
    return settings_factory()


# A small trained model on disk and real worker processes (stream, deploy tests).
SUBSET = (
    Path(__file__).resolve().parents[2] / "shared/data/sentiment140/sentiment140_subset_100k.csv.gz"
)


def labelled_sample(n_per_class: int = 1500) -> tuple[list[str], np.ndarray]:
    """A balanced slice of the 100k subset (negatives come first in the file)."""
    with gzip.open(SUBSET, "rt", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    picked = rows[:n_per_class] + rows[-n_per_class:]
    return [r["text"] for r in picked], np.array([int(r["polarity"] == "4") for r in picked])


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A TF-IDF model trained in a second (the stream serves any saved model kind)."""
    from models.manifest import save_reference_scores
    from models.tfidf import TfidfModel

    texts, labels = labelled_sample()
    model = TfidfModel()
    model.fit(texts[::2], labels[::2])
    path = tmp_path_factory.mktemp("model") / "tfidf"
    model.save(path)
    save_reference_scores(path, model.predict_proba(texts[1::2]))  # the drift reference
    return path


@pytest.fixture(scope="session")
def small_lstm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real (tiny) Word2Vec + BiLSTM, the kind the product serves, trained in seconds."""
    from models.lstm.model import LstmConfig, LstmModel
    from models.manifest import save_reference_scores

    texts, labels = labelled_sample(600)
    tiny = LstmConfig(embedding_dim=16, lstm_units=8, w2v_epochs=2, batch_size=32, max_epochs=2)
    model = LstmModel(tiny)
    model.fit(texts[::2], labels[::2], texts[1::4], labels[1::4])
    path = tmp_path_factory.mktemp("model") / "lstm"
    model.save(path)
    save_reference_scores(path, model.predict_proba(texts[3::4]))
    return path


@pytest.fixture
def start_worker(tmp_path: Path, kafka_bootstrap: str) -> Iterator:
    """start_worker(model_uri, **env) -> a running Worker, stopped after the test."""
    workers: list[Worker] = []

    def start(model_uri: str, env: dict[str, str] | None = None, **extra: str) -> Worker:
        worker = Worker(
            env or isolated_env(kafka_bootstrap, model_uri, **extra), tmp_path / "worker.log"
        )
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()
        app_id = worker.env.get("AIRPARADIS_APP_ID", "")
        if app_id.startswith("test-"):  # an isolated_env worker: its topics carry the tag
            delete_topics_containing(kafka_bootstrap, app_id.removeprefix("test-"))


@pytest.fixture
def start_orchestrator(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], Worker]]:
    """start_orchestrator(env) -> a running `airparadis-stream orchestrator` (its /metrics
    answers on AIRPARADIS_ORCHESTRATOR_PORT), stopped after the test."""
    started: list[Worker] = []

    def start(env: dict[str, str]) -> Worker:
        process = OrchestratorProcess(env, tmp_path / "orchestrator.log")
        started.append(process)
        return process.start()

    yield start
    for process in started:
        process.stop()
