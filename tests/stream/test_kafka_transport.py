"""The worker's Faust consumer fetches with a short broker-side wait (stream.kafka_transport)."""

from __future__ import annotations

import asyncio

from stream.app import create_app
from stream.kafka_transport import FETCH_MAX_WAIT_MS, ConsumerThread
from stream.settings import Settings


def test_the_worker_consumer_waits_at_most_fetch_max_wait_on_the_broker(settings: Settings) -> None:
    async def fetch_wait() -> tuple[type, int]:
        app = create_app(settings)
        thread = app.consumer._thread  # type: ignore[attr-defined]
        consumer = thread._create_worker_consumer(app.transport)
        try:
            return type(thread), consumer._fetch_max_wait_ms
        finally:
            await consumer.stop()

    thread_type, wait_ms = asyncio.run(fetch_wait())
    assert thread_type is ConsumerThread
    assert wait_ms == FETCH_MAX_WAIT_MS < 1500  # Faust's own value is 1500 ms
