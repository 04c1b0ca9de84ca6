"""Faust's aiokafka transport for the worker: a short broker-side fetch wait, records
delivered to streams without a task each, and offsets committed only for records a
stream processed (`stream.kafka.offsets`).

Faust builds its consumer with `fetch_max_wait_ms=1500`, not configurable. aiokafka keeps
one fetch in flight per broker and leaves out of it the partitions whose records are
still queued locally, so a fetch may hold only quiet partitions (feedback, the scoped
topic between batches) and park on the broker while new tweets wait behind it. Here the
broker waits at most `FETCH_MAX_WAIT_MS` for `FETCH_MIN_BYTES` before it answers (fewer,
fuller fetches; an idle worker polls more often). Measurements: docs/stream.md.
"""

from __future__ import annotations

from collections.abc import Coroutine, Generator
from functools import partial
from inspect import iscoroutine
from typing import Any

from faust.transport.drivers import aiokafka as driver
from mode.services import WaitResults

from stream.kafka.offsets import ProcessedOffsets

FETCH_MAX_WAIT_MS = 10
FETCH_MIN_BYTES = 64 * 1024


class ConsumerThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # both read when the consumer starts
        consumer._fetch_min_bytes = FETCH_MIN_BYTES
        return consumer


class Consumer(ProcessedOffsets):
    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def wait_first(self, *coros: Any, timeout: Any = None) -> WaitResults:
        """Faust's drain loop delivers each record with `wait_first(callback(message),
        suspend_flow.wait())`, so that a rebalance interrupts a delivery stuck on a full
        stream buffer: four tasks a record (the loop's largest single cost). Here
        the delivery's first step runs inline; only if it has to wait is it raced as Faust
        does. The first step of a coroutine is what a task would run first anyway."""
        racing = len(coros) == 2 and all(iscoroutine(coro) for coro in coros)
        if not racing or timeout is not None or self.suspend_flow.is_set():
            return await super().wait_first(*coros, timeout=timeout)
        delivery, suspended = coros
        try:
            waiting_on = delivery.send(None)
        except StopIteration as done:
            suspended.close()  # never started: no task to cancel
            return WaitResults([delivery], [done.value], False)
        except BaseException:
            suspended.close()
            raise
        return await super().wait_first(_Started(delivery, waiting_on), suspended)


class _Started:
    """Awaitable that drives a coroutine whose first step already ran and waits on
    `waiting_on`: what `await coroutine` would have done from that point."""

    def __init__(self, coroutine: Coroutine[Any, Any, Any], waiting_on: Any) -> None:
        self.coroutine, self.waiting_on = coroutine, waiting_on

    def __await__(self) -> Generator[Any, Any, Any]:
        coroutine, waiting_on = self.coroutine, self.waiting_on
        while True:
            try:
                sent = yield waiting_on
            except GeneratorExit:
                coroutine.close()
                raise
            except BaseException as error:  # a cancellation: the coroutine handles it
                step = partial(coroutine.throw, error)
            else:
                step = partial(coroutine.send, sent)
            try:
                waiting_on = step()
            except StopIteration as done:
                return done.value


class Transport(driver.Transport):
    Consumer = Consumer


def guard_commits(app: Any, topic: str) -> None:
    """Make `topic`'s commits follow `mark_done` only (see `ProcessedOffsets.guard`)."""
    consumer = app.consumer
    if not isinstance(consumer, ProcessedOffsets):
        raise TypeError(f"app consumer is {type(consumer).__name__}, not stream.kafka.transport's")
    consumer.guard(topic)
