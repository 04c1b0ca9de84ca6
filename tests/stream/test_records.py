"""Event contracts: valid records round-trip, malformed ones fail naming the field and why."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stream.records import (
    Alert,
    DeadLetter,
    Feedback,
    InputLimits,
    InvalidRecord,
    RawTweet,
    Record,
    ScoredTweet,
    parse_raw_tweet,
    too_deep,
)
from stream.scoring import Origin, parse_batch

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
        parse_raw_tweet(payload, 280)
    assert error.value.reason == reason
    assert mentions in error.value.message


def test_parse_raw_tweet_accepts_numeric_ids_and_naive_times() -> None:
    tweet = parse_raw_tweet(raw_bytes(id=123, created_at="2026-01-02T03:04:05"), 280)
    assert tweet.id == "123"
    assert tweet.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_raw_tweet(raw_bytes(text="x" * 280), 280).text == "x" * 280


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


# --- hostile input: every payload gets a reason, nothing escapes the parser ----------------


def with_created_at(value: Any) -> bytes:
    return json.dumps({"id": "1", "text": "hi", "created_at": value}).encode()


NESTED = b'{"id": "1", "text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
HOSTILE = [
    (b"[" * 100_000, "too_deep", "deeper than 16"),  # the payload that crashed the worker
    (NESTED, "too_deep", "deeper than 16"),
    (b'{"a": ' * 20 + b"1" + b"}" * 20, "too_deep", "deeper than 16"),
    (b"x" * 262_145, "oversize_payload", "262145 bytes"),
    (b"", "malformed_json", "Expecting value"),
    (b"\xef\xbb\xbf{}", "malformed_json", "line 1 column 1"),  # a BOM
    (b'"just a string"', "malformed_json", "got str"),
    (b"null", "malformed_json", "got NoneType"),
    (b'{"id": "1", "text": "hi", "id": "2"}', "duplicate_key", "'id' appears twice"),
    (raw_bytes(text="{" * 100).replace(b"}", b', "text": "evil"}'), "duplicate_key", "'text'"),
    (raw_bytes(tags=[]).replace(b"[]", b"NaN"), "invalid_number", "NaN"),
    (raw_bytes(tags=[]).replace(b"[]", b"-Infinity"), "invalid_number", "-Infinity"),
    (raw_bytes(tags=[]).replace(b"[]", b"[1e999]"), "invalid_field", "field 'tags.0'"),  # inf
    (raw_bytes(id=0).replace(b": 0", b": 1e999"), "invalid_field", "field 'id'"),
    (raw_bytes(id=0).replace(b": 0", b": " + b"9" * 5000), "invalid_number", "5000 digits"),
    (raw_bytes(text="\ud800 lone"), "bad_encoding", "field 'text': unpaired surrogate"),
    (raw_bytes(tags=["\udfff"]), "bad_encoding", "unpaired surrogate"),
    (b'{"id": "1", "text": "\x00\x01"}', "malformed_json", "Invalid control character"),
    (b'{"id": "1", "text": "caf\xc3"}', "bad_encoding", "byte"),
    (raw_bytes(text={"nested": "object"}), "invalid_text", "got dict"),
    (raw_bytes(text=12), "invalid_text", "got int"),
    (raw_bytes(id=True), "invalid_field", "field 'id'"),
    (raw_bytes(id="x" * 65), "invalid_field", "field 'id'"),
    (raw_bytes(user=["a"]), "invalid_field", "field 'user'"),
    (raw_bytes(tags="#notalist"), "invalid_field", "field 'tags'"),
    (raw_bytes(schema_version="1"), "unknown_schema_version", "'1' is not 1"),
    (with_created_at(1_700_000_000), "invalid_field", "ISO 8601 string, got int"),
    (with_created_at(None), "invalid_field", "field 'created_at'"),
    (with_created_at(["2026"]), "invalid_field", "got list"),
    (with_created_at("0001-01-01T00:00:00+14:00"), "invalid_field", "[2000, 2100)"),
    (with_created_at("9999-12-31T23:59:59-23:59"), "invalid_field", "beyond ±18:00"),
    (with_created_at("2026-01-02T03:04:05+23:00"), "invalid_field", "+2300 beyond ±18:00"),
    (with_created_at("2150-01-01T00:00:00Z"), "invalid_field", "[2000, 2100)"),
    (with_created_at("1999-12-31T23:59:59Z"), "invalid_field", "[2000, 2100)"),
    (with_created_at("2026-02-30T00:00:00Z"), "invalid_field", "field 'created_at'"),
    (with_created_at("2026-01-02T03:04:05" + "9" * 10_000), "invalid_field", "created_at"),
]


@pytest.mark.parametrize("payload, reason, mentions", HOSTILE, ids=[h[1] for h in HOSTILE])
def test_hostile_payloads_get_a_reason(payload: bytes, reason: str, mentions: str) -> None:
    with pytest.raises(InvalidRecord) as error:
        parse_raw_tweet(payload, 280)
    assert error.value.reason == reason
    assert mentions in error.value.message


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    text = "[[[{{{" * 100 + ' ]]]}}} \\" [[[ \\'  # its quotes and backslashes escaped in JSON
    assert parse_raw_tweet(raw_bytes(text=text), 10_000).text == text
    assert too_deep(b'["' + b"[" * 50 + b'"]', 16) is False
    assert too_deep(b'["\\"' + b"[" * 50, 16) is False  # an unterminated string: one token
    assert too_deep(b"[" * 17, 16) is True and too_deep(b"[" * 16, 16) is False


@pytest.mark.parametrize(
    "payload",
    [
        b"[]" * 131_000,
        b"[" * 262_000,
        b"[" * 15 + b"[]" * 131_000,
        b"[" + b"{}," * 87_000 + b"{}]",
        b"[" + b"1," * 131_000 + b"1]",
        b"[" + b'"",' * 87_000 + b'""]',
        b"[}" * 131_000,
    ],
    ids=["pairs", "openers", "deep-then-pairs", "objects", "numbers", "strings", "mismatched"],
)
def test_the_costliest_payloads_parse_in_bounded_time(payload: bytes) -> None:
    """Within a few times json.loads of a flat list of the same size (Python loops: 0.5 s)."""
    import time

    def best_of_three(parse: Any) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            with contextlib.suppress(InvalidRecord):
                parse()
            times.append(time.perf_counter() - started)
        return min(times)

    with pytest.raises(InvalidRecord):
        parse_raw_tweet(payload, 280)
    flat = b"[" + b"0," * (len(payload) // 2 - 1) + b"0]"
    ours = best_of_three(lambda: parse_raw_tweet(payload, 280))
    plain = best_of_three(lambda: json.loads(flat))
    assert ours < 4 * plain + 0.05, f"{ours * 1e3:.0f} ms, json.loads {plain * 1e3:.0f} ms"


def test_edge_times_inside_the_range_are_accepted() -> None:
    for value, utc in [
        ("2000-01-01T00:00:00Z", datetime(2000, 1, 1, tzinfo=UTC)),
        ("2099-12-31T23:59:59+00:00", datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)),
        ("2026-01-02T03:04:05-18:00", datetime(2026, 1, 2, 21, 4, 5, tzinfo=UTC)),
    ]:
        assert parse_raw_tweet(with_created_at(value), 280).created_at == utc


def letter_for(raw: bytes, max_bytes: int = 131_072) -> DeadLetter:
    error = InvalidRecord("oversize_text", "field 'text': too long")
    return DeadLetter.for_payload(raw, error, "tweets.raw", 0, 1, max_bytes)


def test_small_payloads_are_kept_whole_with_size_and_hash() -> None:
    raw = b'{"text": "\xff\x00"}'
    letter = letter_for(raw)
    assert not letter.payload_truncated and letter.payload_size == len(raw)
    assert base64.b64decode(letter.payload_base64) == raw
    assert letter.payload_sha256 == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize(
    "raw",
    [
        b"a" * 900_000,  # under the broker's 1 MB: the letter used to be text + base64 = 2.1 MB
        b"\x01" * 300_000,  # every byte escaped as \u0001 in the letter's JSON (6 bytes)
        b"\xff" * 300_000,  # every byte escaped as \xff, then its backslash escaped
        "é🛫".encode() * 50_000,
    ],
    ids=["ascii", "control", "invalid-utf8", "multibyte"],
)
def test_large_payloads_are_truncated_to_fit_the_bound(raw: bytes) -> None:
    letter = letter_for(raw, max_bytes=65_536)
    assert len(letter.to_json()) <= 65_536
    assert letter.payload_truncated and letter.payload_size == len(raw)
    kept = base64.b64decode(letter.payload_base64)
    assert kept and raw.startswith(kept)
    assert letter.payload_sha256 == hashlib.sha256(raw).hexdigest()
    assert DeadLetter.from_json(letter.to_json()) == letter


def test_a_hostile_error_message_is_bounded_and_encodable() -> None:
    error = InvalidRecord("x" * 500, "\ud800" * 50_000)
    letter = DeadLetter.for_payload(b"{}", error, "tweets.raw", 0, 1, 16_384)
    assert len(letter.to_json()) <= 16_384 and len(letter.reason) <= 64


LIMITS = InputLimits(max_text_chars=280, deadletter_max_bytes=16_384)
VALID_TWEET = raw_bytes(text="Flight delayed again @AirParadis #fail", tags=["#fail"])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


@st.composite
def hostile_bytes(draw: st.DrawFn) -> bytes:
    """Arbitrary bytes, JSON of any shape, and valid tweets with a field swapped or mangled."""
    kind = draw(st.sampled_from(["bytes", "json", "tweet", "spliced"]))
    if kind == "bytes":
        return draw(st.binary(max_size=2_000))
    if kind == "json":
        return json.dumps(draw(JSON_VALUES), allow_nan=True).encode()
    field = draw(st.sampled_from(["id", "text", "created_at", "user", "lang", "tags", "extra"]))
    tweet = {**RAW, "tags": ["#fail"], field: draw(JSON_VALUES | st.text(max_size=300))}
    encoded = json.dumps(tweet, allow_nan=True).encode()
    if kind == "spliced":  # raw bytes, brackets or a truncation dropped into valid JSON
        at = draw(st.integers(0, len(encoded)))
        noise = draw(st.binary(max_size=20) | st.sampled_from([b"[" * 5_000, b"{", b"\\"]))
        return encoded[:at] + noise + encoded[at:]
    return encoded


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads=st.lists(hostile_bytes() | st.none() | st.just(VALID_TWEET), max_size=6))
def test_fuzz_every_payload_is_a_tweet_or_a_bounded_dead_letter(
    payloads: list[bytes | None],
) -> None:
    origins = [Origin("tweets.raw", 0, offset, 0.0) for offset in range(len(payloads))]
    batch = parse_batch(list(zip(payloads, origins, strict=True)), LIMITS)  # never raises
    accounted = sorted([o.offset for o in batch.origins] + [d.offset for d in batch.dead])
    assert accounted == list(range(len(payloads)))  # each exactly once
    for letter in batch.dead:
        assert letter.reason and letter.message
        assert len(letter.to_json()) <= LIMITS.deadletter_max_bytes
        original = payloads[letter.offset] or b""
        assert letter.payload_sha256 == hashlib.sha256(original).hexdigest()
    for tweet in batch.tweets:
        assert RawTweet.from_json(tweet.to_json()) == tweet  # serializable: publishable


def test_settings_keep_dead_letters_and_scored_events_under_the_producers_limit() -> None:
    from pydantic import ValidationError as SettingsError

    from stream.settings import Settings

    def settings(message_max_bytes: int, **limits: int) -> Settings:
        return Settings(
            _env_file=None, kafka={"message_max_bytes": message_max_bytes}, limits=limits
        )  # type: ignore[call-arg]

    with pytest.raises(SettingsError, match="deadletter_max_bytes"):
        settings(100_000, deadletter_max_bytes=99_500)
    with pytest.raises(SettingsError, match="max_payload_bytes"):
        settings(266_000, deadletter_max_bytes=65_536)
    fits = settings(300_000, max_payload_bytes=262_144)
    assert fits.limits.deadletter_max_bytes == 131_072
