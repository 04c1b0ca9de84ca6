"""`airparadis-train labels ...`: import label files into the store and show its counts."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from stream.settings import Settings

app = typer.Typer(help="The label store: import files, show counts.", no_args_is_help=True)


@app.command("import")
def import_labels(
    path: Annotated[Path, typer.Argument(help="Airline CSV, or id,text,label CSV/JSONL (.gz ok).")],
    min_confidence: Annotated[
        float, typer.Option(help="Rows whose airline_sentiment_confidence is lower: untrusted.")
    ] = 0.0,
) -> None:
    """Store the labels of a file (source 'import:<file name>'); re-importing updates them."""
    from stream.labels.importer import read_labels
    from stream.labels.store import LabelStore

    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    result = read_labels(path, min_confidence=min_confidence)
    store = LabelStore.from_url(Settings().labels_db_url)
    new = store.add(result.records)
    typer.echo(f"{len(result.records)} labels read from {path.name}: {new} new")
    for number, reason in result.rejected[:10]:
        typer.echo(f"  rejected row {number}: {reason}", err=True)
    if result.rejected:
        typer.echo(f"{len(result.rejected)} rows rejected", err=True)


@app.command()
def replay(
    path: Annotated[Path, typer.Argument(help="Airline CSV, or id,text,label CSV/JSONL (.gz ok).")],
    until: Annotated[
        datetime | None, typer.Option(help="Only tweets before this time (ISO, UTC if naive).")
    ] = None,
    rate: Annotated[float, typer.Option(help="Records per second; 0: as fast as possible.")] = 0,
) -> None:
    """Send a file's negative/positive labels to tweets.feedback, oldest tweet first."""
    from stream.kafka.clients import produce
    from stream.labels.records import utc
    from stream.labels.replay import feedback_of

    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    settings = Settings()
    pairs = ((f.tweet_id, f.to_json()) for f in feedback_of(path, utc(until)))
    count = produce(settings, pairs, rate or None, topic=settings.topic_feedback)
    typer.echo(f"{count} feedback records sent to {settings.topic_feedback}")


@app.command()
def stats() -> None:
    """Counts of stored labels by source kind and label, untrusted ones and the queue."""
    from stream.labels.store import LabelStore

    counts = LabelStore.from_url(Settings().labels_db_url).stats()
    counts["by_kind"] = {"/".join(k): v for k, v in counts["by_kind"].items()}
    typer.echo(json.dumps(counts, indent=2, default=str))
