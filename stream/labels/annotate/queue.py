"""What an annotator sees next, and what their answers do to the store.

Order: tweets awaiting a tie-breaker, then tweets with one answer (to complete a pair), then
new ones: a random-sample tweet with probability `random_share`, else the most uncertain
(score nearest 0.5). Nobody sees a tweet twice (answered or skipped).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Select, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from stream.labels import agreement
from stream.labels.records import ANNOTATOR, LabelRecord, Sentiment
from stream.labels.schema import labels, skips, tweets
from stream.labels.store import LabelStore, naive

Answer = Literal["negative", "positive", "neutral", "skip"]
PREFIX = f"{ANNOTATOR}:"


@dataclass(frozen=True)
class Task:
    tweet_id: str
    text: str
    score: float | None
    kind: str  # uncertain | random
    answers: int  # answers already given by others


def _answered() -> Select[Any]:
    return (
        select(
            labels.c.tweet_id,
            func.count().label("n"),
            func.count(labels.c.label.distinct()).label("distinct"),
            func.min(labels.c.labelled_at).label("first_at"),
        )
        .where(labels.c.source.like(f"{PREFIX}%"))
        .group_by(labels.c.tweet_id)
    )


def _seen_by(annotator: str) -> Any:
    mine = select(labels.c.tweet_id).where(labels.c.source == PREFIX + annotator)
    skipped = select(skips.c.tweet_id).where(skips.c.annotator == annotator)
    return mine.union(skipped)


def next_task(
    store: LabelStore, annotator: str, random_share: float, rng: random.Random
) -> Task | None:
    answered = _answered().subquery()
    seen = _seen_by(annotator)
    base = (
        select(tweets.c.tweet_id, tweets.c.text, tweets.c.model_score, tweets.c.queue, answered.c.n)
        .join(answered, answered.c.tweet_id == tweets.c.tweet_id, isouter=True)
        .where(tweets.c.queue.is_not(None), tweets.c.tweet_id.not_in(seen))
    )
    tiebreak = base.where(answered.c.n == 2, answered.c.distinct == 2)
    complete = base.where(answered.c.n == 1).order_by(answered.c.first_at)
    fresh = base.where(answered.c.n.is_(None))
    uncertain = fresh.where(tweets.c.queue == "uncertain").order_by(
        func.abs(tweets.c.model_score - 0.5), tweets.c.queued_at
    )
    sampled = fresh.where(tweets.c.queue == "random").order_by(tweets.c.queued_at)
    news = [sampled, uncertain] if rng.random() < random_share else [uncertain, sampled]
    with store.engine.connect() as conn:
        for query in (tiebreak, complete, *news):
            row = conn.execute(query.limit(1)).first()
            if row is not None:
                return Task(row.tweet_id, row.text, row.model_score, row.queue, row.n or 0)
    return None


def read_annotations(store: LabelStore) -> pd.DataFrame:
    """Every annotation: tweet_id, annotator, label, labelled_at."""
    query = select(labels.c.tweet_id, labels.c.source, labels.c.label, labels.c.labelled_at).where(
        labels.c.source.like(f"{PREFIX}%")
    )
    with store.engine.connect() as conn:
        df = pd.DataFrame(conn.execute(query).all(), columns=["tweet_id", "source", "label", "at"])
    return pd.DataFrame(
        {
            "tweet_id": df["tweet_id"],
            "annotator": df["source"].str.removeprefix(PREFIX),
            "label": df["label"],
            "labelled_at": pd.to_datetime(df["at"], utc=True),
        }
    )


def answer(store: LabelStore, annotator: str, tweet_id: str, given: Answer) -> bool:
    """Store an answer (a skip hides the tweet from this annotator); False: unknown tweet."""
    now = datetime.now(UTC)
    with store.engine.connect() as conn:
        if (
            conn.execute(select(tweets.c.tweet_id).where(tweets.c.tweet_id == tweet_id)).first()
            is None
        ):
            return False
    if given == "skip":
        try:
            with store.engine.begin() as conn:
                conn.execute(
                    insert(skips).values(
                        tweet_id=tweet_id, annotator=annotator, skipped_at=naive(now)
                    )
                )
        except IntegrityError:
            pass  # skipped twice: already hidden
        return True
    label: Sentiment = given
    record = LabelRecord(
        tweet_id=tweet_id, label=label, source=PREFIX + annotator, labelled_at=now, trusted=False
    )
    store.add([record])
    return True


def refresh_trust(store: LabelStore, window: int, kappa_min: float) -> dict[str, str | None]:
    """Recompute which annotations are trusted (agreement.decide) and write it on them."""
    flags = agreement.decide(read_annotations(store), window, kappa_min)
    with store.engine.begin() as conn:
        for tweet_id, flag in flags.items():
            conn.execute(
                update(labels)
                .where(and_(labels.c.tweet_id == tweet_id, labels.c.source.like(f"{PREFIX}%")))
                .values(trusted=flag is None, flag=flag)
            )
    return flags
