"""Event contracts: the JSON records producers and downstream consumers rely on.

Defined once (pydantic), validated everywhere: producers, agents and tests. Every record
carries `schema_version`; see docs/events.md for an example of each.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SCHEMA_VERSION = 1
Label = Literal["negative", "positive"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class InvalidRecord(ValueError):
    """A record that breaks its contract. `reason` is a stable code, `message` names the field."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


class Record(BaseModel):
    """Base of every contract: strict about unknown fields, JSON in and out."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, data: bytes | str) -> Self:
        """Parse and validate; raises InvalidRecord naming the field and the problem."""
        try:
            return cls.model_validate_json(data)
        except ValidationError as exc:
            raise _contract_error(exc) from None


def _contract_error(exc: ValidationError) -> InvalidRecord:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "<record>"
    kind = error["type"]
    reasons = {
        "json_invalid": "malformed_json",
        "missing": f"missing_{field}",
        "extra_forbidden": "unknown_field",
        "literal_error": "unknown_schema_version" if field == "schema_version" else "invalid_field",
    }
    reason = reasons.get(kind, "invalid_field")
    return InvalidRecord(reason, f"field '{field}': {error['msg']}")


class RawTweet(Record):
    """`tweets.raw`: what producers publish."""

    id: str = Field(min_length=1, max_length=64)
    text: str
    created_at: datetime
    user: str | None = None
    lang: str | None = None
    tags: list[str] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_string(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("text", mode="before")
    @classmethod
    def _text_is_string(cls, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError(f"must be a string, got {type(value).__name__}")
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)


class ScoredTweet(RawTweet):
    """`tweets.scored`: the raw fields plus the model's verdict."""

    label: Label
    score: float = Field(ge=0.0, le=1.0, description="probability of positive")
    confidence: float = Field(ge=0.5, le=1.0)
    model_name: str
    model_version: str
    scored_at: datetime
    latency_s: float = Field(ge=0.0, description="created_at/consumed to scored, seconds")
    oov_rate: float | None = Field(None, ge=0.0, le=1.0)


class Alert(Record):
    """`alerts`: a raised or resolved incident."""

    alert_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    # bad_buzz, drift, accuracy, error_rate or a newer kind. A plain str: a `Literal | str`
    # union reported type errors under a confusing "kind.literal[...]" location.
    kind: str = Field(min_length=1)
    scope: str
    window_start: datetime | None = None
    window_end: datetime | None = None
    metric: str
    threshold: float
    observed: float
    severity: Literal["info", "warning", "critical"] = "warning"
    status: Literal["raised", "resolved"] = "raised"
    message: str
    raised_at: datetime = Field(default_factory=utcnow)


class Feedback(Record):
    """`tweets.feedback`: a human (or downstream) verdict on a scored tweet."""

    tweet_id: str = Field(min_length=1)
    predicted_label: Label | None = None
    true_label: Label
    source: str = "unknown"
    # Optional: the tweet itself, so the label store can train on it (stream.labels)
    text: str | None = None
    created_at: datetime | None = None
    labelled_at: datetime | None = None
    model_version: str | None = None
    score: float | None = Field(None, ge=0.0, le=1.0)


class DeadLetter(Record):
    """`tweets.deadletter`: an input that could not be scored, and why."""

    payload: str = Field(description="original bytes, decoded with backslash escapes")
    payload_base64: str
    reason: str
    message: str
    source_topic: str
    partition: int
    offset: int
    failed_at: datetime = Field(default_factory=utcnow)

    @classmethod
    def for_payload(
        cls, raw: bytes, error: InvalidRecord, topic: str, partition: int, offset: int
    ) -> DeadLetter:
        return cls(
            payload=raw.decode("utf-8", errors="backslashreplace"),
            payload_base64=base64.b64encode(raw).decode("ascii"),
            reason=error.reason,
            message=error.message,
            source_topic=topic,
            partition=partition,
            offset=offset,
        )


def parse_raw_tweet(raw: bytes, max_chars: int) -> RawTweet:
    """Decode and validate one `tweets.raw` value; raise InvalidRecord with a reason code."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRecord(
            "bad_encoding", f"payload is not UTF-8 ({exc.reason} at byte {exc.start})"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRecord(
            "malformed_json", f"{exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise InvalidRecord("malformed_json", f"expected a JSON object, got {type(data).__name__}")
    _check_text(data, max_chars)
    try:
        return RawTweet.model_validate(data)
    except ValidationError as exc:
        raise _contract_error(exc) from None


def _check_text(data: dict[str, Any], max_chars: int) -> None:
    if data.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise InvalidRecord(
            "unknown_schema_version",
            f"field 'schema_version': {data['schema_version']!r} is not {SCHEMA_VERSION}",
        )
    if "text" not in data or data["text"] is None:
        raise InvalidRecord("missing_text", "field 'text': required")
    if not isinstance(data["text"], str):
        raise InvalidRecord(
            "invalid_text", f"field 'text': must be a string, got {type(data['text']).__name__}"
        )
    if not data["text"].strip():
        raise InvalidRecord("empty_text", "field 'text': must not be empty")
    if len(data["text"]) > max_chars:
        raise InvalidRecord(
            "oversize_text", f"field 'text': {len(data['text'])} characters, limit {max_chars}"
        )
