"""What a shadow costs: one worker on the real broker, the same run with the shadow off, then
on (a second model scoring every batch beside the champion). Prints a table.

Both versions are registered in a throwaway registry; without `--model-dir` a TF-IDF is
trained on `--train` tweets of the 100k subset first (seconds).

  airparadis-tools bench-shadow --tweets 20000     (KAFKA_BOOTSTRAP_SERVERS, NLTK_DATA)
"""

from __future__ import annotations

import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from stream.kafka.admin import delete_topics_containing
from stream.serving import load_served
from stream.settings import Settings
from training.tools.bench_stream import DEFAULT_DATA, end_to_end, load_texts, model_only
from training.tools.local_worker import Worker, isolated_env, settings_from


def _train(path: Path, data: Path, count: int) -> Path:
    from models.data import load_dataset
    from models.tfidf import TfidfModel

    rows = load_dataset(data)
    picked = np.random.default_rng(1).choice(len(rows.texts), count, replace=False)
    model = TfidfModel()
    model.fit([rows.texts[i] for i in picked], np.asarray(rows.labels)[picked])
    model.save(path)
    return path


def _register(settings: Settings, model_dir: Path, alias: str | None) -> str:
    import mlflow

    from models.manifest import read_manifest
    from models.pyfunc import log_model_dir
    from models.registry import register, use_experiment

    kind = read_manifest(model_dir)["kind"]
    use_experiment(settings)
    with mlflow.start_run():
        return register(settings, log_model_dir(model_dir, kind), kind, alias)


def _wait_share(url: str, version: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
            if f'rollout_share{{version="{version}"}}' in response.read().decode():
                return
        time.sleep(0.5)
    raise TimeoutError("the worker did not load the shadow")


def _run(settings: Settings, texts: list[str], seconds: float) -> tuple[float, float]:
    throughput, _ = end_to_end(settings, texts, None)
    time.sleep(3)
    rate = throughput / 2
    _, latencies = end_to_end(settings, texts[: int(rate * seconds)], rate)
    return throughput, float(np.percentile(latencies, 95))


def main(
    model_dir: Annotated[
        Path | None, typer.Option(help="saved model (default: train TF-IDF)")
    ] = None,
    tweets: Annotated[int, typer.Option(help="tweets per throughput run")] = 20_000,
    train: Annotated[int, typer.Option(help="tweets to train the default TF-IDF on")] = 20_000,
    latency_seconds: Annotated[float, typer.Option(help="length of each fixed-rate run")] = 15.0,
) -> None:
    from models.manifest import read_manifest
    from models.registry import REGISTERED_NAMES
    from stream.rollout import state as rollout
    from stream.rollout import store

    base = Settings()
    work = Path(tempfile.mkdtemp(prefix="bench-shadow-"))
    model_dir = model_dir or _train(work / "tfidf", DEFAULT_DATA, train)
    name = REGISTERED_NAMES[read_manifest(model_dir)["kind"]]
    env = isolated_env(
        base.kafka.bootstrap_servers,
        f"models:/{name}@champion",
        AIRPARADIS_DATA_DIR=str(work / "var"),
        AIRPARADIS_MODEL_RELOAD_INTERVAL_S="1",
    )
    settings = settings_from(env)
    champion = _register(settings, model_dir, "champion")
    challenger = _register(settings, model_dir, None)
    texts = load_texts(DEFAULT_DATA, tweets)
    ceiling = model_only(load_served(settings), texts[:10_240], settings.batch_size)
    worker = Worker(env, work / "worker.log").start()
    try:
        off = _run(settings, texts, latency_seconds)
        state = rollout.start(name, challenger, champion, datetime.now(UTC))
        store.save(settings, state)
        _wait_share(worker.url, challenger)
        on = _run(settings, [f"{t} {uuid.uuid4().hex[:4]}" for t in texts], latency_seconds)
    finally:
        worker.stop()
        delete_topics_containing(base, env["AIRPARADIS_APP_ID"].removeprefix("test-"))
    rows = [
        ("model", f"{name} ({model_dir.name}), champion and challenger alike"),
        ("model-only ceiling (one model)", f"{ceiling:,.0f} tweets/s"),
        ("end-to-end, shadow off / on", f"{off[0]:,.0f} / {on[0]:,.0f} tweets/s"),
        ("p95 latency at half of each, off / on", f"{off[1] * 1e3:.1f} / {on[1] * 1e3:.1f} ms"),
        ("throughput with shadow / without", f"{on[0] / off[0]:.0%}"),
        ("bound: 1 / (1/off + 1/ceiling)", f"{1 / (1 / off[0] + 1 / ceiling):,.0f} tweets/s"),
    ]
    width = max(len(row) for row, _ in rows)
    for row, value in rows:
        print(f"{row:<{width}}  {value}")


if __name__ == "__main__":
    typer.run(main)
