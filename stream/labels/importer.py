"""Bulk label files -> LabelRecords: the airline CSV, or a plain id,text,label CSV / JSONL.

Rows that cannot be read are returned with their line and reason, never dropped silently.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from stream.labels.records import IMPORT, LabelRecord

AIRLINE_COLUMNS = {"tweet_id", "tweet_created", "airline_sentiment", "text"}
ID_COLUMNS = ("tweet_id", "id")
TIME_COLUMNS = ("tweet_time", "created_at", "tweet_created")


@dataclass
class ImportResult:
    records: list[LabelRecord] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, row) from CSV (quoted line breaks ok) or JSON lines."""
    jsonl = path.name.removesuffix(".gz").endswith((".jsonl", ".json"))
    with _open(path) as handle:
        if not jsonl:
            yield from enumerate(csv.DictReader(handle), start=2)  # 1 is the header
            return
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    row = {"__error__": f"malformed JSON: {exc.msg}"}
                if not isinstance(row, dict):
                    row = {"__error__": f"expected a JSON object, got {type(row).__name__}"}
                yield number, row


def _first(row: dict[str, Any], names: tuple[str, ...]) -> Any:
    return next((row[n] for n in names if row.get(n) not in (None, "")), None)


def _time(value: Any) -> datetime | None:
    """'2015-02-17 08:12:44 -0800' (airline file) or ISO 8601."""
    if value in (None, ""):
        return None
    text = str(value)
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))


def to_record(
    row: dict[str, Any], source: str, labelled_at: datetime, min_confidence: float
) -> LabelRecord:
    """One file row -> LabelRecord; raises ValueError naming the problem."""
    if "__error__" in row:
        raise ValueError(row["__error__"])
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text: empty or not a string")
    label = str(_first(row, ("airline_sentiment", "label")) or "").strip().lower()
    confidence = row.get("airline_sentiment_confidence")
    trusted = confidence in (None, "") or float(confidence) >= min_confidence
    tweet_id = _first(row, ID_COLUMNS)
    try:
        return LabelRecord(
            tweet_id=str(tweet_id) if tweet_id is not None else "",
            text=text,
            label=label,
            source=source,
            tweet_time=_time(_first(row, TIME_COLUMNS)),
            labelled_at=labelled_at,
            trusted=trusted,
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ValueError(f"{'.'.join(map(str, error['loc']))}: {error['msg']}") from None


def read_labels(
    path: Path, *, labelled_at: datetime | None = None, min_confidence: float = 0.0
) -> ImportResult:
    """Read a label file; source is 'import:<file name>', labelled now unless told."""
    result = ImportResult()
    source = f"{IMPORT}:{path.name}"
    at = labelled_at or datetime.now(UTC)
    for number, row in _rows(path):
        try:
            result.records.append(to_record(row, source, at, min_confidence))
        except ValueError as exc:
            result.rejected.append((number, str(exc)))
    return result
