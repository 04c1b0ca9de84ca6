"""Labelled tweets as the loop reads them: a DataFrame with the label store's columns.

`load_labels(source)` takes a label-store URL (`stream.labels.store.LabelStore`) or, for
replays and tests, the airline CSV file directly. `binary(frame)` keeps the trained
labels (negative/positive, trusted) with a 0/1 `y` column; `snapshot_hash` (the store's)
names a frame's exact content.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from stream.labels.resolve import COLUMNS  # the label store's columns, in its order

TRAINED = {"negative": 0, "positive": 1}
AIRLINE_SOURCE = "import:airline"


def airline_frame(path: Path | str, source: str = AIRLINE_SOURCE) -> pd.DataFrame:
    """The airline CSV (SOURCES.md section 3) as label rows; times to UTC."""
    raw = pd.read_csv(path, dtype={"tweet_id": str})
    times = pd.to_datetime(raw["tweet_created"], format="%Y-%m-%d %H:%M:%S %z", utc=True)
    return pd.DataFrame(
        {
            "tweet_id": raw["tweet_id"],
            "text": raw["text"],
            "label": raw["airline_sentiment"],
            "source": source,
            "tweet_time": times,
            "labelled_at": times,
            "model_version": None,
            "model_score": np.nan,
            "trusted": True,
        },
        columns=COLUMNS,
    )


def load_labels(source: str) -> pd.DataFrame:
    """Every trusted label: from a CSV file (airline format) or a label-store URL."""
    if source.endswith((".csv", ".csv.gz")):
        if not Path(source).is_file():
            raise FileNotFoundError(f"labels file {source} does not exist")
        return airline_frame(source)
    from stream.labels.store import LabelStore

    frame: pd.DataFrame = LabelStore.from_url(source).snapshot(trusted_only=True)
    return frame


def binary(frame: pd.DataFrame) -> pd.DataFrame:
    """Trusted negative/positive rows with `y` (0/1), oldest first; neutral is not trained on."""
    kept = frame[frame["label"].isin(list(TRAINED)) & frame["trusted"].astype(bool)].copy()
    kept["y"] = kept["label"].map(TRAINED).astype(int)
    kept["tweet_time"] = pd.to_datetime(kept["tweet_time"], utc=True)
    return kept.sort_values(["tweet_time", "tweet_id"], kind="stable").reset_index(drop=True)


def between(frame: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp) -> pd.DataFrame:
    """Rows with `start <= tweet_time < end` (no lower bound when start is None)."""
    times = frame["tweet_time"]
    mask = times < end if start is None else (times >= start) & (times < end)
    return frame[mask].reset_index(drop=True)


def snapshot_hash(frame: pd.DataFrame) -> str:
    """The label store's hash of exactly these rows (order-independent)."""
    from stream.labels.store import snapshot_hash as store_hash

    return store_hash(frame)


def counts_by_source(frame: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in frame["source"].value_counts().sort_index().items()}
