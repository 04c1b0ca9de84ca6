"""Faust tables, changelog-backed and restored after a restart or a rebalance.

- `scope-state`: one JSON document per scope (stream.alerts.state.ScopeState) and the
  production-accuracy state under `accuracy`; written only by the agent reading the
  internal `<app>-scoped` topic, whose records are keyed by scope (the changelog record of a
  key goes to the partition of the key, the partition of its `<app>-scoped` records).
- `prediction-batches`: one entry per `<app>-joins` record of predictions ("partition:offset"
  -> {tweet id: recorded label}), written by the join agent reading that internal topic
  keyed by tweet id, so a tweet's prediction and its feedback meet in one partition, on one
  worker. One changelog record per joins record, not per tweet (stream.feedback).
"""

from __future__ import annotations

from typing import Any, NamedTuple, cast

import faust
from faust.types import TableT

from stream.kafka.events import key_partition
from stream.settings import Settings


class Tables(NamedTuple):
    scopes: TableT
    predictions: TableT


class KeyPartitionedTable(faust.Table):
    """A table that a batch agent writes (Faust's current event says nothing then): the
    changelog record of a key goes to the key's murmur2 partition, the partition of the
    source records keyed by the same text, so a worker restores the keys it reads."""

    def partition_for_key(self, key: Any) -> int:
        return key_partition(str(key), self.partitions or 1)


def declare_tables(app: faust.App, settings: Settings) -> Tables:
    scopes = cast(
        TableT,
        app.tables.add(
            KeyPartitionedTable(
                app,
                name="scope-state",
                default=None,
                key_type=str,
                value_type=None,  # the app default (JSON): ScopeState.to_dict() documents
                partitions=settings.topic_partitions,
                beacon=app.tables.beacon,
                help="stream.alerts.state.ScopeState per scope, and production accuracy",
            )
        ),
    )
    predictions = app.Table(
        "prediction-batches",
        default=None,
        key_type=str,
        value_type=None,  # JSON: {tweet id: label} of one joins record
        partitions=settings.topic_partitions,
        help="recorded labels per joins record, for the feedback join",
    )
    return Tables(scopes, predictions)
