"""Every Kafka topic the worker reads or writes. Values are raw bytes: contracts are
validated by `stream.records`, so a bad payload becomes a dead letter instead of a
deserialization error that Faust would log and skip."""

from __future__ import annotations

from dataclasses import dataclass

import faust

from stream.settings import Settings


@dataclass(frozen=True)
class Topics:
    raw: faust.TopicT
    scored: faust.TopicT
    alerts: faust.TopicT
    feedback: faust.TopicT
    deadletter: faust.TopicT
    review: faust.TopicT
    scoped: faust.TopicT
    joins: faust.TopicT


def declare_topics(app: faust.App, settings: Settings) -> Topics:
    def topic(name: str, internal: bool = False) -> faust.TopicT:
        return app.topic(
            name,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            internal=internal,
            partitions=settings.topic_partitions if internal else None,
        )

    return Topics(
        raw=topic(settings.topic_raw),
        scored=topic(settings.topic_scored),
        alerts=topic(settings.topic_alerts),
        feedback=topic(settings.topic_feedback),
        deadletter=topic(settings.topic_deadletter),
        review=topic(settings.topic_review),
        scoped=topic(settings.topic_scoped, internal=True),
        joins=topic(settings.topic_joins, internal=True),
    )
