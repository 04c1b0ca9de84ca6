"""HTTP on the worker's web server: /predict, /feedback, /health, /metrics.

Every POST body is bounded before it is read (size), then decoded like a raw tweet (depth,
numbers, duplicate keys); /predict bounds its texts and its requests in flight, /feedback
takes a bearer token when one is configured. Errors are JSON: `{"error", "reason"}`.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from typing import Any, cast

import faust
from aiohttp import web
from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from pydantic import SecretStr

from stream import metrics
from stream.kafka.security import librdkafka_config
from stream.records import Feedback, InvalidRecord, decode_json_object
from stream.scoring import predict_response
from stream.serving import ModelSlot
from stream.settings import Settings
from stream.topics import Topics
from stream.watchdog import Watchdog

JSON_TYPES = frozenset({"application/json"})
BODY_MAX_DEPTH = 8  # a /predict or /feedback body is at most an object holding a list


class BadRequest(ValueError):
    """A request we refuse: its HTTP status, a stable reason code and what to fix."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


def texts_from_body(body: Any, max_chars: int, max_texts: int) -> tuple[list[str], bool]:
    """Validate a /predict body: `{"text": str}` or `{"texts": [str, ...]}` -> (texts, batch?)."""
    if not isinstance(body, dict) or ("text" in body) == ("texts" in body) or len(body) != 1:
        raise BadRequest(
            400, "invalid_body", 'body must be a JSON object with exactly one of "text" or "texts"'
        )
    batch = "texts" in body
    texts = body["texts"] if batch else [body["text"]]
    if not isinstance(texts, list) or not texts:
        raise BadRequest(400, "invalid_body", f'"texts" must be a list of 1 to {max_texts} strings')
    if len(texts) > max_texts:
        raise BadRequest(
            413, "too_many_texts", f'"texts" has {len(texts)} items, limit {max_texts}'
        )
    for i, text in enumerate(texts):
        where = f"texts[{i}]" if batch else "text"
        if not isinstance(text, str) or not text.strip():
            raise BadRequest(400, "invalid_body", f'"{where}" must be a non-empty string')
        if len(text) > max_chars:
            raise BadRequest(
                413, "text_too_long", f'"{where}" has {len(text)} characters, limit {max_chars}'
            )
    return texts, batch


async def read_json_object(request: Request, max_bytes: int) -> tuple[bytes, dict[str, Any]]:
    """The body of a JSON request, bounded before it is read and decoded like a raw tweet
    (size, depth, numbers, duplicate keys: stream.records.decode_json_object)."""
    http = cast(web.Request, request)  # what Faust's aiohttp driver hands its views
    if http.content_type not in JSON_TYPES:
        raise BadRequest(415, "unsupported_media_type", "send Content-Type: application/json")
    if (http.content_length or 0) > max_bytes:
        raise BadRequest(413, "body_too_large", f"body over {max_bytes} bytes")
    body = bytearray()
    async for chunk in http.content.iter_chunked(65_536):
        body += chunk
        if len(body) > max_bytes:
            raise BadRequest(413, "body_too_large", f"body over {max_bytes} bytes")
    try:
        return bytes(body), decode_json_object(bytes(body), max_bytes, BODY_MAX_DEPTH)
    except InvalidRecord as error:
        raise BadRequest(400, error.reason, error.message) from None


def authorized(header: str | None, token: SecretStr | None) -> bool:
    """`Authorization: Bearer <token>` when a token is configured (constant-time compare)."""
    if token is None:
        return True
    scheme, _, given = (header or "").partition(" ")
    expected = token.get_secret_value().encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected)


class InFlight:
    """Counts requests in flight; `enter` refuses beyond the limit (one event loop: no lock)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    def enter(self) -> None:
        if self.count >= self.limit:
            raise BadRequest(503, "busy", f"{self.limit} predictions in flight; retry shortly")
        self.count += 1

    def leave(self) -> None:
        self.count -= 1


class KafkaProbe:
    """Is the broker reachable? A metadata request, cached for a few seconds."""

    def __init__(self, settings: Settings, ttl_s: float = 5.0) -> None:
        self.settings = settings
        self.ttl_s = ttl_s
        self._checked_at = -1e9
        self._ok = False

    async def reachable(self) -> bool:
        if time.monotonic() - self._checked_at > self.ttl_s:
            self._ok = await asyncio.get_running_loop().run_in_executor(None, self._probe)
            self._checked_at = time.monotonic()
        return self._ok

    def _probe(self) -> bool:
        from confluent_kafka.admin import AdminClient

        try:
            AdminClient(librdkafka_config(self.settings.kafka)).list_topics(timeout=2)
        except Exception:
            return False
        return True


def register_views(
    app: faust.App,
    settings: Settings,
    slot: ModelSlot,
    topics: Topics,
    watchdog: Watchdog | None = None,
) -> None:
    probe = KafkaProbe(settings)
    in_flight = InFlight(settings.predict_max_concurrent)

    def refuse(view: View, error: BadRequest) -> Response:
        headers = {"Retry-After": "1"} if error.status == 503 else {}
        if error.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        body = {"error": str(error), "reason": error.reason}
        return view.json(body, status=error.status, headers=headers)

    @app.page("/metrics")
    class Metrics(View):
        """The project's metrics. Faust's Prometheus sensor is left out: its per-message
        label lookups cost worker CPU (docs/stream.md) for counters nobody charts."""

        async def get(self, request: Request) -> Response:
            headers = {"Content-Type": CONTENT_TYPE_LATEST}  # its charset part: not content_type=
            return self.bytes(generate_latest(REGISTRY), headers=headers)

    @app.page("/predict")
    class Predict(View):
        async def post(self, request: Request) -> Response:
            try:
                _, body = await read_json_object(request, settings.http_max_body_bytes)
                texts, batch = texts_from_body(
                    body, settings.limits.max_text_chars, settings.predict_max_texts
                )
                in_flight.enter()  # after the body: a slow client holds no scoring slot
            except BadRequest as error:
                metrics.PREDICT_REQUESTS.labels(str(error.status)).inc()
                return refuse(self, error)
            try:
                return await self._predict(texts, batch)
            finally:
                in_flight.leave()

        async def _predict(self, texts: list[str], batch: bool) -> Response:
            served = slot.current
            if served is None:
                metrics.PREDICT_REQUESTS.labels("503").inc()
                return refuse(self, BadRequest(503, "not_ready", "model not loaded yet"))
            scores, _ = await asyncio.get_running_loop().run_in_executor(
                None, served.score_here, texts
            )
            answers = [
                predict_response(t, float(s), served.version)
                for t, s in zip(texts, scores, strict=True)
            ]
            metrics.PREDICT_REQUESTS.labels("200").inc()
            return self.json({"predictions": answers} if batch else answers[0])

    @app.page("/health")
    class Health(View):
        async def get(self, request: Request) -> Response:
            kafka_ok = await probe.reachable()
            served = slot.current
            body = {
                "model_loaded": served is not None,
                "model": f"{served.name}/{served.version}" if served else None,
                "kafka_reachable": kafka_ok,
            }
            ready = served is not None and kafka_ok
            if watchdog is not None and watchdog.reason is not None:
                ready, body["reason"] = False, watchdog.reason  # the process is about to exit
            return self.json(
                {"status": "ready" if ready else "not_ready", **body}, status=200 if ready else 503
            )

    @app.page("/feedback")
    class FeedbackView(View):
        async def post(self, request: Request) -> Response:
            """Validate a Feedback record and publish it to tweets.feedback (joined there)."""
            try:
                if not authorized(request.headers.get("Authorization"), settings.feedback_token):
                    raise BadRequest(401, "unauthorized", "missing or wrong bearer token")
                raw, _ = await read_json_object(request, settings.http_max_body_bytes)
                feedback = Feedback.from_json(raw)
            except BadRequest as error:
                return refuse(self, error)
            except InvalidRecord as error:
                return self.json({"error": error.message, "reason": error.reason}, status=400)
            ack = await topics.feedback.send(
                key=feedback.tweet_id.encode(), value=feedback.to_json()
            )
            await ack
            return self.json({"accepted": True, "tweet_id": feedback.tweet_id}, status=202)
