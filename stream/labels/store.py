"""The label store: every label (feedback, annotations, imports) in one SQL database.

SQLAlchemy 2.x Core: SQLite by default (a file, no server), any server database by URL.
`add` is idempotent per (tweet id, source); `snapshot` is what training reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, create_engine, event, func, insert, select, update
from sqlalchemy.engine import Connection

from stream.labels import resolve
from stream.labels.records import LabelRecord, QueueItem, utc
from stream.labels.schema import labels, metadata, tweets

CHUNK = 500
TWEET_FIELDS = ("text", "tweet_time", "model_version", "model_score")


def naive(value: datetime | None) -> datetime | None:
    """Aware -> naive UTC, the storage form."""
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


def chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class LabelStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    @classmethod
    def from_url(cls, url: str) -> LabelStore:
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        sqlite = url.startswith("sqlite")
        # the annotation server uses the store from worker threads
        engine = create_engine(url, connect_args={"check_same_thread": False} if sqlite else {})
        if sqlite:
            event.listen(engine, "connect", _sqlite_pragmas)
        return cls(engine)

    # --- writes -------------------------------------------------------------------------
    def add(self, records: Iterable[LabelRecord]) -> int:
        """Store labels; a (tweet id, source) already stored is updated. Returns new rows."""
        new = 0
        with self.engine.begin() as conn:
            for chunk in chunks(records):
                self._merge_tweets(conn, [_tweet_values(r) for r in chunk])
                new += self._merge_labels(conn, chunk)
        return new

    def queue(self, items: Iterable[QueueItem], queued_at: datetime | None = None) -> int:
        """Put tweets in the annotation queue. Returns how many were not queued before."""
        at = naive(queued_at or datetime.now(UTC))
        new = 0
        with self.engine.begin() as conn:
            for chunk in chunks(items):
                ids = [item.tweet_id for item in chunk]
                queued = set(
                    conn.scalars(
                        select(tweets.c.tweet_id).where(
                            tweets.c.tweet_id.in_(ids), tweets.c.queue.is_not(None)
                        )
                    )
                )
                self._merge_tweets(conn, [_tweet_values(item) for item in chunk])
                for item in chunk:
                    if item.tweet_id not in queued:
                        queued.add(item.tweet_id)
                        new += 1
                        conn.execute(
                            update(tweets)
                            .where(tweets.c.tweet_id == item.tweet_id)
                            .values(queue=item.kind, queued_at=at)
                        )
        return new

    def _merge_tweets(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Insert unknown tweets; fill known ones with the non-null fields given."""
        by_id: dict[str, dict[str, Any]] = {}
        for row in rows:  # several labels of one tweet in a chunk: merge them first
            known = by_id.setdefault(row["tweet_id"], {"tweet_id": row["tweet_id"]})
            known.update({k: v for k, v in row.items() if v is not None})
        existing = set(conn.scalars(select(tweets.c.tweet_id).where(tweets.c.tweet_id.in_(by_id))))
        fresh = [{f: row.get(f) for f in ("tweet_id", *TWEET_FIELDS)} for row in by_id.values()]
        inserts = [row for row in fresh if row["tweet_id"] not in existing]
        if inserts:
            conn.execute(insert(tweets), inserts)
        for tweet_id in existing:
            values = {k: v for k, v in by_id[tweet_id].items() if k != "tweet_id"}
            if values:
                conn.execute(update(tweets).where(tweets.c.tweet_id == tweet_id).values(**values))

    def _merge_labels(self, conn: Connection, records: Sequence[LabelRecord]) -> int:
        latest = {(r.tweet_id, r.source): r for r in records}  # last one sent wins
        query = select(labels.c.id, labels.c.tweet_id, labels.c.source).where(
            labels.c.tweet_id.in_({tweet_id for tweet_id, _ in latest})
        )
        existing = {(row.tweet_id, row.source): row.id for row in conn.execute(query)}
        inserts = []
        for key, record in latest.items():
            values = {
                "label": record.label,
                "labelled_at": naive(record.labelled_at),
                "trusted": record.trusted,
                "flag": None if record.trusted else "untrusted",
            }
            if key in existing:
                conn.execute(update(labels).where(labels.c.id == existing[key]).values(**values))
            else:
                inserts.append({"tweet_id": key[0], "source": key[1], **values})
        if inserts:
            conn.execute(insert(labels), inserts)
        return len(inserts)

    # --- reads --------------------------------------------------------------------------
    def rows(self) -> pd.DataFrame:
        """Every stored label joined with its tweet (untrained-on rows included)."""
        query = select(
            labels.c.tweet_id,
            tweets.c.text,
            labels.c.label,
            labels.c.source,
            tweets.c.tweet_time,
            labels.c.labelled_at,
            tweets.c.model_version,
            tweets.c.model_score,
            labels.c.trusted,
            labels.c.flag,
        ).join(tweets, tweets.c.tweet_id == labels.c.tweet_id)
        with self.engine.connect() as conn:
            df = pd.DataFrame(
                conn.execute(query).mappings().all(), columns=[*resolve.COLUMNS, "flag"]
            )
        for column in ("tweet_time", "labelled_at"):
            df[column] = pd.to_datetime(df[column], utc=True)
        df["model_score"] = df["model_score"].astype("float64")
        df["model_version"] = (
            df["model_version"].astype(object).where(df["model_version"].notna(), None)
        )
        df["trusted"] = df["trusted"].astype(bool)
        return df

    def snapshot(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        sources: Iterable[str] | None = None,
        trusted_only: bool = True,
    ) -> pd.DataFrame:
        """One label per tweet with text, by the resolution rule (annotation > import > feedback).

        `since` (inclusive) and `until` (exclusive) bound the tweet's time; `sources` keeps
        the given sources ('import' keeps every import, 'annotator' every annotator).
        """
        df = self.rows()
        df = df[df["text"].notna()]
        if since is not None:
            df = df[df["tweet_time"] >= pd.Timestamp(utc(since))]
        if until is not None:
            df = df[df["tweet_time"] < pd.Timestamp(utc(until))]
        if sources is not None:
            wanted = list(sources)
            df = df[df["source"].map(lambda s: resolve.source_matches(s, wanted))]
        return resolve.resolve(df.drop(columns="flag"), trusted_only)

    def stats(self) -> dict[str, Any]:
        """Counts per source kind and label, trusted or not, and the queue."""
        df = self.rows()
        df["kind"] = df["source"].map(resolve.kind)
        with self.engine.connect() as conn:
            queued: dict[str, int] = dict(
                conn.execute(
                    select(tweets.c.queue, func.count())
                    .where(tweets.c.queue.is_not(None))
                    .group_by(tweets.c.queue)
                ).all()
            )
        return {
            "labels": len(df),
            "tweets": int(df["tweet_id"].nunique()),
            "without_text": int(df.loc[df["text"].isna(), "tweet_id"].nunique()),
            "by_kind": df.groupby(["kind", "label"]).size().to_dict(),
            "untrusted": df[~df["trusted"]].groupby("flag").size().to_dict(),
            "queue": queued,
        }


def snapshot_hash(df: pd.DataFrame) -> str:
    """sha256 of a canonical serialisation of a snapshot (for MLflow dataset logging)."""
    return resolve.snapshot_hash(df)


def _tweet_values(record: LabelRecord | QueueItem) -> dict[str, Any]:
    return {
        "tweet_id": record.tweet_id,
        "text": record.text,
        "tweet_time": naive(record.tweet_time),
        "model_version": record.model_version,
        "model_score": record.model_score,
    }


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # the sink and the page write concurrently
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
