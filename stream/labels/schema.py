"""Tables of the label store (SQLAlchemy Core). Times are stored as naive UTC."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# One row per tweet: what we know of it (text, time, the model's verdict) and its queue state.
tweets = Table(
    "tweets",
    metadata,
    Column("tweet_id", String(64), primary_key=True),
    Column("text", Text, nullable=True),
    Column("tweet_time", DateTime, nullable=True),
    Column("model_version", String(64), nullable=True),
    Column("model_score", Float, nullable=True),
    Column("queue", String(16), nullable=True, index=True),  # uncertain | random | None
    Column("queued_at", DateTime, nullable=True),
)

# One row per (tweet, source): re-sending a label updates it.
labels = Table(
    "labels",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tweet_id", String(64), nullable=False, index=True),
    Column("source", String(200), nullable=False),
    Column("label", String(16), nullable=False),
    Column("labelled_at", DateTime, nullable=False),
    Column("trusted", Boolean, nullable=False),
    Column("flag", String(32), nullable=True),  # why an untrusted label is not trusted
    UniqueConstraint("tweet_id", "source", name="uq_labels_tweet_source"),
)

# Annotators who skipped a tweet: not shown to them again.
skips = Table(
    "skips",
    metadata,
    Column("tweet_id", String(64), primary_key=True),
    Column("annotator", String(100), primary_key=True),
    Column("skipped_at", DateTime, nullable=False),
)
