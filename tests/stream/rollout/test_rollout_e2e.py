"""The rollout on the real broker and a real (SQLite) registry, with tiny TF-IDF models:
shadow (published labels unchanged), canary 10 %, 100 %, champion; then a bad challenger
(everything positive) that the orchestrator starts from the gate's alias and rolls back
by itself with a `rollout` alert. Dwell times in seconds."""

from __future__ import annotations

import itertools
import json
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import mlflow
import pytest

from models.kinds import load_model
from models.pyfunc import log_model_dir
from models.registry import CHAMPION, champion_version, client, register, use_experiment
from stream.kafka.clients import produce
from stream.rollout import state as rollout
from stream.rollout import store
from stream.rollout.routing import to_challenger
from stream.settings import Settings
from tests.conftest import labelled_sample
from tests.stream.rollout.conftest import NAME
from training.tools.local_worker import (
    free_port,
    get_json,
    isolated_env,
    read_events,
    settings_from,
)

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def second_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good challenger that differs from the champion (trained on the other half)."""
    from models.manifest import save_reference_scores
    from models.tfidf import TfidfModel

    texts, labels = labelled_sample()
    model = TfidfModel()
    model.fit(texts[1::2], labels[1::2])
    path = tmp_path_factory.mktemp("second") / "tfidf"
    model.save(path)
    save_reference_scores(path, model.predict_proba(texts[::2]))
    return path


def _register(settings: Settings, model_dir: Path, alias: str | None) -> str:
    use_experiment(settings)
    with mlflow.start_run():
        return register(settings, log_model_dir(model_dir, "tfidf"), "tfidf", alias)


_IDS = itertools.count()  # fixed ids and a fixed salt: the canary sample is the same each run


def _tweets(n: int) -> list[bytes]:
    texts, _ = labelled_sample(200)
    when = "2026-11-30T09:00:00Z"
    return [
        json.dumps(
            {"id": f"{next(_IDS):032x}", "text": texts[i % len(texts)], "created_at": when}
        ).encode()
        for i in range(n)
    ]


def _share_served(url: str, version: str) -> float | None:
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
        text = response.read().decode()
    for line in text.splitlines():
        if line.startswith(f'rollout_share{{version="{version}"}}'):
            return float(line.split()[-1])
    return None


def _wait(condition: Callable[[], object], what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise TimeoutError(what)


def _scored(settings: Settings, payloads: list[bytes], seen: int) -> list[dict]:
    """Produce `payloads`; return their scored events (the topic holds `seen` before)."""
    produce(settings, [(None, p) for p in payloads], 500.0)
    ids = {json.loads(p)["id"] for p in payloads}
    events = read_events(settings, settings.topic_scored, seen + len(payloads), timeout_s=90)
    return [e for e in events if e["id"] in ids]


def test_shadow_canary_champion_then_a_bad_challenger_rolled_back(
    start_worker, start_orchestrator, small_model_dir, second_model_dir, positive_model_dir,
    kafka_bootstrap, tmp_path,
):  # fmt: skip
    env = isolated_env(
        kafka_bootstrap,
        f"models:/{NAME}@{CHAMPION}",
        AIRPARADIS_DATA_DIR=str(tmp_path / "var"),
        AIRPARADIS_MODEL_RELOAD_INTERVAL_S="1",
        AIRPARADIS_BATCH_SIZE="32",
    )
    tag = env["AIRPARADIS_APP_ID"].removeprefix("test-")
    env |= {
        "AIRPARADIS_TOPIC_SHADOW": f"{tag}.shadow",
        "AIRPARADIS_TOPIC_RETRAIN": f"{tag}.retrain",
        "AIRPARADIS_ORCHESTRATOR_PORT": str(free_port()),
        "AIRPARADIS_ROLLOUT_CHECK_INTERVAL_S": "1",
        "AIRPARADIS_ROLLOUT_SHADOW_DWELL_S": "30",
        "AIRPARADIS_ROLLOUT_CANARY_DWELL_S": "30",
        "AIRPARADIS_ROLLOUT_MIN_EVENTS": "100",
        "AIRPARADIS_RETRAIN_COMMAND": "true",
    }
    settings = settings_from(env)
    first = _register(settings, small_model_dir, CHAMPION)
    second = _register(settings, second_model_dir, None)
    worker = start_worker("", env=env)
    champion_model = load_model(small_model_dir)

    # Shadow: the challenger scores beside the champion; the published labels do not change
    state = store.save(settings, rollout.start(NAME, second, first, datetime.now(UTC), salt="e2e"))
    _wait(lambda: _share_served(worker.url, second) == 0.0, "worker loads the shadow")
    payloads = _tweets(300)
    events = _scored(settings, payloads, 0)
    expected = champion_model.predict_proba([e["text"] for e in events]) >= 0.5
    assert {e["model_version"] for e in events} == {first}
    assert [e["label"] == "positive" for e in events] == list(expected)
    shadow = read_events(settings, settings.topic_shadow, 300, timeout_s=30)
    assert {s["tweet_id"] for s in shadow} == {e["id"] for e in events}
    assert {(s["champion_version"], s["challenger_version"]) for s in shadow} == {(first, second)}
    seen = 300

    # Canary 10 %: the routed tweets, and only they, carry the challenger's version
    state = store.save(settings, rollout.advance(state, datetime.now(UTC), by="operator"))
    _wait(lambda: _share_served(worker.url, second) == 0.1, "worker moves to 10 %")
    events = _scored(settings, _tweets(1500), seen)
    seen += 1500
    challenger_ids = {e["id"] for e in events if e["model_version"] == second}
    assert abs(len(challenger_ids) / len(events) - 0.1) < 0.03
    assert challenger_ids == {e["id"] for e in events if to_challenger(e["id"], state.salt, 0.1)}

    # 50 %, 100 %, then done: the challenger is champion
    state = store.save(settings, rollout.advance(state, datetime.now(UTC), by="operator"))
    state = store.save(settings, rollout.advance(state, datetime.now(UTC), by="operator"))
    _wait(lambda: _share_served(worker.url, second) == 1.0, "worker moves to 100 %")
    events = _scored(settings, _tweets(200), seen)
    seen += 200
    assert {e["model_version"] for e in events} == {second}
    store.save(settings, rollout.advance(state, datetime.now(UTC), by="operator"))
    assert champion_version(settings, NAME) == second
    _wait(lambda: get_json(f"{worker.url}/health")["model"] == f"{NAME}/{second}", "reload")

    # A bad challenger, approved by the gate: the orchestrator starts it and rolls it back
    bad = _register(settings, positive_model_dir, None)
    client(settings).set_registered_model_alias(NAME, "challenger-approved", bad)
    start_orchestrator(env)
    _wait(lambda: (s := store.load(settings, NAME)) and s.challenger == bad, "auto start", 90)
    _wait(lambda: _share_served(worker.url, bad) == 0.0, "worker loads the bad shadow")
    produce(settings, [(None, p) for p in _tweets(600)], 200.0)
    alerts: list[dict] = []

    def rollout_alert() -> bool:
        alerts[:] = read_events(settings, settings.topic_alerts, 100, timeout_s=2)
        return any(a["kind"] == "rollout" for a in alerts)

    _wait(rollout_alert, "rollout alert", 90)
    alert = next(a for a in alerts if a["kind"] == "rollout")
    assert f"version {bad} rolled back" in alert["message"] and "negative ratio" in alert["message"]
    port = env["AIRPARADIS_ORCHESTRATOR_PORT"]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        exported = response.read().decode()
    negative = f'rollout_shadow_stat{{stat="negative_ratio",version="{bad}"}}'
    assert float(exported.split(negative)[1].split()[0]) < 0.05  # it says all is positive
    final = store.load(settings, NAME)
    assert final is not None and final.phase == "rolled_back" and final.history[-1].by == "guard"
    assert champion_version(settings, NAME) == second
    time.sleep(3)  # the worker's next polls of the record (every second) unload it
    after = _tweets(100)
    events = _scored(settings, after, seen + 600)
    assert {e["model_version"] for e in events} == {second}
    shadow = read_events(settings, settings.topic_shadow, 10_000, timeout_s=5)
    assert not {s["tweet_id"] for s in shadow} & {e["id"] for e in events}
