"""`airparadis-stream`: run the worker, replay tweets into Kafka, tail the output topics."""

from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from stream.settings import Settings

app = typer.Typer(help="Air Paradis streaming sentiment processor.", no_args_is_help=True)


@app.command()
def worker(
    loglevel: Annotated[str, typer.Option(help="Faust log level")] = "info",
) -> None:
    """Start the stream worker: load the model once, score tweets.raw, serve HTTP."""
    from stream.worker import run_worker

    logging.basicConfig(level=loglevel.upper())
    settings = Settings()
    run_worker(settings, loglevel)


@app.command()
def produce(
    path: Annotated[
        Path, typer.Argument(help="CSV with a 'text' column, or JSONL of raw tweets (.gz ok)")
    ],
    rate: Annotated[float, typer.Option(help="tweets per second; 0 = as fast as possible")] = 0.0,
    limit: Annotated[int, typer.Option(help="stop after N tweets; 0 = all")] = 0,
) -> None:
    """Replay a file of tweets into the raw topic, with a progress bar."""
    from tqdm import tqdm

    from stream.producer import as_raw_tweet, read_tweet_file
    from stream.producer import produce as send

    settings = Settings()
    rows = read_tweet_file(path)
    if limit:
        rows = itertools.islice(rows, limit)
    tweets = (as_raw_tweet(row) for row in rows)
    with tqdm(unit="tweet", desc="produce") as bar:
        count = send(
            settings, ((t.id, t.to_json()) for t in tweets), rate or None, on_sent=bar.update
        )
    typer.echo(f"produced {count} tweets to {settings.topic_raw}")


@app.command()
def tail(
    what: Annotated[str, typer.Argument(help="scored | alerts | deadletter | review")] = "scored",
    limit: Annotated[int, typer.Option(help="stop after N events; 0 = forever")] = 0,
    from_start: Annotated[bool, typer.Option(help="read from the beginning")] = False,
) -> None:
    """Print events from an output topic as they arrive (one JSON per line)."""
    from stream.producer import consume

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
    for count, (_, value) in enumerate(stream, start=1):
        typer.echo(json.dumps(json.loads(value), ensure_ascii=False))
        if limit and count >= limit:
            break


if __name__ == "__main__":
    app()
