"""Hot reload on a real broker and a real (SQLite) MLflow registry."""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path

import mlflow
import pytest

from models.base import save_reference_scores
from models.pyfunc import log_model_dir
from models.registry import CHAMPION, REGISTERED_NAMES, promote, register, use_experiment
from models.tfidf import TfidfModel
from stream.local_worker import get_json, isolated_env, read_events, settings_from
from stream.producer import produce
from tests.conftest import labelled_sample

pytestmark = pytest.mark.kafka
NAME = REGISTERED_NAMES["tfidf"]


def _register(settings, model_dir: Path, alias: str | None) -> str:
    use_experiment(settings)
    with mlflow.start_run():
        return register(settings, log_model_dir(model_dir, "tfidf"), "tfidf", alias)


def _tweet(i: int) -> bytes:
    text = f"flight {i} was great, thanks" if i % 2 else f"flight {i} delayed again"
    return json.dumps(
        {"id": uuid.uuid4().hex, "text": text, "created_at": "2026-11-26T10:00:00Z"}
    ).encode()


def _flipped_model(path: Path) -> Path:
    """A TF-IDF trained on inverted labels: it answers the opposite of small_model_dir."""
    texts, labels = labelled_sample()
    model = TfidfModel()
    model.fit(texts[::2], 1 - labels[::2])
    model.save(path)
    save_reference_scores(path, model.predict_proba(texts[1::2]))
    return path


def _wait_for_model(url: str, model: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if get_json(f"{url}/health").get("model") == model:
            return True
        time.sleep(0.5)
    return False


def test_promoting_a_new_champion_switches_the_running_worker(
    start_worker, small_model_dir, kafka_bootstrap, tmp_path
):
    env = isolated_env(
        kafka_bootstrap,
        f"models:/{NAME}@{CHAMPION}",
        AIRPARADIS_DATA_DIR=str(tmp_path / "var"),
        AIRPARADIS_MODEL_RELOAD_INTERVAL_S="1",
        AIRPARADIS_BATCH_SIZE="8",
    )
    settings = settings_from(env)
    first = _register(settings, small_model_dir, CHAMPION)
    second = _register(settings, _flipped_model(tmp_path / "flipped"), "challenger")
    worker = start_worker("", env=env)
    assert get_json(f"{worker.url}/health")["model"] == f"{NAME}/{first}"

    payloads = [_tweet(i) for i in range(3000)]  # 15 s at 200/s: the reload lands mid-stream
    sender = threading.Thread(target=produce, args=(settings, [(None, p) for p in payloads], 200.0))
    sender.start()
    time.sleep(2.0)
    promote(settings, NAME, second)
    reloaded = _wait_for_model(worker.url, f"{NAME}/{second}", timeout_s=120)
    sender.join()
    tail = [_tweet(i) for i in range(3000, 3200)]  # scored by the new model in any case
    produce(settings, [(None, p) for p in tail])
    payloads += tail
    assert reloaded, "the worker did not switch to the new champion within 120 s"

    events = read_events(settings, settings.topic_scored, len(payloads), timeout_s=60)
    versions = [e["model_version"] for e in sorted(events, key=lambda e: e["scored_at"])]
    assert {json.loads(p)["id"] for p in payloads} == {e["id"] for e in events}
    assert versions[0] == first and versions[-1] == second
    # the new weights are what scores: the same texts now get the opposite labels
    for version, praised in ((first, "positive"), (second, "negative")):
        labels = [
            e["label"] for e in events if e["model_version"] == version and "great" in e["text"]
        ]
        assert labels and sum(label == praised for label in labels) >= 0.9 * len(labels)
    assert get_json(f"{worker.url}/health")["model"] == f"{NAME}/{second}"
