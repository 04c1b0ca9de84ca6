"""Event contracts: valid records round-trip, malformed ones fail naming the field and why."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from stream.records import (
    Alert,
    DeadLetter,
    Feedback,
    InvalidRecord,
    RawTweet,
    Record,
    ScoredTweet,
    parse_raw_tweet,
)

NOW = "2026-01-02T03:04:05+00:00"
RAW = {"id": "42", "text": "Lost my bag again", "created_at": NOW}
SCORED = {
    **RAW,
    "label": "negative",
    "score": 0.1,
    "confidence": 0.9,
    "model_name": "air-paradis-lstm",
    "model_version": "3",
    "scored_at": NOW,
    "latency_s": 0.02,
}
ALERT = {
    "kind": "bad_buzz",
    "scope": "airline:airparadis",
    "metric": "window_negative_ratio",
    "threshold": 0.6,
    "observed": 0.8,
    "message": "negative ratio 0.80 over 0.60",
}
FEEDBACK = {"tweet_id": "42", "true_label": "positive"}
DEADLETTER = {
    "payload": "{oops",
    "payload_base64": "e29vcHM=",
    "reason": "malformed_json",
    "message": "Expecting property name",
    "source_topic": "tweets.raw",
    "partition": 0,
    "offset": 7,
}

# (contract, valid example, field to break, bad value, expected reason)
MALFORMED = [
    (RawTweet, RAW, "created_at", "yesterday", "invalid_field"),
    (RawTweet, RAW, "id", "", "invalid_field"),
    (ScoredTweet, SCORED, "score", 1.5, "invalid_field"),
    (ScoredTweet, SCORED, "label", "neutral", "invalid_field"),
    (ScoredTweet, SCORED, "confidence", 0.2, "invalid_field"),
    (Alert, ALERT, "severity", "apocalyptic", "invalid_field"),
    (Alert, ALERT, "kind", 5, "invalid_field"),
    (Feedback, FEEDBACK, "true_label", "meh", "invalid_field"),
    (Feedback, FEEDBACK, "tweet_id", "", "invalid_field"),
    (DeadLetter, DEADLETTER, "offset", "seven", "invalid_field"),
    (RawTweet, RAW, "schema_version", 2, "unknown_schema_version"),
]


@pytest.mark.parametrize(
    "contract, example",
    [
        (RawTweet, RAW),
        (ScoredTweet, SCORED),
        (Alert, ALERT),
        (Feedback, FEEDBACK),
        (DeadLetter, DEADLETTER),
    ],
)
def test_valid_examples_round_trip(contract: type[Record], example: dict[str, Any]) -> None:
    record = contract.from_json(json.dumps(example))
    assert record.schema_version == 1
    assert contract.from_json(record.to_json()) == record


@pytest.mark.parametrize("contract, example, field, value, reason", MALFORMED)
def test_malformed_field_is_named(
    contract: type[Record], example: dict[str, Any], field: str, value: Any, reason: str
) -> None:
    with pytest.raises(InvalidRecord) as error:
        contract.from_json(json.dumps({**example, field: value}))
    assert error.value.reason == reason
    assert error.value.message.startswith(f"field '{field}':")


@pytest.mark.parametrize(
    "contract, example, field",
    [
        (RawTweet, RAW, "text"),
        (ScoredTweet, SCORED, "model_version"),
        (Alert, ALERT, "metric"),
        (Feedback, FEEDBACK, "true_label"),
        (DeadLetter, DEADLETTER, "source_topic"),
    ],
)
def test_missing_required_field_is_named(
    contract: type[Record], example: dict[str, Any], field: str
) -> None:
    incomplete = {key: value for key, value in example.items() if key != field}
    with pytest.raises(InvalidRecord) as error:
        contract.from_json(json.dumps(incomplete))
    assert error.value.reason == f"missing_{field}"
    assert f"field '{field}'" in error.value.message


@pytest.mark.parametrize(
    "contract, example", [(RawTweet, RAW), (Alert, ALERT), (Feedback, FEEDBACK)]
)
def test_unknown_field_is_rejected(contract: type[Record], example: dict[str, Any]) -> None:
    with pytest.raises(InvalidRecord) as error:
        contract.from_json(json.dumps({**example, "colour": "red"}))
    assert error.value.reason == "unknown_field"
    assert "field 'colour'" in error.value.message


def test_nested_field_location_is_dotted() -> None:
    with pytest.raises(InvalidRecord, match=r"field 'tags\.1'"):
        RawTweet.from_json(json.dumps({**RAW, "tags": ["#ok", 3]}))


def test_deadletter_keeps_the_original_bytes() -> None:
    raw = b'{"text": "\xff"}'
    error = InvalidRecord("bad_encoding", "payload is not UTF-8")
    letter = DeadLetter.for_payload(raw, error, "tweets.raw", partition=2, offset=9)
    assert (letter.reason, letter.source_topic, letter.partition, letter.offset) == (
        "bad_encoding",
        "tweets.raw",
        2,
        9,
    )
    assert letter.payload == '{"text": "\\xff"}'
    assert base64.b64decode(DeadLetter.from_json(letter.to_json()).payload_base64) == raw


def raw_bytes(**fields: Any) -> bytes:
    return json.dumps({**RAW, **fields}).encode()


def without_text() -> bytes:
    return json.dumps({"id": "1", "created_at": NOW}).encode()


@pytest.mark.parametrize(
    "payload, reason, mentions",
    [
        (b'{"id": "1", "text": "late', "malformed_json", "line 1"),
        (b"[1, 2]", "malformed_json", "JSON object"),
        (b'{"id": "1", "text": "caf\xe9"}', "bad_encoding", "byte"),
        (without_text(), "missing_text", "field 'text'"),
        (raw_bytes(text=None), "missing_text", "field 'text'"),
        (raw_bytes(text="   \n"), "empty_text", "field 'text'"),
        (raw_bytes(text=["not", "a", "string"]), "invalid_text", "got list"),
        (raw_bytes(text="x" * 281), "oversize_text", "281 characters, limit 280"),
        (raw_bytes(schema_version=2), "unknown_schema_version", "field 'schema_version'"),
        (raw_bytes(retweets=3), "unknown_field", "field 'retweets'"),
        (raw_bytes(created_at="soon"), "invalid_field", "field 'created_at'"),
        (json.dumps({"text": "hi", "created_at": NOW}).encode(), "missing_id", "field 'id'"),
    ],
)
def test_parse_raw_tweet_reason_codes(payload: bytes, reason: str, mentions: str) -> None:
    with pytest.raises(InvalidRecord) as error:
        parse_raw_tweet(payload, max_chars=280)
    assert error.value.reason == reason
    assert mentions in error.value.message


def test_parse_raw_tweet_accepts_numeric_ids_and_naive_times() -> None:
    tweet = parse_raw_tweet(raw_bytes(id=123, created_at="2026-01-02T03:04:05"), max_chars=280)
    assert tweet.id == "123"
    assert tweet.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_raw_tweet(raw_bytes(text="x" * 280), max_chars=280).text == "x" * 280


DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def documented_examples() -> list[tuple[str, str]]:
    """(contract name, JSON example) for each `## Name — topic` section of docs/events.md."""
    sections = re.split(r"^## ", DOCS.read_text(), flags=re.MULTILINE)[1:]
    found = []
    for section in sections:
        name = section.split()[0]
        found += [(name, block) for block in re.findall(r"```json\n(.*?)```", section, re.S)]
    return found


def test_every_contract_has_a_valid_documented_example() -> None:
    contracts = {c.__name__: c for c in (RawTweet, ScoredTweet, Alert, Feedback, DeadLetter)}
    examples = documented_examples()
    assert sorted(name for name, _ in examples) == sorted(contracts)
    for name, example in examples:
        record = contracts[name].from_json(example)
        assert record.model_dump(mode="json") == json.loads(example)
        if isinstance(record, DeadLetter):
            assert base64.b64decode(record.payload_base64).decode() == record.payload
