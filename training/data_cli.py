"""Data and search commands of `airparadis-train`: download, sample, search-tfidf."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from models.data import DEFAULT_DATA
from models.settings import RegistrySettings


def download(
    dest: Annotated[Path, typer.Argument(help="Folder for the archive and the extracted CSV.")],
) -> None:
    """Download the full Sentiment140 training CSV (1.6M tweets, needs the internet)."""
    from models.sentiment140 import download_sentiment140

    path = download_sentiment140(dest)
    typer.echo(f"written: {path}\ntrain on it with: airparadis-train train --data {path}")


def sample(
    output: Annotated[Path, typer.Argument(help="Output file (.csv or .csv.gz).")],
    data: Annotated[Path, typer.Option(help="Labelled file to sample from.")] = DEFAULT_DATA,
    size: Annotated[int, typer.Option(help="Tweets in the sample.")] = 4000,
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = 42,
) -> None:
    """Write a stratified sample in the 100k subset's format (polarity,text)."""
    from models.data import load_dataset, write_subset_csv
    from models.splits import stratified_sample

    rows = stratified_sample(load_dataset(data), size, seed)
    write_subset_csv(rows, output)
    typer.echo(f"written: {output} ({rows.class_counts()}, {output.stat().st_size:,} bytes)")


def search_tfidf(
    data: Annotated[
        Path, typer.Option(envvar="AIRPARADIS_TRAIN_DATA", help="Labelled file.")
    ] = DEFAULT_DATA,
    sample_size: Annotated[int | None, typer.Option(help="Stratified sample size.")] = None,
    seed: Annotated[int, typer.Option(help="Split and model seed.")] = 42,
    output: Annotated[Path, typer.Option(help="Markdown table.")] = Path("reports/tfidf_search.md"),
) -> None:
    """Compare preprocessing options and TF-IDF configs on validation (logged to MLflow)."""
    from training.search import render
    from training.search import search_tfidf as search_job

    rows = search_job(RegistrySettings(), data, seed, sample_size)
    table = render(rows)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(f"# TF-IDF search on `{data.name}` (seed {seed})\n\n{table}")
    typer.echo(table)
    typer.echo(f"best: {rows[0]['name']}\nwritten: {output}")


def register(app: typer.Typer) -> None:
    app.command()(download)
    app.command()(sample)
    app.command("search-tfidf")(search_tfidf)
