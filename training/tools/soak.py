"""Soak test (`make soak`): one worker at a steady rate for a long time, sampled every minute.

Samples the worker's RSS (and its scorer child's), the consumer lag on tweets.raw and the
p50/p95 produce-to-scored latency of the minute's scored events; writes a CSV and a plot.
The default rate is half of the maximum, measured first with a burst (as
`training.tools.bench_stream` does); flat memory and bounded lag are what to look for.

  python -m training.tools.soak --minutes 30 --label 30min    (KAFKA_BOOTSTRAP_SERVERS, NLTK_DATA)
"""

from __future__ import annotations

import csv
import itertools
import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from stream.kafka.admin import delete_topics_containing
from stream.kafka.clients import produce
from stream.kafka.security import librdkafka_config
from stream.settings import Settings
from training.tools.bench_stream import DEFAULT_DATA, _from_end, end_to_end, load_texts
from training.tools.local_worker import Worker, isolated_env, settings_from

FIELDS = [
    "minute", "produced", "scored", "worker_rss_mb", "scorer_rss_mb", "lag", "p50_ms", "p95_ms",
]  # fmt: skip


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def consumer_lag(settings: Settings) -> int:
    """Records of tweets.raw past the worker group's committed offsets."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({**librdkafka_config(settings.kafka), "group.id": settings.app_id})
    try:
        topic = settings.topic_raw
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        committed = consumer.committed([TopicPartition(topic, p) for p in partitions], timeout=10)
        return sum(
            consumer.get_watermark_offsets(tp, timeout=10)[1] - max(tp.offset, 0)
            for tp in committed
        )
    finally:
        consumer.close()


class LatencyReader(threading.Thread):
    """Reads tweets.scored from its end; hands out the latencies seen since the last call."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(daemon=True)
        self.consumer: Any = _from_end(settings, settings.topic_scored)
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._latencies: list[float] = []

    def run(self) -> None:
        while not self.stop.is_set():
            for message in self.consumer.consume(1000, timeout=0.2):
                if not message.error():
                    latency = json.loads(message.value() or b"{}").get("latency_s")
                    with self._lock:
                        self._latencies.append(latency)
        self.consumer.close()

    def take(self) -> np.ndarray:
        with self._lock:
            taken, self._latencies = self._latencies, []
        return np.array(taken, dtype=float)


def tweets(texts: list[str], until: float, counter: list[int]) -> Iterator[tuple[str, bytes]]:
    for text in itertools.cycle(texts):
        if time.monotonic() > until:
            return
        tweet_id = uuid.uuid4().hex
        now = datetime.now(UTC).isoformat()
        counter[0] += 1
        yield tweet_id, json.dumps({"id": tweet_id, "text": text, "created_at": now}).encode()


def sample(
    worker: Worker, settings: Settings, reader: LatencyReader, minute: int, produced: int
) -> dict[str, Any]:
    latencies = reader.take() * 1000
    assert worker.process is not None
    children = worker.children()
    return {
        "minute": minute,
        "produced": produced,
        "scored": len(latencies),
        "worker_rss_mb": round(rss_mb(worker.process.pid), 1),
        "scorer_rss_mb": round(sum(rss_mb(pid) for pid in children), 1),
        "lag": consumer_lag(settings),
        "p50_ms": round(float(np.percentile(latencies, 50)), 1) if len(latencies) else "",
        "p95_ms": round(float(np.percentile(latencies, 95)), 1) if len(latencies) else "",
    }


def plot(rows: list[dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    minutes = [r["minute"] for r in rows]
    figure, axes = plt.subplots(3, 1, figsize=(6, 6), sharex=True)
    axes[0].plot(minutes, [r["worker_rss_mb"] for r in rows], marker="o", label="worker")
    axes[0].plot(minutes, [r["scorer_rss_mb"] for r in rows], marker="o", label="scorer child")
    axes[0].set_ylabel("RSS (MB)")
    axes[0].legend(fontsize=8)
    axes[1].plot(minutes, [r["lag"] for r in rows], marker="o")
    axes[1].set_ylabel("lag (records)")
    axes[2].plot(minutes, [r["p95_ms"] or np.nan for r in rows], marker="o", label="p95")
    axes[2].plot(minutes, [r["p50_ms"] or np.nan for r in rows], marker=".", label="p50")
    axes[2].set_ylabel("latency (ms)")
    axes[2].set_xlabel("minute")
    axes[2].legend(fontsize=8)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=80)


def main(
    model: Annotated[str, typer.Option(help="model URI or dir (default: settings.model_uri)")] = "",
    rate: Annotated[float, typer.Option(help="tweets/s; 0: half the measured maximum")] = 0.0,
    minutes: Annotated[float, typer.Option(help="duration")] = 30.0,
    sample_s: Annotated[float, typer.Option(help="seconds between samples")] = 60.0,
    burst: Annotated[
        int, typer.Option(help="tweets of the burst that measures the maximum")
    ] = 20_000,
    label: Annotated[str, typer.Option(help="names the output files")] = "30min",
    out: Annotated[Path, typer.Option(help="folder of the CSV and PNG")] = Path("docs/soak"),
    data: Annotated[Path, typer.Option(help="tweets to replay")] = DEFAULT_DATA,
) -> None:
    settings = Settings()
    uri = model or settings.model_uri
    texts = load_texts(data, max(burst, 20_000))
    env = isolated_env(
        settings.kafka.bootstrap_servers, uri, AIRPARADIS_DATA_DIR=str(settings.data_dir)
    )
    worker = Worker(env, Path(f"/tmp/soak-worker-{uuid.uuid4().hex[:6]}.log")).start(180)
    worker_settings = settings_from(env)
    rows: list[dict] = []
    try:
        if not rate:
            maximum, _ = end_to_end(worker_settings, texts[:burst], None)
            rate = maximum / 2
            typer.echo(f"maximum {maximum:,.0f} tweets/s: soaking at {rate:,.0f}/s")
            time.sleep(10)  # the burst's commits drain first
        reader = LatencyReader(worker_settings)
        reader.start()
        produced = [0]
        until = time.monotonic() + minutes * 60
        sender = threading.Thread(
            target=produce, args=(worker_settings, tweets(texts, until, produced), rate)
        )
        sender.start()
        started = time.monotonic()
        for minute in itertools.count(1):
            time.sleep(max(0.0, started + minute * sample_s - time.monotonic()))
            rows.append(sample(worker, worker_settings, reader, minute, produced[0]))
            typer.echo(json.dumps(rows[-1]))
            if time.monotonic() >= until:
                break
        sender.join()
        reader.stop.set()
    finally:
        worker.stop()
        delete_topics_containing(settings, env["AIRPARADIS_APP_ID"].removeprefix("test-"))
    out.mkdir(parents=True, exist_ok=True)
    with (out / f"soak-{label}.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    title = f"soak {label}: {rate:,.0f} tweets/s, {Path(uri).name}"
    plot(rows, out / f"soak-{label}.png", title)
    typer.echo(f"wrote {out}/soak-{label}.csv and .png")


if __name__ == "__main__":
    typer.run(main)
