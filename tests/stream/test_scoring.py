import asyncio
import json
from datetime import UTC, datetime

import numpy as np
import pytest

from stream.alerts.scopes import ScopeConfig, ScopeSettings
from stream.records import InputLimits, ScoredTweet
from stream.scoring import (
    Analysis,
    Origin,
    analyse,
    analyse_with_retries,
    label_of,
    model_failure_letters,
    parse_batch,
    predict_response,
    scored_events,
)

ORIGIN = Origin("tweets.raw", 2, 41, 1_700_000_000.0)
LIMITS = InputLimits(max_text_chars=100)


def raw(**fields: object) -> bytes:
    base = {"id": "t1", "text": "delayed again @AirParadis", "created_at": "2026-11-26T10:00:00Z"}
    return json.dumps({**base, **fields}).encode()


def test_parse_batch_separates_valid_and_dead_with_reasons() -> None:
    payloads = [
        (raw(), ORIGIN),
        (b"{not json", Origin("tweets.raw", 0, 7, 0.0)),
        (raw(text=""), ORIGIN),
        (b"\xff\xfe", ORIGIN),
        (None, ORIGIN),
        (raw(colour="blue"), ORIGIN),
    ]
    batch = parse_batch(payloads, LIMITS)
    assert [t.id for t in batch.tweets] == ["t1"]
    assert [d.reason for d in batch.dead] == [
        "malformed_json",
        "empty_text",
        "bad_encoding",
        "empty_payload",
        "unknown_field",
    ]
    assert batch.dead[0].partition == 0 and batch.dead[0].offset == 7
    assert batch.dead[0].payload == "{not json"


def test_oversize_text_is_dead_lettered() -> None:
    batch = parse_batch([(raw(text="x" * 101), ORIGIN)], LIMITS)
    assert batch.dead[0].reason == "oversize_text" and "101" in batch.dead[0].message


@pytest.mark.parametrize(
    ("score", "label", "confidence"),
    [(0.9, "positive", 0.9), (0.2, "negative", 0.8), (0.5, "positive", 0.5)],
)
def test_label_and_confidence(score: float, label: str, confidence: float) -> None:
    assert label_of(score) == (label, pytest.approx(confidence))


def test_scored_events_carry_model_and_latency() -> None:
    batch = parse_batch([(raw(id="a"), ORIGIN), (raw(id="b"), ORIGIN)], LIMITS)
    now = datetime.fromtimestamp(ORIGIN.timestamp + 0.25, UTC)
    events = scored_events(batch, np.array([0.1, 0.7]), 0.05, ("air-paradis-lstm", "3"), now)
    assert [(e.id, e.label) for e in events] == [("a", "negative"), ("b", "positive")]
    assert events[0].model_version == "3" and events[0].latency_s == pytest.approx(0.25)
    assert ScoredTweet.from_json(events[1].to_json()) == events[1]


def test_retries_then_succeeds_and_last_error_propagates() -> None:
    calls = []

    async def flaky() -> Analysis:
        calls.append(1)
        if len(calls) < 2:
            raise RuntimeError("boom")
        return Analysis(np.full(2, 0.5), 0.0, [])

    analysis = asyncio.run(analyse_with_retries(flaky, expected=2, retries=2))
    assert len(analysis.scores) == 2 and len(calls) == 2

    async def broken() -> Analysis:
        raise RuntimeError("always")

    with pytest.raises(RuntimeError, match="always"):
        asyncio.run(analyse_with_retries(broken, expected=1, retries=1))


def test_wrong_number_of_scores_is_a_failure() -> None:
    async def short() -> Analysis:
        return Analysis(np.array([0.5]), 0.0, [])

    with pytest.raises(ValueError, match="1 scores for 2 texts"):
        asyncio.run(analyse_with_retries(short, expected=2, retries=0))


class KeywordModel:
    """Scores 0.9 when a text says 'love', else 0.2; every token known."""

    def predict_proba(self, texts):
        return np.array([0.9 if "love" in text else 0.2 for text in texts])

    def oov_rate(self, texts):
        return 0.0


def test_analyse_scores_and_finds_scopes_of_each_text() -> None:
    texts = ["love @AirParadis", "my bag is lost #fail"]
    scopes = ScopeConfig.of(ScopeSettings())
    analysis = analyse(KeywordModel(), texts, [[], ["airline:delta"]], scopes)
    assert analysis.scores.tolist() == [0.9, 0.2]
    first, second = analysis.found
    assert first.entities == (("airline", "airparadis"),) and first.aspects == ()
    assert ("airline", "delta") in second.entities and ("tag", "fail") in second.entities
    assert second.aspects == ("baggage",)


def test_model_failure_dead_letters_keep_the_original_payload() -> None:
    batch = parse_batch([(raw(id="a"), ORIGIN)], LIMITS)
    [letter] = model_failure_letters(batch, RuntimeError("nan"))
    assert letter.reason == "model_error" and "nan" in letter.message
    assert json.loads(letter.payload)["id"] == "a"


def test_predict_response_follows_the_seed_contract() -> None:
    assert predict_response("bad", 0.1, "4") == {
        "sentiment": "Négatif",
        "label": "negative",
        "confidence": 0.9,
        "score": 0.1,
        "model_version": "4",
    }
