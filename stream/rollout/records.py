"""The shadow topic's contract: one record per tweet scored by both models."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from stream.records import Record, utcnow


class ShadowScore(Record):
    """`tweets.shadow`: the champion's published score beside the challenger's unpublished one.

    `challenger_score` is None and `error` set when the challenger failed on the batch
    (the champion's events were published all the same). Latencies are the batch's model
    calls, each, in seconds.
    """

    tweet_id: str = Field(min_length=1)
    model_name: str
    champion_version: str
    challenger_version: str
    champion_score: float = Field(ge=0.0, le=1.0)
    challenger_score: float | None = Field(None, ge=0.0, le=1.0)
    champion_latency_s: float = Field(0.0, ge=0.0)
    challenger_latency_s: float = Field(0.0, ge=0.0)
    error: str | None = None
    scored_at: datetime = Field(default_factory=utcnow)
