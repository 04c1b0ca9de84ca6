"""HTTP on the worker's web server: /predict, /feedback, /health, /metrics."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import faust
from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from stream import metrics
from stream.records import Feedback, InvalidRecord
from stream.scoring import predict_response
from stream.serving import ModelSlot
from stream.settings import Settings
from stream.topics import Topics
from stream.watchdog import Watchdog

MAX_BATCH = 1024


class BadRequest(ValueError):
    """A /predict body that breaks the contract; the message says why."""


def texts_from_body(body: Any, max_chars: int) -> tuple[list[str], bool]:
    """Validate a /predict body: `{"text": str}` or `{"texts": [str, ...]}` -> (texts, batch?)."""
    if not isinstance(body, dict) or ("text" in body) == ("texts" in body):
        raise BadRequest('body must be a JSON object with exactly one of "text" or "texts"')
    batch = "texts" in body
    texts = body["texts"] if batch else [body["text"]]
    if not isinstance(texts, list) or not 0 < len(texts) <= MAX_BATCH:
        raise BadRequest(f'"texts" must be a list of 1 to {MAX_BATCH} strings')
    for i, text in enumerate(texts):
        where = f"texts[{i}]" if batch else "text"
        if not isinstance(text, str) or not text.strip():
            raise BadRequest(f'"{where}" must be a non-empty string')
        if len(text) > max_chars:
            raise BadRequest(f'"{where}" has {len(text)} characters, limit {max_chars}')
    return texts, batch


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
            AdminClient(self.settings.kafka_client_config()).list_topics(timeout=2)
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

    @app.page("/metrics")
    class Metrics(View):
        """The project's metrics. Faust's Prometheus sensor is left out: its per-message
        label lookups cost ~5 % of the worker's CPU, for counters nobody charts."""

        async def get(self, request: Request) -> Response:
            headers = {"Content-Type": CONTENT_TYPE_LATEST}  # its charset part: not content_type=
            return self.bytes(generate_latest(REGISTRY), headers=headers)

    @app.page("/predict")
    class Predict(View):
        async def post(self, request: Request) -> Response:
            try:
                texts, batch = texts_from_body(await request.json(), settings.max_text_chars)
            except (BadRequest, ValueError) as error:
                metrics.PREDICT_REQUESTS.labels("400").inc()
                return self.json({"error": str(error)}, status=400)
            served = slot.current
            if served is None:
                metrics.PREDICT_REQUESTS.labels("503").inc()
                return self.json({"error": "model not loaded yet"}, status=503)
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
                feedback = Feedback.from_json(await request.read())
            except InvalidRecord as error:
                return self.json({"error": error.message, "reason": error.reason}, status=400)
            ack = await topics.feedback.send(
                key=feedback.tweet_id.encode(), value=feedback.to_json()
            )
            await ack
            return self.json({"accepted": True, "tweet_id": feedback.tweet_id}, status=202)
