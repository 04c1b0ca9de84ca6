"""Kafka plumbing: the only package that touches Faust's or aiokafka's internals
and librdkafka (transport, offsets, outbox, admin, security, produce/consume helpers).

Delivery contract (at-least-once):
- An input record is taken by a stream (Faust's hold on the event) and, on a guarded topic
  (`guard_commits`), counts as processed only once the pipeline calls `mark_done(message)`
  on the consumer (`DoneMarker`), after every record it produced was acknowledged by Kafka.
- The commit walk commits, per partition, up to the first offset not yet processed; offsets
  are never gap-filled; a rebalance or a crash re-delivers everything above the commit.
- So a crash loses nothing and may score a tweet twice: consumers deduplicate by `id`.
Measurements behind these rules: docs/stream.md.
"""
