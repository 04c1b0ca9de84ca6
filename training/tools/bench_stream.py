"""Stream benchmark on the real broker, one worker, one model, in one run (prints a table).

(a) model-only ceiling: preprocessing + predict_proba on batches of the worker's batch size
    (AIRPARADIS_BATCH_SIZE), in the scorer process the worker uses, no Kafka
(b) end-to-end: produce N raw tweets, time until all N scored events are read back;
    then produce-to-scored latency p50/p95/p99 at a fixed rate of about half of (b)
(c) naive per-tweet serving: one model call per tweet, in process, as a request/response
    API would do; for the LSTM also with the Keras network (`model.predict` per tweet)
(d) POST /predict latency for single tweets
(e) during (b): CPU seconds per 1,000 tweets of the worker, its scorer, the local broker and
    this load generator, and the worker's internal records per tweet (deltas, changelogs)

  python -m training.tools.bench_stream --tweets 50000     (KAFKA_BOOTSTRAP_SERVERS, NLTK_DATA)
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from models.lstm.model import LstmModel
from stream.kafka.admin import delete_topics_containing
from stream.kafka.clients import produce
from stream.kafka.security import librdkafka_config
from stream.serving import ServedModel, load_served
from stream.settings import Settings
from training.tools.local_worker import Worker, get_json, isolated_env, settings_from
from training.tools.proc_cpu import CpuMeter, pids_running

DEFAULT_DATA = (
    Path(__file__).resolve().parents[3] / "shared/data/sentiment140/sentiment140_subset_100k.csv.gz"
)


def load_texts(path: Path, count: int) -> list[str]:
    from models.data import load_dataset

    texts = list(load_dataset(path).texts)
    np.random.default_rng(0).shuffle(texts)
    return (texts * (count // len(texts) + 1))[:count]


def model_only(served: ServedModel, texts: list[str], batch: int) -> float:
    served.score(texts[:batch])  # warm-up
    started = time.perf_counter()
    for i in range(0, len(texts), batch):
        served.score(texts[i : i + batch])
    return len(texts) / (time.perf_counter() - started)


def per_tweet(served: ServedModel, texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        served.score_here([text])
    return len(texts) / (time.perf_counter() - started)


def per_tweet_keras(served: ServedModel, texts: list[str]) -> float | None:
    """The trained network called through Keras for each tweet (LSTM models only)."""
    model = served.model
    if not isinstance(model, LstmModel):
        return None
    from models.lstm.keras_net import network_with
    from models.lstm.vocab import pad_batch

    network = network_with(model.config, model.weights)
    network.predict(pad_batch(model.encode(texts[:1])), verbose=0)  # warm-up (tracing)
    started = time.perf_counter()
    for text in texts:
        network.predict(pad_batch(model.encode([text])), verbose=0)
    return len(texts) / (time.perf_counter() - started)


def predict_latency(worker: Worker, texts: list[str]) -> np.ndarray:
    latencies = []
    for text in texts:
        started = time.perf_counter()
        get_json(f"{worker.url}/predict", {"text": text})
        latencies.append(time.perf_counter() - started)
    return np.array(latencies)


def payloads(texts: list[str]) -> list[tuple[str, bytes]]:
    now = datetime.now(UTC).isoformat()
    records = []
    for text in texts:
        tweet_id = uuid.uuid4().hex
        records.append(
            (tweet_id, json.dumps({"id": tweet_id, "text": text, "created_at": now}).encode())
        )
    return records


def _from_end(settings: Settings, topic: str) -> Any:
    """A consumer of `topic` positioned at its current end: it sees only new records."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer(
        {
            **librdkafka_config(settings.kafka),
            "group.id": f"bench-{uuid.uuid4()}",
            # few, full fetches: the reader's CPU is not the worker's (latency_s is stamped
            # by the worker, so waiting here does not change it)
            "fetch.min.bytes": 256 * 1024,
            "fetch.wait.max.ms": 100,
        }
    )
    ends = []
    for partition in consumer.list_topics(topic, timeout=10).topics[topic].partitions:
        _, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        ends.append(TopicPartition(topic, partition, high))
    consumer.assign(ends)
    return consumer


def end_to_end(
    settings: Settings, texts: list[str], rate: float | None
) -> tuple[float, np.ndarray]:
    """(tweets/s from first produce to last scored event read, latency_s of every event)."""
    consumer = _from_end(settings, settings.topic_scored)
    records = payloads(texts)
    waiting = {tweet_id for tweet_id, _ in records}
    latencies: list[float] = []
    started = time.perf_counter()
    sender = threading.Thread(target=produce, args=(settings, records, rate))
    sender.start()
    deadline = time.monotonic() + 600
    while waiting and time.monotonic() < deadline:
        for message in consumer.consume(1000, timeout=0.2):
            event = json.loads(message.value() or b"{}") if not message.error() else {}
            if event.get("id") in waiting:  # the first copy of each of this run's tweets
                waiting.discard(event["id"])
                latencies.append(event["latency_s"])
    elapsed = time.perf_counter() - started
    sender.join()
    consumer.close()
    if waiting:
        print(f"warning: {len(waiting)} tweets not scored within 600 s")
    return len(latencies) / elapsed, np.array(latencies)


def main(
    model: Annotated[
        list[str] | None,
        typer.Option(
            help="model URI or dir, repeatable: one after the other in this run "
            "(default: settings.model_uri)"
        ),
    ] = None,
    tweets: Annotated[int, typer.Option(help="tweets for the end-to-end run")] = 50_000,
    data: Annotated[Path, typer.Option(help="tweets to replay")] = DEFAULT_DATA,
    latency_seconds: Annotated[float, typer.Option(help="length of the fixed-rate run")] = 20.0,
    settle_seconds: Annotated[float, typer.Option(help="pause before the fixed-rate run")] = 5.0,
) -> None:
    settings = Settings()
    texts = load_texts(data, tweets)
    for uri in model or [settings.model_uri]:
        bench_one(settings, uri, texts, latency_seconds, settle_seconds)


def bench_one(
    settings: Settings, uri: str, texts: list[str], latency_seconds: float, settle_seconds: float
) -> None:
    """(a) to (d) for one model; prints its table with the load average before and after."""
    load_before = os.getloadavg()[0]
    served = load_served(settings, uri)
    ceiling = model_only(served, texts[:20_480], settings.batch_size)
    naive = per_tweet(served, texts[:1000])
    naive_keras = per_tweet_keras(served, texts[:200])
    env = isolated_env(
        settings.kafka.bootstrap_servers, uri, AIRPARADIS_DATA_DIR=str(settings.data_dir)
    )
    worker = Worker(env, Path(f"/tmp/bench-worker-{uuid.uuid4().hex[:6]}.log")).start()
    try:
        worker_settings = settings_from(env)
        predict = predict_latency(worker, texts[:300])
        meter = cpu_meter(worker)
        meter.start()
        throughput, _ = end_to_end(worker_settings, texts, None)
        cpu = meter.stop()
        rate = throughput / 2
        time.sleep(settle_seconds)  # the burst's window deltas and commits drain first
        internal = internal_records(settings, env["AIRPARADIS_APP_ID"])
        _, latencies = end_to_end(worker_settings, texts[: int(rate * latency_seconds)], rate)
    finally:
        worker.stop()
        served.close()
        tag = env["AIRPARADIS_APP_ID"].removeprefix("test-")  # isolated_env's topics carry it
        delete_topics_containing(settings, tag)
    load = (load_before, os.getloadavg()[0])
    report(served, ceiling, throughput, rate, latencies, (naive, naive_keras), predict, len(texts))
    report_costs(cpu, internal, len(texts))
    print(f"{'load average (1 min) before / after':<44}  {load[0]:.2f} / {load[1]:.2f}\n")


def cpu_meter(worker: Worker) -> CpuMeter:
    assert worker.process is not None
    main = worker.process.pid
    return CpuMeter(
        {
            "worker (event loop)": lambda: [main],
            "scorer": worker.children,
            "broker (if local)": lambda: pids_running("kafka.Kafka"),
            "load generator": lambda: [os.getpid()],
        }
    )


def internal_records(settings: Settings, app_id: str) -> dict[str, int]:
    """Records in the worker's internal topics (`<app_id>-...`: deltas, joins, changelogs)."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({**librdkafka_config(settings.kafka), "group.id": f"bench-{uuid.uuid4()}"})
    counts = {}
    for name, topic in consumer.list_topics(timeout=10).topics.items():
        if name.startswith(f"{app_id}-") and "__assignor" not in name:
            ends = [
                consumer.get_watermark_offsets(TopicPartition(name, p), timeout=10)
                for p in topic.partitions
            ]
            counts[name.removeprefix(f"{app_id}-")] = sum(high - low for low, high in ends)
    consumer.close()
    return counts


def report_costs(cpu: dict[str, float], internal: dict[str, int], tweets: int) -> None:
    """(e): where the end-to-end run's CPU went, and what the worker wrote besides events."""
    per_k = 1000 / tweets
    for name, seconds in cpu.items():
        print(f"{'(e) CPU s per 1,000 tweets, ' + name:<44}  {seconds * per_k:.3f}")
    for name, count in sorted(internal.items()):
        print(f"{'(e) internal records per tweet, ' + name:<44}  {count / tweets:.3f}")


def _ms(values: np.ndarray, q: float) -> str:
    return f"{np.percentile(values, q) * 1000:.1f} ms"


def report(
    served: ServedModel,
    ceiling: float,
    throughput: float,
    rate: float,
    latencies: np.ndarray,
    naive: tuple[float, float | None],
    predict: np.ndarray,
    tweets: int,
) -> None:
    ms = _ms
    batch = Settings().batch_size
    rows = [
        ("model", f"{served.name} v{served.version} ({served.model.kind})"),
        (f"(a) model-only ceiling, batch {batch}", f"{ceiling:,.0f} tweets/s"),
        (f"(b) end-to-end, {tweets:,} tweets", f"{throughput:,.0f} tweets/s"),
        (
            f"(b) latency at {rate:,.0f}/s p50 / p95 / p99",
            " / ".join(ms(latencies, q) for q in (50, 95, 99)),
        ),
        ("(c) naive per-tweet calls, served runtime", f"{naive[0]:,.0f} tweets/s"),
        ("(d) POST /predict p50 / p95", f"{ms(predict, 50)} / {ms(predict, 95)}"),
        ("(b)/(a)", f"{throughput / ceiling:.0%}"),
        ("(b)/(c)", f"{throughput / naive[0]:.1f}x"),
    ]
    if naive[1] is not None:
        rows[5:5] = [("(c') naive per-tweet calls, Keras predict", f"{naive[1]:,.1f} tweets/s")]
        rows.append(("(b)/(c')", f"{throughput / naive[1]:,.0f}x"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    typer.run(main)
