"""Event contracts: the JSON records producers and downstream consumers rely on.

Defined once (pydantic), validated everywhere: producers, agents and tests. Every record
carries `schema_version`; see docs/events.md for an example of each.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SCHEMA_VERSION = 1
Label = Literal["negative", "positive"]
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # `created_at` outside these: invalid_field
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_UTC_OFFSET = timedelta(hours=18)
DEADLETTER_MAX_BYTES = 131_072  # default bound on a serialized dead letter (a setting)
DEADLETTER_OVERHEAD_BYTES = 8_192  # a letter's fields besides the payload, escapes included
MAX_MESSAGE_CHARS = 1_000
MAX_REASON_CHARS = 64


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

    @field_validator("created_at", mode="before")
    @classmethod
    def _time_is_text(cls, value: Any) -> Any:
        if not isinstance(value, str | datetime):  # numbers would be read as epoch seconds
            raise ValueError(f"must be an ISO 8601 string, got {type(value).__name__}")
        return value

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        offset = value.utcoffset() or timedelta()
        if abs(offset) > MAX_UTC_OFFSET:
            raise ValueError(f"UTC offset {value:%z} beyond ±18:00")
        if not EARLIEST <= value < LATEST:
            raise ValueError(f"must fall in [{EARLIEST.year}, {LATEST.year})")
        return value


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
    """`tweets.deadletter`: an input that could not be scored, and why.

    Always fits `max_bytes` once serialized: a payload too large for that keeps its first
    bytes, with `payload_truncated` set, its full size and its SHA-256 (docs/events.md).
    """

    payload: str = Field(description="original bytes (or their first), backslash escapes")
    payload_base64: str
    payload_size: int | None = Field(None, ge=0, description="original size in bytes")
    payload_sha256: str | None = None
    payload_truncated: bool = False
    reason: str
    message: str
    source_topic: str
    partition: int
    offset: int
    failed_at: datetime = Field(default_factory=utcnow)

    @classmethod
    def for_payload(
        cls,
        raw: bytes,
        error: InvalidRecord,
        topic: str,
        partition: int,
        offset: int,
        max_bytes: int = DEADLETTER_MAX_BYTES,
    ) -> DeadLetter:
        fields = {
            "payload_size": len(raw),
            "payload_sha256": hashlib.sha256(raw).hexdigest(),
            "reason": error.reason[:MAX_REASON_CHARS],
            "message": _printable(error.message)[:MAX_MESSAGE_CHARS],
            "source_topic": topic,
            "partition": partition,
            "offset": offset,
        }
        if len(raw) * 8 + DEADLETTER_OVERHEAD_BYTES <= max_bytes:  # fits, whatever the escapes
            return cls._with_payload(raw, fields, truncated=False)
        if len(raw) * 7 // 3 < max_bytes:  # may fit (each byte takes at least 1 + 4/3): measure
            letter = cls._with_payload(raw, fields, truncated=False)
            if len(letter.to_json()) <= max_bytes:
                return letter
        overhead = len(cls._with_payload(b"", fields, truncated=True).to_json())
        keep = max(0, (max_bytes - overhead) // 8)  # an escaped byte: at most 6 + 4/3 bytes
        return cls._with_payload(raw[:keep], fields, truncated=True)

    @classmethod
    def _with_payload(cls, kept: bytes, fields: dict[str, Any], truncated: bool) -> DeadLetter:
        return cls(
            payload=kept.decode("utf-8", errors="backslashreplace"),
            payload_base64=base64.b64encode(kept).decode("ascii"),
            payload_truncated=truncated,
            **fields,
        )


def _printable(message: str) -> str:
    """Lone surrogates (from a hostile payload) cannot be encoded: escape them."""
    return message.encode("utf-8", errors="backslashreplace").decode("utf-8")


class InputLimits(BaseModel):
    """Bounds applied to every raw record before and while it is decoded (`Settings.limits`,
    read from `AIRPARADIS_<FIELD>`: `AIRPARADIS_MAX_TEXT_CHARS`, ...)."""

    model_config = ConfigDict(frozen=True)

    max_text_chars: int = Field(10_000, ge=1)
    max_payload_bytes: int = Field(262_144, ge=1_024)  # larger raw records: dead letters
    max_json_depth: int = Field(16, ge=2)  # deeper raw records: dead letters
    deadletter_max_bytes: int = Field(DEADLETTER_MAX_BYTES, ge=16_384)  # truncated to fit


def parse_raw_tweet(raw: bytes, limits: InputLimits | int) -> RawTweet:
    """Decode and validate one `tweets.raw` value; raise InvalidRecord with a reason code.

    `limits` as an int: the text limit, other bounds at their defaults."""
    if isinstance(limits, int):
        limits = InputLimits(max_text_chars=limits)
    data = decode_json_object(raw, limits.max_payload_bytes, limits.max_json_depth)
    _check_text(data, limits.max_text_chars)
    try:
        return RawTweet.model_validate(data)
    except ValidationError as exc:
        raise _contract_error(exc) from None


def decode_json_object(raw: bytes, max_bytes: int, max_depth: int) -> dict[str, Any]:
    """One JSON object from hostile bytes: bounded size and depth, strict numbers, unique
    keys, encodable strings. Raises InvalidRecord, nothing else it foresees."""
    if len(raw) > max_bytes:
        raise InvalidRecord("oversize_payload", f"{len(raw)} bytes, limit {max_bytes}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRecord(
            "bad_encoding", f"payload is not UTF-8 ({exc.reason} at byte {exc.start})"
        ) from None
    if too_deep(raw, max_depth):
        raise InvalidRecord("too_deep", f"JSON nested deeper than {max_depth} levels")
    try:
        data = _decode(text, raw)
    except json.JSONDecodeError as exc:
        raise InvalidRecord(
            "malformed_json", f"{exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except InvalidRecord:
        raise
    except ValueError as exc:  # an integer over Python's 4,300 digits
        raise InvalidRecord("invalid_number", str(exc)[:200]) from None
    if not isinstance(data, dict):
        raise InvalidRecord("malformed_json", f"expected a JSON object, got {type(data).__name__}")
    if b"\\u" in raw:  # only a \uXXXX escape can produce an unpaired surrogate
        _check_encodable(data)
    return data


# A JSON string, even unterminated (so the scan never backtracks).
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_PAIRS = (b"[]", b"{}", b"[}", b"{]")


def too_deep(raw: bytes, max_depth: int) -> bool:
    """Does the JSON text nest arrays/objects deeper than `max_depth`? No decoding.

    Of the brackets outside strings, innermost pairs are removed in C, each `replace` one
    level at most: a rest shorter than `max_depth` minus the replaces done is shallow
    enough; else an exact count, which stops at the first level too deep."""
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return False
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    rest = brackets
    for done in range(1, max_depth + 1):
        rest = rest.replace(_PAIRS[done % 4], b"").lstrip(b"]}")  # leading closers nest nothing
        if done + len(rest) <= max_depth:
            return False
    depth = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            if depth > max_depth:
                return True
        elif depth:
            depth -= 1
    return False


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) < len(pairs):
        counts = Counter(key for key, _ in pairs)
        duplicate = next(key for key, count in counts.items() if count > 1)
        raise InvalidRecord("duplicate_key", f"key {_printable(duplicate)[:64]!r} appears twice")
    return data


def _no_constant(name: str) -> Any:
    raise InvalidRecord("invalid_number", f"{name} is not a JSON number")


# Numbers parsed in C (no Python hook per number: docs/stream.md, hostile input);
# 1e999 decodes to inf, which no RawTweet field accepts.
_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_no_constant)
_PLAIN_DECODER = json.JSONDecoder(parse_constant=_no_constant)
HOOKED_MAX_BRACES = 64


def _decode(text: str, raw: bytes) -> Any:
    """Decode, refusing duplicate keys. The key check is a Python call per object: a payload
    of many braces is decoded in C first, and checked only if it is one object after all."""
    if raw.count(b"{") <= HOOKED_MAX_BRACES:
        return _DECODER.decode(text)
    data = _PLAIN_DECODER.decode(text)
    if isinstance(data, dict) and not any(map(_nests, data.values())):
        return _DECODER.decode(text)  # its braces were in strings
    return data  # objects inside: no contract field takes one, validation refuses it


def _nests(value: Any) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and any(isinstance(item, dict | list) for item in value)
    )


def _check_encodable(value: Any, where: str = "<record>") -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidRecord(
                "bad_encoding", f"field '{where}': unpaired surrogate escape"
            ) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_encodable(key, where)
            _check_encodable(item, key if where == "<record>" else f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_encodable(item, f"{where}.{i}")


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
