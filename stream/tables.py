"""Faust tables, changelog-backed and restored after a restart or a rebalance.

- `scope-state`: one JSON document per scope (stream.alerting.ScopeState) and the
  production-accuracy state under `accuracy`; written only by the agent reading the
  internal `<app>-scoped` topic, whose records are keyed by scope.
- `predictions`: tweet id -> recorded label, written by the join agent reading the internal
  `<app>-joins` topic keyed by tweet id, so a tweet's prediction and its feedback meet in
  one partition, on one worker.
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
        help="stream.alerting.ScopeState per scope, and production accuracy",
    )
    predictions = app.Table(
        "predictions",
        default=None,
        key_type=str,
        value_type=str,
        partitions=settings.topic_partitions,
        help="recorded label per tweet id, for the feedback join",
    )
    return Tables(scopes, predictions)
