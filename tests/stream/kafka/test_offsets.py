"""The worker's consumer commits only offsets of records a stream processed
(stream.kafka.offsets)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from faust.transport.drivers import aiokafka as driver
from faust.types import TP
from faust.types.tuples import ConsumerMessage

from stream.app import create_app
from stream.kafka.transport import Consumer, guard_commits
from stream.settings import Settings


def worker_consumer(settings: Settings) -> Consumer:
    consumer = create_app(settings).consumer
    assert isinstance(consumer, Consumer)
    return consumer


def message(tp: TP, offset: int) -> ConsumerMessage:
    return ConsumerMessage(tp.topic, tp.partition, offset, 0.0, 0, [], None, b"{}", None, tp=tp)


def commit_offset(
    settings: Settings, acked: list[int], committed: int | None, gaps: tuple[int, int] | None = None
) -> int | None:
    """What the worker's consumer would commit for one partition, given its acked offsets."""
    tp = TP(settings.topic_raw, 0)

    async def new_offset() -> int | None:
        consumer = worker_consumer(settings)
        consumer._committed_offset[tp] = committed
        consumer._acked[tp] = list(acked)
        consumer._acked_index[tp] = set(acked)
        if gaps is not None:  # what Faust's drain loop reports when offsets arrive out of order
            await consumer._add_gap(tp, *gaps)
        return consumer._new_offset(tp)

    return asyncio.run(new_offset())


def test_commits_cover_every_acked_offset_even_when_some_were_acked_twice(
    settings: Settings,
) -> None:
    # offsets 100-105 acked, 101 and 103 twice (a copy from before a rebalance)
    assert commit_offset(settings, [100, 101, 101, 102, 103, 103, 104, 105], 100) == 106
    # a hole stays a hole: 102 not acked yet, so nothing past 101 is committed
    assert commit_offset(settings, [100, 101, 101, 103, 104], 100) == 102


def test_a_missing_record_at_the_committed_offset_holds_the_commit(settings: Settings) -> None:
    assert commit_offset(settings, [101, 102, 103], 100) is None  # Faust's walk gave 104
    assert commit_offset(settings, [99, 100, 101], 100) == 102  # 99: a stale copy's ack


def test_offsets_delivered_out_of_order_are_not_taken_for_a_gap(settings: Settings) -> None:
    # after a seek to 100, records from 110 on arrived first: 101-109 were not processed
    assert commit_offset(settings, [100, 110, 111], 100, gaps=(101, 110)) == 101


@pytest.mark.parametrize(
    ("acked", "delivered", "expected"),
    [({3}, set(), [5, 4, 6]), (set(), {3}, [5, 4, 6]), (set(), set(), [5, 3, 4, 6])],
    ids=["acked-copy-dropped", "delivered-copy-dropped", "undelivered-copy-delivered"],
)
def test_a_copy_fetched_again_below_the_read_offset_is_delivered_if_its_first_was_not(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    acked: set[int],
    delivered: set[int],
    expected: list[int],
) -> None:
    tp = TP(settings.topic_raw, 0)

    async def fetched(self: Any, timeout: float) -> AsyncIterator[tuple[TP, ConsumerMessage]]:
        for offset in (5, 3, 4, 6):  # 3 and 4 fetched again after 5 was read
            yield tp, message(tp, offset)

    monkeypatch.setattr(driver.Consumer, "getmany", fetched)  # Faust's fetch, under ours

    async def drain() -> tuple[list[int], int | None, set[int]]:
        """Faust's drain loop's rule: deliver a record unless it is below the read offset."""
        consumer = worker_consumer(settings)
        consumer._committed_offset[tp] = 3
        consumer._acked_index[tp] = set(acked)
        consumer._delivered[tp] = set(delivered)
        read_offsets = consumer._read_offset
        read_offsets[tp] = 4
        taken = []
        async for got_tp, got in consumer.getmany(timeout=1.0):
            read = read_offsets[got_tp]
            if read is None or got.offset >= read:
                taken.append(got.offset)
                read_offsets[got_tp] = got.offset
        return taken, read_offsets[tp], consumer._delivered[tp]

    taken, read_offset, now_delivered = asyncio.run(drain())
    assert taken == expected
    assert read_offset == 6  # where the drain loop goes on reading
    assert now_delivered == {4, 5, 6} | set(taken) | delivered


def test_only_records_a_stream_took_count_as_acked(settings: Settings) -> None:
    tp = TP(settings.topic_raw, 0)

    async def acked_offsets() -> list[int]:
        app = create_app(settings)
        app.topics._acking_topics.add(tp.topic)  # type: ignore[attr-defined]  # as an agent would
        consumer = app.consumer
        assert isinstance(consumer, Consumer)
        taken, skipped = message(tp, 7), message(tp, 8)
        taken.tracked = True  # what a stream does to each record it takes
        consumer.ack(taken)
        consumer.ack(skipped)  # skipped in a rebalance: Faust acks it unprocessed
        return list(consumer._acked[tp])

    assert asyncio.run(acked_offsets()) == [7]


def test_a_guarded_topic_commits_only_what_was_marked_done(settings: Settings) -> None:
    tp = TP(settings.topic_raw, 0)

    async def acked_offsets() -> list[int]:
        app = create_app(settings)
        app.topics._acking_topics.add(tp.topic)  # type: ignore[attr-defined]
        guard_commits(app, tp.topic)
        consumer = app.consumer
        assert isinstance(consumer, Consumer)
        published, dropped = message(tp, 7), message(tp, 8)
        published.tracked = dropped.tracked = True  # both taken by the stream
        consumer.mark_done(published)  # its outputs are on the broker
        consumer.ack(published)
        consumer.ack(dropped)  # e.g. a take buffer acked in a rebalance, never published
        return list(consumer._acked[tp])

    assert asyncio.run(acked_offsets()) == [7]


def test_resuming_flow_rereads_records_delivered_into_the_buffers_it_empties(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivered_tp, quiet_tp = TP(settings.topic_raw, 0), TP(settings.topic_raw, 1)
    sought: list[tuple[TP, int]] = []

    async def resume() -> tuple[int | None, set[int]]:
        consumer = worker_consumer(settings)
        monkeypatch.setattr(consumer, "assignment", lambda: {delivered_tp, quiet_tp})
        monkeypatch.setattr(  # the aiokafka consumer's seek (not started here)
            consumer,
            "_thread",
            SimpleNamespace(seek=lambda tp, offset: sought.append((tp, offset))),
        )
        consumer._delivered[delivered_tp] = {12, 13, 14}
        consumer._read_offset[delivered_tp] = 14
        consumer.stop_flow()
        consumer.resume_flow()  # right after Faust's flow_control.resume() emptied the buffers
        return consumer._read_offset[delivered_tp], consumer._delivered[delivered_tp]

    read_offset, still_delivered = asyncio.run(resume())
    assert sought == [(delivered_tp, 12)]  # fetched again from the first one lost
    assert read_offset == 12  # so the drain loop delivers them
    assert still_delivered == set()
