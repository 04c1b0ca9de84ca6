"""Pure rules that turn stored label rows into one training label per tweet.

Resolution: annotation consensus > import > feedback; within a kind, the latest label wins.
Annotations count as one candidate per tweet: the majority label of its annotators (2 of 2 or
2 of 3), else the earliest annotation, untrusted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pandas as pd

COLUMNS = [
    "tweet_id",
    "text",
    "label",
    "source",
    "tweet_time",
    "labelled_at",
    "model_version",
    "model_score",
    "trusted",
]
PRIORITY = {"annotator": 0, "import": 1, "feedback": 2}


def kind(source: str) -> str:
    return source.split(":", 1)[0]


def source_matches(source: str, wanted: Iterable[str]) -> bool:
    """'import' matches every 'import:<file>'; 'annotator:ann' matches only that annotator."""
    return any(source == w or source.startswith(w.rstrip(":") + ":") for w in wanted)


def annotation_candidates(rows: pd.DataFrame) -> pd.DataFrame:
    """Annotator rows -> one row per tweet: the majority label, source of its first giver."""
    out = []
    for _, group in rows.sort_values("labelled_at").groupby("tweet_id", sort=False):
        counts = group["label"].value_counts()
        if counts.iloc[0] >= 2:
            givers = group[group["label"] == counts.index[0]]
            row = givers.iloc[0].copy()
            row["labelled_at"] = givers["labelled_at"].iloc[1]  # decided by the second giver
            row["trusted"] = bool(givers["trusted"].all())
        else:
            row = group.iloc[0].copy()
            row["trusted"] = False
        out.append(row)
    return pd.DataFrame(out, columns=rows.columns)


def resolve(rows: pd.DataFrame, trusted_only: bool) -> pd.DataFrame:
    """One row per tweet by the resolution rule; `rows` holds COLUMNS."""
    is_annotation = rows["source"].map(kind) == "annotator"
    candidates = pd.concat(
        [annotation_candidates(rows[is_annotation]), rows[~is_annotation]], ignore_index=True
    )
    if trusted_only:
        candidates = candidates[candidates["trusted"].astype(bool)]
    candidates = candidates.assign(_p=candidates["source"].map(lambda s: PRIORITY.get(kind(s), 3)))
    candidates = candidates.sort_values(["tweet_id", "_p", "labelled_at"], ascending=[1, 1, 0])
    picked = candidates.drop_duplicates("tweet_id", keep="first").drop(columns="_p")
    return typed(picked.sort_values(["tweet_time", "tweet_id"]).reset_index(drop=True)[COLUMNS])


def typed(df: pd.DataFrame) -> pd.DataFrame:
    """Snapshot dtypes: aware UTC times, float scores (NaN: unknown), bool trust."""
    return df.assign(
        tweet_time=pd.to_datetime(df["tweet_time"], utc=True),
        labelled_at=pd.to_datetime(df["labelled_at"], utc=True),
        model_score=pd.to_numeric(df["model_score"]).astype("float64"),
        trusted=df["trusted"].astype(bool),
    )


def snapshot_hash(df: pd.DataFrame) -> str:
    """sha256 of a canonical CSV: rows sorted by tweet id and source, times in ISO UTC."""
    canon = typed(df[COLUMNS].sort_values(["tweet_id", "source"]))
    for column in ("tweet_time", "labelled_at"):
        canon[column] = canon[column].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").fillna("")
    canon["model_score"] = canon["model_score"].map(lambda s: "" if pd.isna(s) else repr(s))
    canon["trusted"] = canon["trusted"].astype(bool).astype(int)
    data = canon.to_csv(index=False, lineterminator="\n").encode("utf-8")
    return hashlib.sha256(data).hexdigest()
