"""Replay a labelled file (the airline history) as `tweets.feedback`, in tweet-time order.

What an airline's people would send once they label tweets: the learning loop's input,
carried by Kafka into the label store by the labels sink (`airparadis-stream labels-sink`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from stream.labels.importer import read_labels
from stream.labels.records import LabelRecord
from stream.records import Feedback

REPLAY = "replay"


def as_feedback(record: LabelRecord) -> Feedback | None:
    """A binary label as a Feedback record carrying its tweet; neutral ones have no Feedback."""
    if record.label not in ("negative", "positive") or not record.trusted:
        return None
    return Feedback(
        tweet_id=record.tweet_id,
        true_label=record.label,
        source=REPLAY,
        text=record.text,
        created_at=record.tweet_time,
        labelled_at=record.tweet_time,  # labelled as it came: the replay keeps time order
    )


def feedback_of(
    path: Path, until: datetime | None = None, min_confidence: float = 0.0
) -> Iterator[Feedback]:
    """The file's binary labels before `until`, oldest tweet first."""
    records = read_labels(path, min_confidence=min_confidence).records
    dated = sorted((r for r in records if r.tweet_time is not None), key=lambda r: r.tweet_time)
    for record in dated:
        if until is not None and record.tweet_time and record.tweet_time >= until:
            break
        feedback = as_feedback(record)
        if feedback is not None:
            yield feedback
