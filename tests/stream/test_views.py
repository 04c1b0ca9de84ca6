"""HTTP bounds: /predict and /feedback refuse what is too big, too deep, too many, too
often or unauthorized, with a JSON reason; most checks on a real worker's port."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from pydantic import SecretStr

from stream.views import BadRequest, authorized, texts_from_body
from training.tools.local_worker import Worker, get_json, isolated_env


def test_single_and_batch_bodies() -> None:
    assert texts_from_body({"text": "hi"}, 100, 4) == (["hi"], False)
    assert texts_from_body({"texts": ["a", "b"]}, 100, 4) == (["a", "b"], True)


@pytest.mark.parametrize(
    ("body", "status", "reason", "message"),
    [
        ([], 400, "invalid_body", "exactly one"),
        ({}, 400, "invalid_body", "exactly one"),
        ({"text": "a", "texts": ["b"]}, 400, "invalid_body", "exactly one"),
        ({"text": "a", "extra": 1}, 400, "invalid_body", "exactly one"),
        ({"text": ""}, 400, "invalid_body", '"text" must be a non-empty string'),
        ({"text": 3}, 400, "invalid_body", '"text" must be a non-empty string'),
        ({"texts": []}, 400, "invalid_body", "list of 1 to 4"),
        ({"texts": "abc"}, 400, "invalid_body", "list of 1 to 4"),
        ({"texts": ["ok", None]}, 400, "invalid_body", '"texts[1]"'),
        ({"texts": ["a"] * 5}, 413, "too_many_texts", "5 items, limit 4"),
        ({"text": "x" * 11}, 413, "text_too_long", "11 characters, limit 10"),
    ],
)
def test_invalid_bodies_say_why(body: object, status: int, reason: str, message: str) -> None:
    with pytest.raises(BadRequest) as error:
        texts_from_body(body, 10, 4)
    assert (error.value.status, error.value.reason) == (status, reason)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        ("Bearer s3cret", True),
        ("bearer s3cret", True),
        (None, False),
        ("", False),
        ("Bearer", False),
        ("Bearer wrong", False),
        ("Bearer s3cre", False),
        ("Basic s3cret", False),
        ("Bearer s3cret-and-more", False),
        ("Bearer é", False),
    ],
)
def test_bearer_token(header: str | None, ok: bool) -> None:
    assert authorized(header, SecretStr("s3cret")) is ok
    assert authorized(header, None) is True  # no token configured: open


# --- the real web server of a worker --------------------------------------------------------

TOKEN = "feedback-s3cret"
LIMITS = {
    "AIRPARADIS_HTTP_MAX_BODY_BYTES": "40000",
    "AIRPARADIS_PREDICT_MAX_TEXTS": "8",
    "AIRPARADIS_MAX_TEXT_CHARS": "4000",
    "AIRPARADIS_PREDICT_MAX_CONCURRENT": "1",
    "AIRPARADIS_FEEDBACK_TOKEN": TOKEN,
}
HOSTILE_TEXT = "a." * 2_000  # NLTK's domain pattern at its most expensive (docs/stream.md)


@pytest.fixture(scope="module")
def worker(
    kafka_bootstrap: str, small_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    from tests.kafka_broker import delete_topics_containing

    env = isolated_env(kafka_bootstrap, str(small_model_dir), **LIMITS)
    started = Worker(env, tmp_path_factory.mktemp("views") / "worker.log").start()
    yield started
    started.stop()
    delete_topics_containing(kafka_bootstrap, env["AIRPARADIS_APP_ID"].removeprefix("test-"))


def post(
    url: str, body: bytes | Iterator[bytes], headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """POST raw bytes (an iterator: chunked, no Content-Length): status, headers, JSON."""
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    headers = {"Content-Type": "application/json", **(headers or {})}
    try:
        connection.request(
            "POST", parsed.path, body, headers, encode_chunked=not isinstance(body, bytes)
        )
        response = connection.getresponse()
        return response.status, dict(response.headers), json.loads(response.read())
    finally:
        connection.close()


def predict_body(**body: Any) -> bytes:
    return json.dumps(body).encode()


REFUSED = [
    ("oversize", b'{"text": "' + b"x" * 40_000 + b'"}', {}, 413, "body_too_large"),
    ("texts", predict_body(texts=["ok"] * 9), {}, 413, "too_many_texts"),
    ("chars", predict_body(text="x" * 4_001), {}, 413, "text_too_long"),
    ("nested", b'{"texts": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", {}, 413, "body_too_large"),
    ("deep", b'{"texts": ' + b"[" * 9 + b'"a"' + b"]" * 9 + b"}", {}, 400, "too_deep"),
    ("malformed", b'{"text": "unterminated', {}, 400, "malformed_json"),
    ("duplicate", b'{"text": "a", "text": "b"}', {}, 400, "duplicate_key"),
    ("nan", b'{"texts": ["a"], "x": NaN}', {}, 400, "invalid_number"),
    ("not utf-8", b'{"text": "caf\xe9"}', {}, 400, "bad_encoding"),
    ("not an object", b'["a", "b"]', {}, 400, "malformed_json"),
    ("shape", predict_body(texts=[1, 2]), {}, 400, "invalid_body"),
    ("text/plain", predict_body(text="hi"), {"Content-Type": "text/plain"}, 415, "unsupported"),
    (
        "form",
        predict_body(text="hi"),
        {"Content-Type": "application/x-www-form-urlencoded"},
        415,
        "unsupported",
    ),
]


@pytest.mark.kafka
@pytest.mark.parametrize(
    ("body", "headers", "status", "reason"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_predict_refuses_with_a_json_reason(
    worker: Worker, body: bytes, headers: dict[str, str], status: int, reason: str
) -> None:
    got, _, answer = post(f"{worker.url}/predict", body, headers)
    assert got == status
    assert answer["reason"].startswith(reason) and answer["error"]


@pytest.mark.kafka
def test_a_chunked_body_is_cut_at_the_limit(worker: Worker) -> None:
    chunks = iter([b'{"text": "', *[b"x" * 10_000] * 10, b'"}'])  # 100 kB, no Content-Length
    status, _, answer = post(f"{worker.url}/predict", chunks)
    assert (status, answer["reason"]) == (413, "body_too_large")
    assert get_json(f"{worker.url}/predict", {"text": "still fine"})["label"] in {
        "positive",
        "negative",
    }


@pytest.mark.kafka
def test_predict_beyond_the_concurrency_limit_is_told_to_retry(worker: Worker) -> None:
    """Four of the most expensive requests the limits allow, at once, with one slot."""
    slow = predict_body(texts=[HOSTILE_TEXT] * 8)
    answers: list[tuple[int, str | None, str | None, float]] = []

    def send_slow() -> None:
        started = time.perf_counter()
        status, headers, answer = post(f"{worker.url}/predict", slow)
        elapsed = time.perf_counter() - started
        answers.append((status, answer.get("reason"), headers.get("Retry-After"), elapsed))

    threads = [threading.Thread(target=send_slow) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (503, "busy", "1") in [answer[:3] for answer in answers], answers
    served = [elapsed for status, _, _, elapsed in answers if status == 200]
    assert served, answers
    print(f"slowest allowed request: {max(served):.2f} s")
    assert post(f"{worker.url}/predict", predict_body(text="quick one"))[0] == 200  # freed


@pytest.mark.kafka
def test_feedback_needs_the_configured_token(worker: Worker) -> None:
    body = predict_body(tweet_id="t1", true_label="negative")
    url = f"{worker.url}/feedback"
    for headers in [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}]:
        status, got, answer = post(url, body, headers)
        assert (status, answer["reason"], got["WWW-Authenticate"]) == (
            401,
            "unauthorized",
            "Bearer",
        )
    good = {"Authorization": f"Bearer {TOKEN}"}
    assert post(url, body, good)[0] == 202
    assert post(url, b'{"tweet_id": "t1"}', good)[2]["reason"] == "missing_true_label"
    assert post(url, b"[" * 50, good)[2]["reason"] == "too_deep"
    assert post(url, b"x" * 40_001, good)[:1] == (413,)
    assert post(url, body, {**good, "Content-Type": "text/plain"})[0] == 415
