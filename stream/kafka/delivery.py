"""A librdkafka producer that accounts for every record it is given (CLI, demo and tools).

Each record is either acknowledged by the broker or counted in a `DeliveryError`: refused
(with the broker's reason) or still queued when the wait ended. A refused password or an
untrusted certificate stops the wait at the next poll with `KafkaSecurityError`.
Callbacks only record (`ClientErrors`); the errors are raised from Python, after the poll
returned, and nothing is left queued for the deallocator (librdkafka callbacks run from a
deallocator can crash the interpreter at exit).
"""

from __future__ import annotations

import time
from typing import Any

from stream.kafka.security import ClientErrors, librdkafka_config
from stream.settings import KafkaSettings

POLL_STEP_S = 0.1  # how soon a fatal error stops the wait for deliveries


class DeliveryError(RuntimeError):
    """Records the broker did not take: refused, or still queued when the wait ended."""


class AccountedProducer:
    """`send` records, then `wait` until the broker took them all, or raise why not."""

    def __init__(self, kafka: KafkaSettings, config: dict[str, Any] | None = None) -> None:
        """`config`: producer settings over the connection's (`librdkafka_config`)."""
        from confluent_kafka import KafkaError, Producer

        self._purge_codes = (KafkaError._PURGE_QUEUE, KafkaError._PURGE_INFLIGHT)
        self._errors = ClientErrors(kafka)
        connection = librdkafka_config(kafka)
        self._producer = Producer({**connection, **(config or {}), **self._errors.config()})
        self.refused: list[str] = []
        self.sent = 0
        self.acknowledged = 0
        self._purged = 0

    @property
    def queued(self) -> int:
        """Records sent and not yet acknowledged, refused or purged. Not `len(producer)`,
        which also counts librdkafka's pending events (logs, errors)."""
        return self.sent - self.acknowledged - len(self.refused) - self._purged

    def _on_delivery(self, error: Any, _message: Any) -> None:
        if error is None:
            self.acknowledged += 1
        elif error.code() in self._purge_codes:
            self._purged += 1
        else:
            self.refused.append(error.str())

    def send(self, topic: str, key: str | None, value: bytes) -> None:
        while True:
            self._check_errors()
            try:
                self._producer.produce(topic, key=key, value=value, on_delivery=self._on_delivery)
                break
            except BufferError:  # the local queue is full: let the broker drain it
                self._producer.poll(0.05)
        self.sent += 1
        self._producer.poll(0)

    def wait(self, timeout_s: float) -> None:
        """Block until every record is acknowledged; `DeliveryError` if one was not."""
        deadline = time.monotonic() + timeout_s
        while self.queued and (left := deadline - time.monotonic()) > 0:
            self._check_errors()
            self._producer.poll(min(POLL_STEP_S, left))
        self._check_errors()
        queued = self._discard_queued()
        if queued or self.refused:
            raise DeliveryError(_undelivered(self.sent, queued, self.refused, timeout_s))

    def _check_errors(self) -> None:
        if self._errors.fatal is not None:
            self._discard_queued()
        self._errors.check()

    def _discard_queued(self) -> int:
        """Purge what is left and serve its delivery reports now; how many there were."""
        queued = self.queued
        if queued:
            self._producer.purge()
            deadline = time.monotonic() + 1.0
            while self.queued and time.monotonic() < deadline:
                self._producer.poll(0.01)
        return queued


def _undelivered(count: int, queued: int, refused: list[str], timeout_s: float) -> str:
    parts = [f"{queued + len(refused)} of {count} records not delivered"]
    if queued:
        parts.append(f"{queued} still queued after {timeout_s:g} s (is the broker running?)")
    if refused:
        parts.append(f"{len(refused)} refused by the broker, the first: {refused[0]}")
    return "; ".join(parts)
