"""The worker's Faust consumer (stream.kafka.transport): a short broker-side fetch wait, and
records delivered to streams without a task each."""

from __future__ import annotations

import asyncio
import gc
import warnings

from stream.app import create_app
from stream.kafka.transport import FETCH_MAX_WAIT_MS, FETCH_MIN_BYTES, Consumer, ConsumerThread
from stream.settings import Settings


def test_the_worker_consumer_fetches_with_a_short_wait_and_a_minimum_size(
    settings: Settings,
) -> None:
    async def fetch_settings() -> tuple[type, int, int]:
        app = create_app(settings)
        thread = app.consumer._thread  # type: ignore[attr-defined]
        consumer = thread._create_worker_consumer(app.transport)
        try:
            return type(thread), consumer._fetch_max_wait_ms, consumer._fetch_min_bytes
        finally:
            await consumer.stop()

    thread_type, wait_ms, min_bytes = asyncio.run(fetch_settings())
    assert thread_type is ConsumerThread
    assert wait_ms == FETCH_MAX_WAIT_MS < 1500  # Faust's own value is 1500 ms
    assert min_bytes == FETCH_MIN_BYTES > 1  # aiokafka's default is 1 byte


def race_delivery(
    settings: Settings, delivery_waits: bool, suspend: bool
) -> tuple[list[str], bool, bool]:
    """The drain loop's `wait_first(callback(message), suspend_flow.wait())`, on our consumer:
    (what happened, whether the race reported the delivery, whether any coroutine leaked)."""
    happened: list[str] = []

    async def race() -> tuple[list[str], bool]:
        consumer = create_app(settings).consumer
        assert isinstance(consumer, Consumer)
        room = asyncio.get_running_loop().create_future()
        if not delivery_waits:
            room.set_result(None)

        async def deliver() -> str:
            happened.append("started")
            try:
                await room  # the stream's buffer has room (or not yet)
            except asyncio.CancelledError:
                happened.append("cancelled")
                raise
            happened.append("delivered")
            return "ok"

        if suspend:  # a rebalance starts while the delivery waits
            asyncio.get_running_loop().call_later(0.05, consumer.suspend_flow.set)
        elif delivery_waits:
            asyncio.get_running_loop().call_later(0.05, room.set_result, None)
        suspended = consumer.suspend_flow.wait()
        results = await consumer.wait_first(deliver(), suspended)
        await asyncio.sleep(0)
        return happened, "ok" in results.results

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got, reported = asyncio.run(race())
        gc.collect()
    return got, reported, any("never awaited" in str(w.message) for w in caught)


def test_a_delivery_that_need_not_wait_completes_inline(settings: Settings) -> None:
    assert race_delivery(settings, delivery_waits=False, suspend=False) == (
        ["started", "delivered"],
        True,
        False,
    )


def test_a_delivery_that_waits_completes_when_the_buffer_has_room(settings: Settings) -> None:
    assert race_delivery(settings, delivery_waits=True, suspend=False) == (
        ["started", "delivered"],
        True,
        False,
    )


def test_a_rebalance_still_interrupts_a_waiting_delivery(settings: Settings) -> None:
    assert race_delivery(settings, delivery_waits=True, suspend=True) == (
        ["started", "cancelled"],
        False,
        False,
    )
