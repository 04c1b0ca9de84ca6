"""Faust tables, changelog-backed and restored after a restart or a rebalance.

- `scope-state`: one JSON document per scope (stream.alerts.state.ScopeState) and the
  production-accuracy state under `accuracy`; written only by the agent reading the
  internal `<app>-scoped` topic, whose records are keyed by scope.
- `prediction-batches`: one entry per `<app>-joins` record of predictions ("partition:offset"
  -> {tweet id: recorded label}), written by the join agent reading that internal topic
  keyed by tweet id, so a tweet's prediction and its feedback meet in one partition, on one
  worker. One changelog record per joins record, not per tweet (stream.feedback).
"""

from __future__ import annotations

from typing import NamedTuple

import faust
from faust.types import TableT

from stream.settings import Settings


class Tables(NamedTuple):
    scopes: TableT
    predictions: TableT


def declare_tables(app: faust.App, settings: Settings) -> Tables:
    scopes = app.Table(
        "scope-state",
        default=None,
        key_type=str,
        value_type=None,  # the app default serializer (JSON): ScopeState.to_dict() documents
        partitions=settings.topic_partitions,
        help="stream.alerts.state.ScopeState per scope, and production accuracy",
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
