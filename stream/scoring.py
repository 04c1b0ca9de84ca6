"""Pure pieces of the scoring agent: validate a batch, turn scores into scored events.

No Kafka and no Faust here, so every rule is tested in memory.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from models.base import SentimentModel
from stream.alerts.scopes import FoundScopes, ScopeConfig, find_scopes
from stream.records import (
    DEADLETTER_MAX_BYTES,
    DeadLetter,
    InputLimits,
    InvalidRecord,
    Label,
    RawTweet,
    ScoredTweet,
    parse_raw_tweet,
)

SENTIMENT_FR = {"positive": "Positif", "negative": "Négatif"}


@dataclass(frozen=True)
class Origin:
    """Where an input record came from (for dead letters and latency)."""

    topic: str
    partition: int
    offset: int
    timestamp: float  # Kafka record timestamp, seconds since the epoch


@dataclass
class ParsedBatch:
    tweets: list[RawTweet] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)
    raws: list[bytes] = field(default_factory=list)
    dead: list[DeadLetter] = field(default_factory=list)


def parse_batch(
    payloads: Sequence[tuple[bytes | None, Origin]], limits: InputLimits
) -> ParsedBatch:
    """Split raw payloads into valid tweets and dead letters (each with its reason).

    Never raises on a payload: an error nobody foresaw becomes a `parse_error` letter."""
    batch = ParsedBatch()
    for raw, origin in payloads:
        try:
            if raw is None:
                raise InvalidRecord("empty_payload", "record has no value")
            tweet = parse_raw_tweet(raw, limits)
        except InvalidRecord as error:
            batch.dead.append(dead_letter(raw or b"", error, origin, limits.deadletter_max_bytes))
            continue
        except Exception as error:  # RecursionError, MemoryError, a validator's bug...
            failure = InvalidRecord("parse_error", f"{type(error).__name__}: {error}")
            batch.dead.append(dead_letter(raw or b"", failure, origin, limits.deadletter_max_bytes))
            continue
        batch.tweets.append(tweet)
        batch.origins.append(origin)
        batch.raws.append(raw)
    return batch


def dead_letter(
    raw: bytes, error: InvalidRecord, origin: Origin, max_bytes: int = DEADLETTER_MAX_BYTES
) -> DeadLetter:
    return DeadLetter.for_payload(
        raw, error, origin.topic, origin.partition, origin.offset, max_bytes
    )


def label_of(score: float) -> tuple[Label, float]:
    """Label and confidence (probability of the chosen label) for a positive probability."""
    return ("positive", score) if score >= 0.5 else ("negative", 1.0 - score)


def scored_events(
    batch: ParsedBatch,
    scores: np.ndarray,
    oov_rate: float,
    model: tuple[str, str],
    now: datetime,
) -> list[ScoredTweet]:
    """One ScoredTweet per valid tweet, in input order (fields already valid: no re-validation)."""
    events = []
    for tweet, origin, score in zip(batch.tweets, batch.origins, scores, strict=True):
        label, confidence = label_of(float(score))
        events.append(
            ScoredTweet.model_construct(
                **vars(tweet),  # not dict(tweet): its failed .keys lookup is slow
                label=label,
                score=float(score),
                confidence=confidence,
                model_name=model[0],
                model_version=model[1],
                scored_at=now,
                latency_s=max(0.0, now.timestamp() - origin.timestamp),
                oov_rate=oov_rate,
            )
        )
    return events


@dataclass(frozen=True)
class Analysis:
    """A batch of texts through the model process: scores, OOV rate, scopes found."""

    scores: np.ndarray
    oov_rate: float
    found: list[FoundScopes]


def analyse(
    model: SentimentModel, texts: Sequence[str], tags: Sequence[Sequence[str]], scopes: ScopeConfig
) -> Analysis:
    """Everything costly about a batch, in one call (so it can run in the scorer process)."""
    scores, oov_rate = score_texts(model, texts)
    found = [find_scopes(text, labels, scopes) for text, labels in zip(texts, tags, strict=True)]
    return Analysis(scores, oov_rate, found)


def score_texts(model: SentimentModel, texts: Sequence[str]) -> tuple[np.ndarray, float]:
    """Probabilities of positive for a batch, and the batch's OOV token rate."""
    return np.asarray(model.predict_proba(texts), dtype=float), float(model.oov_rate(texts))


async def analyse_with_retries(
    analyse_batch: Callable[[], Awaitable[Analysis]], expected: int, retries: int
) -> Analysis:
    """Call the model, retrying on failure; the last error propagates."""
    for attempt in range(retries + 1):
        try:
            analysis = await analyse_batch()
            if (got := len(analysis.scores)) != expected:
                raise ValueError(f"model returned {got} scores for {expected} texts")
            return analysis
        except Exception:
            if attempt == retries:
                raise
    raise AssertionError("unreachable")


def model_failure_letters(
    batch: ParsedBatch,
    error: Exception,
    max_bytes: int = DEADLETTER_MAX_BYTES,
    reason: str = "model_error",
) -> list[DeadLetter]:
    """Dead letters for a batch's tweets that could not be scored or published, one each."""
    failure = InvalidRecord(reason, f"{type(error).__name__}: {error}")
    return [
        dead_letter(raw, failure, origin, max_bytes)
        for raw, origin in zip(batch.raws, batch.origins, strict=True)
    ]


def predict_response(text: str, score: float, version: str) -> dict[str, object]:
    """The /predict contract (the seed's, extended)."""
    label, confidence = label_of(score)
    return {
        "sentiment": SENTIMENT_FR[label],
        "label": label,
        "confidence": round(confidence, 6),
        "score": round(score, 6),
        "model_version": version,
    }


def needs_review(score: float, band: tuple[float, float] = (0.4, 0.6)) -> bool:
    """True when the positive probability is too uncertain to trust: low <= score <= high."""
    low, high = band
    if not 0.0 <= low <= high <= 1.0:
        raise ValueError(f"review band: need 0 <= low <= high <= 1, got {band}")
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"score: must be within [0, 1], got {score!r}")
    return low <= score <= high
