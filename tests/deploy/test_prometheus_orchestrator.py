"""A real Prometheus scrapes the real rollout orchestrator's /metrics (its scrape job in
deploy/prometheus/prometheus.yml): the shadow figures of a rollout it started itself."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pytest

from models import registry
from models.pyfunc import log_model_dir
from stream.kafka.clients import produce
from stream.rollout import store
from stream.rollout.records import ShadowScore
from tests.deploy.test_prometheus import needs_prometheus, prometheus_scraping, query, wait_for
from training.tools.local_worker import free_port, isolated_env, settings_from

pytestmark = pytest.mark.kafka
NAME = registry.REGISTERED_NAMES["tfidf"]
JOB = "air-paradis-orchestrator"


@needs_prometheus
def test_prometheus_scrapes_the_orchestrator(
    start_orchestrator, small_model_dir: Path, kafka_bootstrap: str, tmp_path: Path
) -> None:
    env = isolated_env(
        kafka_bootstrap,
        f"models:/{NAME}@{registry.CHAMPION}",
        AIRPARADIS_DATA_DIR=str(tmp_path / "var"),
        AIRPARADIS_ORCHESTRATOR_PORT=str(free_port()),
        AIRPARADIS_ROLLOUT_CHECK_INTERVAL_S="1",
        AIRPARADIS_RETRAIN_COMMAND="true",
    )
    tag = env["AIRPARADIS_APP_ID"].removeprefix("test-")
    env |= {f"AIRPARADIS_TOPIC_{t.upper()}": f"{tag}.{t}" for t in ("shadow", "retrain")}
    settings = settings_from(env)
    registry.use_experiment(settings)
    versions = []
    for alias in (registry.CHAMPION, "challenger-approved"):
        with mlflow.start_run():
            versions.append(
                registry.register(settings, log_model_dir(small_model_dir, "tfidf"), "tfidf", alias)
            )
    champion, challenger = versions
    orchestrator = start_orchestrator(env)
    wait_for(lambda: store.load(settings, NAME), 60, "the orchestrator to start the rollout")
    records = [
        ShadowScore(
            tweet_id=str(i), model_name=NAME, champion_version=champion,
            challenger_version=challenger, champion_score=0.2 + 0.6 * (i % 2),
            challenger_score=0.25 + 0.6 * (i % 2),
        )
        for i in range(40)
    ]  # fmt: skip
    produce(settings, [(r.tweet_id, r.to_json()) for r in records], topic=settings.topic_shadow)

    target = orchestrator.url.removeprefix("http://")
    with prometheus_scraping(tmp_path, target, job=JOB) as prometheus:
        wait_for(lambda: query(prometheus, f'up{{job="{JOB}"}} == 1'), 30, "target up")
        agreement = f'rollout_shadow_stat{{job="{JOB}",stat="agreement",version="{challenger}"}}'
        (sample,) = wait_for(lambda: query(prometheus, agreement), 150, "shadow agreement")
        assert float(sample["value"][1]) == 1.0  # both sides on the same side of 0.5
        negative = f'rollout_shadow_stat{{stat="negative_ratio",version="{champion}"}}'
        assert float(query(prometheus, negative)[0]["value"][1]) == 0.5
