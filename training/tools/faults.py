"""Fault drills on real brokers and real worker processes, repeated N times (`make faults`).

Scenarios, each on fresh topics and the same input (two airlines over 14 minutes of event
time, a bad buzz for one of them at minute 8):
  broker-restart  one worker; its broker (our own, started here) stopped and started mid-stream
  kill-9          one worker killed with SIGKILL mid-stream, then started again
  two-workers     two workers on a 4-partition topic; one stopped (SIGTERM) and started mid-stream
Per scenario: runs / tweets in / scored / lost / duplicates / alerts equal to the reference
(one worker, no fault, same input).

  python -m training.tools.faults --runs 3 --model <model dir or URI>   (KAFKA_BOOTSTRAP_SERVERS)
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from stream.kafka.admin import delete_topics_containing
from stream.kafka.delivery import AccountedProducer
from stream.settings import Settings
from training.tools.local_worker import Worker, free_port, isolated_env, read_events, settings_from

KAFKA_SH = Path(__file__).resolve().parents[2] / "deploy/kafka/kafka.sh"
NEGATIVE = "@{} worst airline ever, lost my bag and so angry"
POSITIVE = "@{} love this airline, great crew, thank you"
ALERT_ENV = {
    "AIRPARADIS_WINDOW_SIZE_S": "60",
    "AIRPARADIS_WINDOW_HOPPING_SIZE_S": "120",
    "AIRPARADIS_BUZZ_MIN_NEGATIVE": "10",
    "AIRPARADIS_BUZZ_WARMUP_WINDOWS": "3",
    "AIRPARADIS_BATCH_SIZE": "32",
}
AlertKey = tuple[str, str, str, str, str]  # kind, scope, metric, status, window start


def scenario_input(minutes: int = 14) -> list[tuple[str, float]]:
    """(text, event time) pairs: 20 tweets a minute per airline, a burst at minute 8."""
    t0 = (time.time() // 60 - 30) * 60
    rows = []
    for minute in range(minutes):
        for airline in ("airparadis", "calmair"):
            burst = minute == 8 and airline == "airparadis"
            negatives, positives = (60, 6) if burst else (6, 14)
            texts = [NEGATIVE.format(airline)] * negatives + [POSITIVE.format(airline)] * positives
            rows += [(text, t0 + 60 * minute + i * 0.5) for i, text in enumerate(texts)]
    return sorted(rows, key=lambda row: row[1])


def payloads(rows: list[tuple[str, float]]) -> list[tuple[str, bytes]]:
    records = []
    for text, ts in rows:
        tweet_id = uuid.uuid4().hex
        created = datetime.fromtimestamp(ts, UTC).isoformat()
        value = json.dumps({"id": tweet_id, "text": text, "created_at": created})
        records.append((tweet_id, value.encode()))
    return records


def produce_through(settings: Settings, records: list[tuple[str, bytes]], rate: float) -> None:
    """Send at `rate`, riding out a broker outage: delivery waits up to 10 minutes."""
    producer = AccountedProducer(settings.kafka, {"acks": "all", "message.timeout.ms": 600_000})
    started = time.perf_counter()
    for count, (key, value) in enumerate(records, start=1):
        producer.send(settings.topic_raw, key, value)
        time.sleep(max(0.0, started + count / rate - time.perf_counter()))
    producer.wait(600)


@dataclass
class RunResult:
    tweets: int
    scored: int
    lost: int
    duplicates: int
    alerts: frozenset[AlertKey] = field(default_factory=frozenset)


def collect(settings: Settings, ids: set[str], timeout_s: float) -> RunResult:
    """Read tweets.scored until every id is there (or the timeout), then the settled alerts."""
    deadline, events = time.monotonic() + timeout_s, []
    while time.monotonic() < deadline:
        events = read_events(settings, settings.topic_scored, 10**9, timeout_s=8)
        if ids <= {e["id"] for e in events}:
            break
    seen = [e["id"] for e in events if e["id"] in ids]
    alerts, stable_since = frozenset[AlertKey](), time.monotonic()
    while time.monotonic() - stable_since < 15:  # unchanged for 15 s: settled
        latest = frozenset(
            (a["kind"], a["scope"], a["metric"], a["status"], a["window_start"])
            for a in read_events(settings, settings.topic_alerts, 10**6, timeout_s=5)
        )
        if latest != alerts:
            alerts, stable_since = latest, time.monotonic()
    return RunResult(
        len(ids), len(set(seen)), len(ids - set(seen)), len(seen) - len(set(seen)), alerts
    )


WATCHDOG_EXIT = 70  # the worker's "cannot make progress" exit (stream.watchdog)


class Supervisor:
    """Restarts a worker that exited with the watchdog's status, as systemd or Kubernetes
    would: its uncommitted records are then scored by the restarted worker."""

    def __init__(self, workers: list[Worker]) -> None:
        self.workers, self.restarts = workers, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> Supervisor:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(1.0):
            for worker in self.workers:
                if worker.process is not None and worker.process.poll() == WATCHDOG_EXIT:
                    typer.echo(f"    supervisor: {worker.log_path.name} exited 70, restarting")
                    self.restarts += 1
                    worker.start(180)


class OwnBroker:
    """A kafka.sh broker of the drill's own (never the shared one)."""

    def __init__(self, port: int, data_dir: Path) -> None:
        self.bootstrap = f"127.0.0.1:{port}"
        self.env = {
            **os.environ,
            "AIRPARADIS_KAFKA_PORT": str(port),
            "AIRPARADIS_KAFKA_CONTROLLER_PORT": str(port + 1),
            "AIRPARADIS_KAFKA_DATA_DIR": str(data_dir),
        }

    def run(self, command: str) -> None:
        subprocess.run([str(KAFKA_SH), command], env=self.env, check=True, capture_output=True)


@dataclass
class Drill:
    model: str
    logs: Path
    rows: list[tuple[str, float]]
    rate: float

    def env(self, bootstrap: str, **extra: str) -> dict[str, str]:
        return isolated_env(bootstrap, self.model, **ALERT_ENV, **extra)

    def worker(self, env: dict[str, str], name: str) -> Worker:
        return Worker(env, self.logs / f"{env['AIRPARADIS_APP_ID']}-{name}.log")

    def run(
        self, env: dict[str, str], workers: list[Worker], fault: Callable[[], None]
    ) -> RunResult:
        """Start the workers, produce at `rate` while `fault` runs, collect, clean up."""
        settings = settings_from(env)
        records = payloads(self.rows)
        try:
            for worker in workers:
                worker.start(180)
            sender = threading.Thread(target=produce_through, args=(settings, records, self.rate))
            sender.start()
            read_events(settings, settings.topic_scored, 1, timeout_s=60)  # scoring has begun
            with Supervisor(workers):
                fault()
                sender.join()
                return collect(settings, {tweet_id for tweet_id, _ in records}, timeout_s=240)
        finally:
            for worker in workers:
                worker.stop()
            delete_topics_containing(settings, env["AIRPARADIS_APP_ID"].removeprefix("test-"))

    def reference(self, bootstrap: str) -> RunResult:
        env = self.env(bootstrap)
        return self.run(env, [self.worker(env, "reference")], lambda: None)

    def kill_9(self, bootstrap: str) -> RunResult:
        env = self.env(bootstrap)
        worker = self.worker(env, "kill9")

        def fault() -> None:
            worker.kill()
            worker.start(180)

        return self.run(env, [worker], fault)

    def two_workers(self, bootstrap: str) -> RunResult:
        env = self.env(bootstrap, AIRPARADIS_TOPIC_PARTITIONS="4")
        first = self.worker(env, "a")
        second = self.worker({**env, "AIRPARADIS_WEB_PORT": str(free_port())}, "b")

        def fault() -> None:
            time.sleep(3)
            second.stop()
            time.sleep(5)
            second.start(180)

        return self.run(env, [first, second], fault)

    def broker_restart(self, broker: OwnBroker) -> RunResult:
        env = self.env(broker.bootstrap)

        def fault() -> None:
            broker.run("stop")
            time.sleep(5)
            broker.run("start")

        return self.run(env, [self.worker(env, "restart")], fault)


def main(
    runs: Annotated[int, typer.Option(help="repetitions of each scenario")] = 3,
    model: Annotated[str, typer.Option(help="model dir or URI (default: settings.model_uri)")] = "",
    rate: Annotated[float, typer.Option(help="tweets per second produced")] = 100.0,
    broker_port: Annotated[int, typer.Option(help="port of the drill's own broker")] = 19220,
    logs: Annotated[Path, typer.Option(help="worker logs")] = Path("/tmp/airparadis-faults"),
    only: Annotated[list[str], typer.Option(help="run only these scenarios")] = [],  # noqa: B006
) -> None:
    settings = Settings()
    logs.mkdir(parents=True, exist_ok=True)
    drill = Drill(model or settings.model_uri, logs, scenario_input(), rate)
    shared = settings.kafka.bootstrap_servers
    broker = OwnBroker(broker_port, logs / "kafka")
    broker.run("start")
    try:
        reference = drill.reference(shared)
        typer.echo(f"reference: {reference.scored} scored, {len(reference.alerts)} alerts")
        for alert in sorted(reference.alerts):
            typer.echo(f"    {alert}")
        scenarios: dict[str, Callable[[], RunResult]] = {
            "broker-restart": lambda: drill.broker_restart(broker),
            "kill-9": lambda: drill.kill_9(shared),
            "two-workers": lambda: drill.two_workers(shared),
        }
        scenarios = {name: run for name, run in scenarios.items() if not only or name in only}
        results: dict[str, list[RunResult]] = {name: [] for name in scenarios}
        for run in range(runs):
            for name, scenario in scenarios.items():
                result = scenario()
                results[name].append(result)
                typer.echo(f"run {run + 1} {name}: {result.scored}/{result.tweets} scored, "
                           f"{result.lost} lost, {result.duplicates} duplicates, "
                           f"alerts equal: {result.alerts == reference.alerts}")  # fmt: skip
                for alert in sorted(reference.alerts - result.alerts):
                    typer.echo(f"    missing: {alert}")
                for alert in sorted(result.alerts - reference.alerts):
                    typer.echo(f"    extra:   {alert}")
    finally:
        broker.run("stop")
    typer.echo(table(results, reference))


def table(results: dict[str, list[RunResult]], reference: RunResult) -> str:
    lines = [
        "| scenario | runs | tweets in | scored | lost | duplicates | alerts equal to reference |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, rows in results.items():
        equal = sum(row.alerts == reference.alerts for row in rows)
        lines.append(
            f"| {name} | {len(rows)} | {sum(r.tweets for r in rows):,} "
            f"| {sum(r.scored for r in rows):,} | {sum(r.lost for r in rows):,} "
            f"| {sum(r.duplicates for r in rows):,} | {equal} of {len(rows)} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    typer.run(main)
