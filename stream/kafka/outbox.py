"""The scoring agent's producer: librdkafka (confluent-kafka), one ack future per batch.

Faust's producer (aiokafka) builds and frames every record in Python, the largest cost of
the worker's event loop at full rate (docs/stream.md). The records of a scored batch
(events, review copies, window deltas, dead letters) go through this C producer instead,
and the batch awaits one future that resolves when the broker has acknowledged all of
them, or fails with the first delivery error.
Alerts, a few a minute, stay on Faust's producer.

Keys are partitioned with murmur2, as Java clients and aiokafka do, so a key lands on the
same partition whichever client wrote it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

from stream.kafka.delivery import DeliveryError
from stream.kafka.security import librdkafka_config
from stream.settings import Settings

Record = tuple[str, bytes | None, bytes]  # topic, key, value


class _BatchAcks:
    """Counts one batch's delivery reports; they arrive on the outbox's poll thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, count: int) -> None:
        self.loop = loop
        self.left = count
        self.error: Any = None
        self.future: asyncio.Future[None] = loop.create_future()

    def __call__(self, error: Any, message: Any) -> None:
        if error is not None and self.error is None:
            self.error = (message.topic(), error)
        self.left -= 1  # only the poll thread calls this: no race
        if self.left == 0 and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._resolve)

    def _resolve(self) -> None:
        if self.future.done():
            return
        if self.error is None:
            self.future.set_result(None)
        else:
            topic, error = self.error
            self.future.set_exception(DeliveryError(f"{topic}: {error}"))


class Outbox:
    """`await outbox.send(records)` returns once the broker has acknowledged every record."""

    def __init__(self, settings: Settings, poll_interval_s: float = 0.05) -> None:
        from confluent_kafka import Producer

        self._producer = Producer(
            {
                **librdkafka_config(settings.kafka),
                "acks": "all",
                "enable.idempotence": True,  # retries neither duplicate nor reorder
                "linger.ms": 1,
                # then the batch fails and the watchdog stops the worker (stream.watchdog)
                "message.timeout.ms": int(settings.publish_timeout_s * 1000),
                "partitioner": "murmur2_random",
                "message.max.bytes": settings.kafka.message_max_bytes,  # dead letters fit it
            }
        )
        self._poll_interval_s = poll_interval_s
        self._closed = threading.Event()
        self._poller = threading.Thread(target=self._poll, name="outbox-poll", daemon=True)
        self._poller.start()

    def _poll(self) -> None:
        while not self._closed.is_set():
            self._producer.poll(self._poll_interval_s)  # runs the delivery callbacks

    async def send(self, records: Sequence[Record]) -> None:
        if not records:
            return
        acks = _BatchAcks(asyncio.get_running_loop(), len(records))
        produce = self._producer.produce
        for topic, key, value in records:
            while True:
                try:
                    produce(topic, value, key, on_delivery=acks)
                    break
                except BufferError:  # local queue full: the poll thread drains it
                    await asyncio.sleep(self._poll_interval_s)
        await acks.future

    def close(self, timeout_s: float = 10.0) -> int:
        """Deliver what is queued (up to `timeout_s`), stop polling; records left undelivered."""
        self._closed.set()
        self._poller.join()
        left: int = self._producer.flush(timeout_s)
        return left
