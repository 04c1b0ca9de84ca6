"""Faust tables: the windowed alert state, one JSON document per scope.

The table is only written by the agent that reads the internal `<app>-scoped` topic, whose
records are keyed by scope, so each scope's state lives in one changelog partition and is
restored from it after a restart.
"""

from __future__ import annotations

import faust
from faust.types import TableT

from stream.settings import Settings


def declare_tables(app: faust.App, settings: Settings) -> TableT:
    return app.Table(
        "scope-state",
        default=None,
        key_type=str,
        value_type=None,  # the app default serializer (JSON): ScopeState.to_dict() documents
        partitions=settings.topic_partitions,
        help="stream.alerting.ScopeState per scope (open and recent windows, rule states)",
    )
