"""Offset bookkeeping for the worker's Faust consumer: commit only what a stream processed.

After a rebalance's seek to the committed offset, records fetched before the seek may
arrive first; Faust's own rules then take the offsets in between for a gap and ack them,
drop re-fetched copies "below the read offset", and ack records a stream skipped or that a
resume wiped from the streams' buffers: tweets lost on a restart (how the kill -9 runs
showed it: docs/stream.md, "One batch"). `ProcessedOffsets` keeps Faust's machinery and
changes its rules: only records a stream took (and, on a guarded topic, that the pipeline
marked done) are acked; offsets are never gap-filled; a record below the read offset is
delivered unless a copy of it was delivered since the last seek, or it was processed; a
resume that wiped delivered records re-reads their partitions from the first of them; the
commit walk starts at the committed offset.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from faust.transport.drivers import aiokafka as driver
from faust.types import TP, Message

log = logging.getLogger(__name__)


class ProcessedOffsets(driver.Consumer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guarded: set[str] = set()  # topics whose offsets only mark_done makes committable
        self._done: set[tuple[TP, int]] = set()
        self._delivered: defaultdict[TP, set[int]] = defaultdict(set)  # since the last seek

    def guard(self, topic: str) -> None:
        """From now on, a record of `topic` counts as acked only once `mark_done` named it:
        Faust's own acks (a `take` buffer dropped in a rebalance) cannot move its commits."""
        self._guarded.add(topic)

    def mark_done(self, message: Message) -> None:
        """`message`'s outputs are on the broker: its final ack may make it committable."""
        if message.topic in self._guarded:
            self._done.add((message.tp, message.offset))

    def ack(self, message: Message) -> bool:
        """Count a record as acked only if a stream took it (`tracked`: Faust also acks the
        records it skips in a rebalance) and, on a guarded topic, once `mark_done` named it.
        Anything else stays a hole in the acked offsets, replayed from the committed one."""
        if not message.tracked:
            return False
        if message.topic in self._guarded:
            done = (message.tp, message.offset)
            if done not in self._done:
                return False
            self._done.discard(done)
        acked: bool = super().ack(message)
        return acked

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Message]]:
        """Faust's fetch, except that a record below the partition's read offset reaches the
        drain loop (which would drop it as already read) unless a copy of it was delivered
        since the last rebalance's seek, or it was acked or committed: after the seek,
        records fetched before it may arrive first and move the read offset past records
        that were never delivered."""
        read_offsets, delivered = self._read_offset, self._delivered
        async for tp, message in super().getmany(timeout):
            offset, read = message.offset, read_offsets[tp]
            if read is not None and offset < read:
                if offset in delivered[tp] or self._processed(tp, offset):
                    yield tp, message  # dropped by the drain loop: a copy
                    continue
                read_offsets[tp] = offset  # so that the drain loop delivers it
                yield tp, message
                read_offsets[tp] = max(read, read_offsets[tp] or read)
            else:
                yield tp, message
            if not self.suspend_flow.is_set():  # else the drain loop skipped it
                delivered[tp].add(offset)

    async def perform_seek(self) -> None:
        """Rebalance: records delivered before it may be skipped by the streams."""
        self._delivered.clear()
        await super().perform_seek()

    def resume_flow(self) -> None:
        """Faust calls this right after `flow_control.resume()`, which empties the streams'
        buffers: records delivered since the last seek (while it was awaited, say) are gone
        unprocessed. Their partitions are sought back to the first of them."""
        for tp, offsets in self._delivered.items():
            if offsets and tp in self.assignment():
                first = min(offsets)
                self._thread.seek(tp, first)  # as Faust's own `seek` does
                self._read_offset[tp] = first
        self._delivered.clear()
        super().resume_flow()

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        for tp in revoked:
            self._delivered.pop(tp, None)
        await super().on_partitions_revoked(revoked)

    def _processed(self, tp: TP, offset: int) -> bool:
        committed = self._committed_offset[tp]
        return (committed is not None and offset < committed) or offset in self._acked_index[tp]

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        """Faust counts offsets skipped between two deliveries as acked (compacted or
        transaction markers). Here they are records that arrived out of order around a
        rebalance, so they stay holes until processed. (Producers to the consumed topics
        are idempotent, not transactional: no markers hold commits.)"""
        log.debug("%s: offsets %d-%d not delivered yet", tp, offset_from, offset_to - 1)

    def _new_offset(self, tp: TP) -> int | None:
        """The offset to commit: the end of the run of acked offsets that starts at the
        committed one (Faust's walk let a missing record at the committed offset through,
        and stopped at an offset acked twice, by two copies around a rebalance)."""
        acked, index = self._acked[tp], self._acked_index[tp]
        offsets = sorted(set(acked))
        committed = self._committed_offset[tp]
        if committed is not None and offsets and offsets[0] < committed:
            index.difference_update(offset for offset in offsets if offset < committed)
            offsets = [offset for offset in offsets if offset >= committed]
        if not offsets or (committed is not None and offsets[0] != committed):
            acked[:] = offsets
            return None
        end = 0
        while end + 1 < len(offsets) and offsets[end + 1] == offsets[end] + 1:
            end += 1
        acked[:] = offsets[end + 1 :]
        index.difference_update(offsets[: end + 1])
        new_offset = offsets[end] + 1
        self._delivered[tp] = {o for o in self._delivered[tp] if o >= new_offset}
        return new_offset
