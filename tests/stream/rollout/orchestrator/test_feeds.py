import json

from stream.records import DeadLetter, InvalidRecord
from stream.rollout.orchestrator.feeds import tweet_id_of


def letter(payload: bytes) -> DeadLetter:
    return DeadLetter.for_payload(payload, InvalidRecord("model_error", "x"), "raw", 0, 1)


def test_the_tweet_id_of_a_dead_letter_when_its_payload_has_one():
    assert tweet_id_of(letter(json.dumps({"id": "t1", "text": "x"}).encode())) == "t1"
    assert tweet_id_of(letter(json.dumps({"id": 42}).encode())) == "42"
    assert tweet_id_of(letter(b"{oops")) is None  # not JSON
    assert tweet_id_of(letter(b"[1, 2]")) is None  # JSON, not an object
    assert tweet_id_of(letter(b'{"text": "no id"}')) is None
