from __future__ import annotations

import csv
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from stream.labels.importer import read_labels
from stream.labels.store import LabelStore

AIRLINE = (
    Path(__file__).resolve().parents[4]
    / "shared/data/airline/airline_tweets_2015-02-16_to_21.csv.gz"
)


@pytest.fixture
def airline_sample(tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    """60 rows of the real file, line-broken texts and low-confidence labels among them."""
    if not AIRLINE.exists():
        pytest.skip(f"airline data not found at {AIRLINE}")
    with gzip.open(AIRLINE, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        fields = reader.fieldnames
    broken = [r for r in rows if "\n" in r["text"]][:5]
    doubtful = [r for r in rows if float(r["airline_sentiment_confidence"]) < 0.6][:5]
    picked = {r["tweet_id"]: r for r in [*rows[:50], *broken, *doubtful]}
    path = tmp_path / "airline_sample.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)  # type: ignore[arg-type]
        writer.writeheader()
        writer.writerows(picked.values())
    return path, list(picked.values())


def test_airline_sample_is_read_with_times_in_utc(airline_sample) -> None:
    path, rows = airline_sample
    assert any("\n" in r["text"] for r in rows)
    result = read_labels(path, min_confidence=0.6)
    assert result.rejected == []
    assert len(result.records) == len(rows)
    by_id = {r.tweet_id: r for r in result.records}
    first = rows[0]  # '2015-02-16 23:36:05 -0800'
    record = by_id[first["tweet_id"]]
    assert record.tweet_time == datetime(2015, 2, 17, 7, 36, 5, tzinfo=UTC)
    assert record.label == first["airline_sentiment"]
    assert record.source == "import:airline_sample.csv.gz"
    for row in rows:
        assert by_id[row["tweet_id"]].text == row["text"]  # line breaks kept
        assert by_id[row["tweet_id"]].trusted == (float(row["airline_sentiment_confidence"]) >= 0.6)


def test_cli_import_is_idempotent_and_stats_count(airline_sample, tmp_path, monkeypatch) -> None:
    from training.cli import app

    path, rows = airline_sample
    monkeypatch.setenv("AIRPARADIS_DATA_DIR", str(tmp_path / "var"))
    runner = CliRunner()
    first = runner.invoke(app, ["labels", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert f"{len(rows)} new" in first.output
    again = runner.invoke(app, ["labels", "import", str(path)])
    assert "0 new" in again.output
    stats = runner.invoke(app, ["labels", "stats"])
    assert json.loads(stats.output)["labels"] == len(rows)
    store = LabelStore.from_url(f"sqlite:///{tmp_path / 'var' / 'labels.db'}")
    snap = store.snapshot()
    assert len(snap) == len(rows)
    assert snap["tweet_time"].is_monotonic_increasing
    assert snap["tweet_time"].iloc[0] >= pd.Timestamp("2015-02-17 07:36:05", tz="UTC")


def test_plain_csv_and_jsonl_reject_bad_rows_with_reasons(tmp_path: Path) -> None:
    plain = tmp_path / "mine.csv"
    plain.write_text('id,text,label\n1,"great, thanks",positive\n2,meh,angry\n3,,negative\n')
    result = read_labels(plain)
    assert [(r.tweet_id, r.label) for r in result.records] == [("1", "positive")]
    assert [n for n, _ in result.rejected] == [3, 4]
    assert "label" in result.rejected[0][1] and "text" in result.rejected[1][1]
    lines = tmp_path / "mine.jsonl"
    good = {"id": 7, "text": "late again", "label": "negative", "created_at": "2015-02-20T10:00Z"}
    lines.write_text(json.dumps(good) + "\n{oops\n")
    result = read_labels(lines)
    assert result.records[0].tweet_id == "7"
    assert result.records[0].tweet_time == datetime(2015, 2, 20, 10, tzinfo=UTC)
    assert result.rejected[0][0] == 2 and "malformed JSON" in result.rejected[0][1]
