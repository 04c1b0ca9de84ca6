"""What the label store takes in: a label, and a tweet queued for annotation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from stream.records import Feedback

Sentiment = Literal["negative", "positive", "neutral"]
QueueKind = Literal["uncertain", "random"]
FEEDBACK = "feedback"
ANNOTATOR = "annotator"
IMPORT = "import"


def utc(value: datetime | None) -> datetime | None:
    """Aware UTC (naive values are taken as UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("tweet_time", "labelled_at", mode="after", check_fields=False)
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return utc(value)


class LabelRecord(_Model):
    """One label of one tweet from one source ('feedback', 'annotator:<name>', 'import:<file>')."""

    tweet_id: str = Field(min_length=1, max_length=64)
    text: str | None = None  # feedback may lack it; the review queue or an import fills it
    label: Sentiment
    source: str = Field(min_length=1, max_length=200)
    tweet_time: datetime | None = None
    labelled_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    model_version: str | None = None
    model_score: float | None = Field(None, ge=0.0, le=1.0)
    trusted: bool = True


class QueueItem(_Model):
    """A tweet to annotate: from `tweets.review` (uncertain) or sampled from `tweets.scored`."""

    tweet_id: str = Field(min_length=1, max_length=64)
    text: str
    tweet_time: datetime | None = None
    model_version: str | None = None
    model_score: float | None = Field(None, ge=0.0, le=1.0)
    kind: QueueKind = "uncertain"


def feedback_label(feedback: Feedback, received_at: datetime) -> LabelRecord:
    """A `tweets.feedback` record as a store label (source 'feedback')."""
    return LabelRecord(
        tweet_id=feedback.tweet_id,
        text=feedback.text,
        label=feedback.true_label,
        source=FEEDBACK,
        tweet_time=feedback.created_at,
        labelled_at=feedback.labelled_at or received_at,
        model_version=feedback.model_version,
        model_score=feedback.score,
    )
