"""The worker's Faust consumer fetches with a short broker-side wait (stream.kafka_transport)."""

from __future__ import annotations

import asyncio

from faust.types import TP
from faust.types.tuples import ConsumerMessage

from stream.app import create_app
from stream.kafka_transport import FETCH_MAX_WAIT_MS, ConsumerThread, guard_commits
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


def test_commits_cover_every_acked_offset_even_when_some_were_acked_twice(
    settings: Settings,
) -> None:
    tp = TP(settings.topic_raw, 0)

    async def commit_offset(acked: list[int], committed: int) -> int | None:
        app = create_app(settings)
        consumer = app.consumer
        consumer._committed_offset[tp] = committed  # type: ignore[attr-defined]
        consumer._acked[tp] = list(acked)  # type: ignore[attr-defined]
        consumer._acked_index[tp] = set(acked)  # type: ignore[attr-defined]
        return consumer._new_offset(tp)  # type: ignore[attr-defined,no-any-return]

    # offsets 100-105 acked, 101 and 103 twice (a copy from before a rebalance)
    assert asyncio.run(commit_offset([100, 101, 101, 102, 103, 103, 104, 105], 100)) == 106
    # a hole stays a hole: 102 not acked yet, so nothing past 101 is committed
    assert asyncio.run(commit_offset([100, 101, 101, 103, 104], 100)) == 102


def test_only_records_a_stream_took_count_as_acked(settings: Settings) -> None:
    tp = TP(settings.topic_raw, 0)

    async def acked_offsets() -> list[int]:
        app = create_app(settings)
        app.topics._acking_topics.add(tp.topic)  # type: ignore[attr-defined]  # as an agent would
        consumer = app.consumer
        taken, skipped = (
            ConsumerMessage(tp.topic, 0, offset, 0.0, 0, [], None, b"{}", None, tp=tp)
            for offset in (7, 8)
        )
        taken.tracked = True  # what a stream does to each record it takes
        consumer.ack(taken)
        consumer.ack(skipped)  # skipped in a rebalance: Faust acks it unprocessed
        return list(consumer._acked[tp])  # type: ignore[attr-defined]

    assert asyncio.run(acked_offsets()) == [7]


def test_a_guarded_topic_commits_only_what_was_marked_done(settings: Settings) -> None:
    tp = TP(settings.topic_raw, 0)

    async def acked_offsets() -> list[int]:
        app = create_app(settings)
        app.topics._acking_topics.add(tp.topic)  # type: ignore[attr-defined]
        guard_commits(app, tp.topic)
        consumer = app.consumer
        published, dropped = (
            ConsumerMessage(tp.topic, 0, offset, 0.0, 0, [], None, b"{}", None, tp=tp)
            for offset in (7, 8)
        )
        published.tracked = dropped.tracked = True  # both taken by the stream
        consumer.mark_done(published)  # type: ignore[attr-defined]  # its outputs are on the broker
        consumer.ack(published)
        consumer.ack(dropped)  # e.g. a take buffer acked in a rebalance, never published
        return list(consumer._acked[tp])  # type: ignore[attr-defined]

    assert asyncio.run(acked_offsets()) == [7]
