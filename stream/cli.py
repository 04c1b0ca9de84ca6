"""`airparadis-stream`: run the worker, replay tweets into Kafka, tail the output topics."""

from __future__ import annotations

import itertools
import json
import logging
import shlex
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from stream.quiet import quiet_noise
from stream.settings import Settings

app = typer.Typer(help="Air Paradis streaming sentiment processor.", no_args_is_help=True)
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show TensorFlow/MLflow start-up logs too.")
]


@app.callback()
def main(verbose: VerboseOption = False) -> None:
    """Air Paradis streaming sentiment processor."""
    quiet_noise(verbose)


@contextmanager
def _refused_is_fatal() -> Iterator[None]:
    """A password or certificate the broker refuses, or records it did not take: one clear
    line and exit 1."""
    from stream.kafka.delivery import DeliveryError
    from stream.kafka.security import KafkaSecurityError

    try:
        yield
    except (KafkaSecurityError, DeliveryError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


@app.command()
def worker(
    loglevel: Annotated[str, typer.Option(help="Faust log level")] = "info",
) -> None:
    """Start the stream worker: load the model once, score tweets.raw, serve HTTP."""
    from stream.worker import run_worker

    logging.basicConfig(level=loglevel.upper())
    settings = Settings()
    with _refused_is_fatal():
        run_worker(settings, loglevel)


@app.command()
def produce(
    path: Annotated[
        Path, typer.Argument(help="CSV with a 'text' column, or JSONL of raw tweets (.gz ok)")
    ],
    rate: Annotated[float, typer.Option(help="tweets per second; 0 = as fast as possible")] = 0.0,
    limit: Annotated[int, typer.Option(help="stop after N tweets; 0 = all")] = 0,
    timeout: Annotated[
        float, typer.Option(help="seconds to wait for the broker to take the last tweets")
    ] = 30.0,
) -> None:
    """Replay a file of tweets into the raw topic, with a progress bar."""
    from tqdm import tqdm

    from stream.kafka.clients import as_raw_tweet, read_tweet_file
    from stream.kafka.clients import produce as send

    settings = Settings()
    rows = read_tweet_file(path)
    if limit:
        rows = itertools.islice(rows, limit)
    tweets = (as_raw_tweet(row) for row in rows)
    with _refused_is_fatal(), tqdm(unit="tweet", desc="produce", disable=None) as bar:
        payloads = ((t.id, t.to_json()) for t in tweets)
        count = send(
            settings, payloads, rate or None, on_sent=bar.update, delivery_timeout_s=timeout
        )
    typer.echo(f"produced {count} tweets to {settings.topic_raw}")


@app.command()
def tail(
    what: Annotated[str, typer.Argument(help="scored | alerts | deadletter | review")] = "scored",
    limit: Annotated[int, typer.Option(help="stop after N events; 0 = forever")] = 0,
    from_start: Annotated[bool, typer.Option(help="read from the beginning")] = False,
    summary: Annotated[bool, typer.Option(help="one short line per event")] = False,
) -> None:
    """Print events from an output topic as they arrive (one JSON per line)."""
    from stream.kafka.clients import consume

    settings = Settings()
    topics = {
        "scored": settings.topic_scored,
        "alerts": settings.topic_alerts,
        "deadletter": settings.topic_deadletter,
        "review": settings.topic_review,
    }
    if what not in topics:
        raise typer.BadParameter(f"choose one of {sorted(topics)}")
    stream = consume(settings, [topics[what]], from_start=from_start)
    with _refused_is_fatal():
        for count, (_, value) in enumerate(stream, start=1):
            event = json.loads(value)
            typer.echo(_summary(event) if summary else json.dumps(event, ensure_ascii=False))
            if limit and count >= limit:
                break


def _summary(event: dict) -> str:
    if "kind" in event:  # an alert
        return (
            f"{event['status']:>8} {event['kind']:<9} {event['scope']:<22} "
            f"{event['metric']}={event['observed']:.2f}  {event['message']}"
        )
    if "label" in event:  # a scored tweet
        return f"{event['label']:>8} {event['score']:.2f}  {event['text'][:100]}"
    return f"{event.get('reason', '?'):>14}  {event.get('message', '')}"


@app.command("demo-env")
def demo_env() -> None:
    """Print the worker settings the demo uses, as shell `export` lines."""
    from stream.demo.replay import worker_env

    for name, value in worker_env().items():
        typer.echo(f"export {name}={shlex.quote(value)}")


@app.command("demo-check")
def demo_check(
    labels: Annotated[Path, typer.Argument(help="the .labels.csv written by demo-data")],
    timeout: Annotated[float, typer.Option(help="seconds to wait for the alert")] = 120.0,
    control: Annotated[str, typer.Option(help="airline that must stay quiet")] = "virginamerica",
) -> None:
    """Print the alerts beside people's labels; exit 1 unless the @AirParadis bad buzz was
    raised and resolved and the control airline stayed quiet."""
    from stream.demo.check import describe, problems, read_labels, wait_for_alerts
    from stream.kafka.clients import read_topic

    settings = Settings()
    rows = read_labels(labels)
    alerts = wait_for_alerts(
        lambda: [json.loads(v) for _, v in read_topic(settings, settings.topic_alerts, 10**6, 2)],
        timeout,
    )
    for alert in alerts:
        typer.echo(describe(alert, rows))
    failed = problems(alerts, control)
    for problem in failed:
        typer.echo(f"DEMO FAILED: {problem}", err=True)
    if failed:
        raise typer.Exit(1)
    typer.echo(
        f"demo check passed: airline:airparadis raised and resolved, airline:{control} quiet"
    )


@app.command("loop-traffic")
def loop_traffic(
    path: Annotated[Path, typer.Argument(help="the airline tweets CSV (.gz)")],
    until: Annotated[str | None, typer.Option(help="only tweets before this time (ISO)")] = None,
    rate: Annotated[float, typer.Option(help="tweets per second (and as many labels)")] = 200.0,
    rounds: Annotated[int, typer.Option(help="passes over the file; 0 = until stopped")] = 1,
    lag_s: Annotated[float, typer.Option(help="seconds between a tweet and its label")] = 3.0,
) -> None:
    """Labelled airline tweets as live tweets, their labels as feedback (deploy/loop.sh)."""
    from datetime import datetime

    from stream.demo import loop_traffic as traffic
    from stream.labels.records import utc

    labelled = traffic.airline_feedback(path, utc(datetime.fromisoformat(until)) if until else None)
    typer.echo(
        f"{len(labelled):,} labelled tweets, {rate:g}/s, each label {lag_s:g}s after its tweet"
    )
    with _refused_is_fatal():
        sent = traffic.run(Settings(), labelled, rate, rounds, lag_s)
    typer.echo(f"sent {sent:,} tweets and their labels")


@app.command("loop-watch")
def loop_watch(
    model: Annotated[
        str | None, typer.Option(help="Registered name (default: the served one).")
    ] = None,
    timeout: Annotated[float, typer.Option(help="seconds before giving up")] = 600.0,
) -> None:
    """Narrate the learning loop (alert, retrain, gate, shadow, canary) until a new champion
    (exit 0) or the step that stopped it (exit 1)."""
    from stream.demo.loop_watch import watch
    from stream.rollout.cli import model_name

    settings = Settings()
    started = time.monotonic()

    def echo(line: str) -> None:
        typer.echo(f"[{time.monotonic() - started:5.0f}s] {line}" if line[:1] != " " else line)

    with _refused_is_fatal():
        passed, why = watch(settings, model_name(settings, model), timeout, echo)
    typer.echo(f"loop {'passed' if passed else 'FAILED'}: {why}")
    raise typer.Exit(0 if passed else 1)


@app.command("serving")
def serving() -> None:
    """Print the model the worker would serve (exit 1 if none can be resolved)."""
    from models.registry import resolve_dir

    settings = Settings()
    try:
        path, name, version = resolve_dir(settings, settings.model_uri)
    except Exception as error:
        typer.echo(f"no model for {settings.model_uri}: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{name} version {version} ({path})")


@app.command("labels-sink")
def labels_sink(
    idle_exit_s: Annotated[
        float | None, typer.Option(help="stop after this many idle seconds; default: run on")
    ] = None,
) -> None:
    """Store tweets.feedback labels and tweets.review tweets in the label store (at least once)."""
    from stream.labels.sink import LabelSink
    from stream.labels.store import LabelStore

    logging.basicConfig(level=logging.INFO)
    settings = Settings()
    counts = LabelSink(settings, LabelStore.from_url(settings.labels_db_url)).run(
        idle_exit_s=idle_exit_s
    )
    typer.echo(json.dumps(counts))


@app.command()
def orchestrator(
    model: Annotated[
        str | None, typer.Option(help="Registered name (default: the served one).")
    ] = None,
    loglevel: Annotated[str, typer.Option(help="Faust log level")] = "info",
) -> None:
    """The learning loop: rollout guards, monthly and on-alert retraining (docs/rollout.md)."""
    from stream.rollout.cli import model_name
    from stream.rollout.orchestrator.app import run_orchestrator

    logging.basicConfig(level=loglevel.upper())
    settings = Settings()
    with _refused_is_fatal():
        run_orchestrator(settings, model_name(settings, model), loglevel)


if __name__ == "__main__":
    app()
