"""Topic administration and a broker smoke test (confluent-kafka), behind `airparadis-kafka`.

`ensure_topics` is idempotent: it creates the project's missing topics with the configured
partitions and replication factor and leaves existing ones alone.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from concurrent.futures import Future
from typing import Annotated, Any, Literal, NoReturn

import typer
from confluent_kafka import (
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient, NewTopic

from stream.kafka.security import KafkaSecurityError, librdkafka_config, raise_on_security_error
from stream.records import RawTweet, parse_raw_tweet, utcnow
from stream.settings import Settings

TopicOutcome = Literal["created", "exists"]


class BrokerError(RuntimeError):
    """The broker could not be reached or refused an operation."""


_RETRY_TIMING = re.compile(r" \(after \d+ms in state \w+\)")


class _OncePerMessage(logging.Filter):
    """librdkafka repeats connection failures every few ms while retrying: log each once."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = _RETRY_TIMING.sub("", record.getMessage())  # "(after 310ms in state ...)"
        if message in self.seen:
            return False
        self.seen.add(message)
        return True


def _client_config(settings: Settings) -> dict[str, Any]:
    logger = logging.getLogger(f"{__name__}.rdkafka")
    if not logger.filters:
        logger.addFilter(_OncePerMessage())
    return {
        **librdkafka_config(settings.kafka),
        "logger": logger,
        "error_cb": raise_on_security_error,  # a wrong password fails now, not at the timeout
    }


def describe_topics(settings: Settings, timeout_s: float = 10.0) -> dict[str, int]:
    """Partition count of every topic on the broker."""
    return _partition_counts(AdminClient(_client_config(settings)), settings, timeout_s)


def _partition_counts(admin: AdminClient, settings: Settings, timeout_s: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout_s
    while True:  # in steps, polling between them: an authentication or TLS error raises
        try:
            metadata = admin.list_topics(timeout=min(1.0, max(deadline - time.monotonic(), 0.01)))
            return {name: len(topic.partitions) for name, topic in metadata.topics.items()}
        except KafkaException as exc:
            admin.poll(0)
            if time.monotonic() >= deadline:
                raise BrokerError(f"{settings.kafka.bootstrap_servers}: {_reason(exc)}") from None


def _reason(exc: KafkaException) -> str:
    error = exc.args[0]
    return error.str() if isinstance(error, KafkaError) else str(error)


def ensure_topics(
    settings: Settings, topics: list[str] | None = None, timeout_s: float = 30.0
) -> dict[str, TopicOutcome]:
    """Create the missing topics (default: settings.all_topics()); report each one's outcome."""
    wanted = list(dict.fromkeys(topics if topics is not None else settings.all_topics()))
    admin = AdminClient(_client_config(settings))  # keep a reference until futures resolve
    existing = _partition_counts(admin, settings, timeout_s)
    outcome: dict[str, TopicOutcome] = {name: "exists" for name in wanted if name in existing}
    missing = [
        NewTopic(name, settings.topic_partitions, settings.topic_replication_factor)
        for name in wanted
        if name not in existing
    ]
    if missing:
        futures = admin.create_topics(missing, request_timeout=timeout_s)
        for name, future in futures.items():
            outcome[name] = _creation_outcome(name, future, timeout_s)
    return {name: outcome[name] for name in wanted}


def _creation_outcome(name: str, future: Future[None], timeout_s: float) -> TopicOutcome:
    try:
        future.result(timeout=timeout_s)
    except KafkaException as exc:
        if exc.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS:  # created meanwhile elsewhere
            return "exists"
        raise BrokerError(f"topic '{name}': {_reason(exc)}") from None
    return "created"


def delete_topics_containing(settings: Settings, marker: str, timeout_s: float = 10.0) -> list[str]:
    """Delete every topic whose name contains `marker` (a test's or a benchmark run's,
    Faust's internal ones included), so a shared broker stays lean; the names deleted."""
    admin = AdminClient(_client_config(settings))
    names = [name for name in admin.list_topics(timeout=timeout_s).topics if marker in name]
    if names:
        for future in admin.delete_topics(names, operation_timeout=timeout_s).values():
            try:
                future.result(timeout=timeout_s)
            except KafkaException as exc:  # already gone is fine
                if exc.args[0].code() != KafkaError.UNKNOWN_TOPIC_OR_PART:
                    raise
    return names


def smoke(settings: Settings, timeout_s: float = 30.0) -> RawTweet:
    """Produce one tweet to the raw topic (created if missing) and read that record back."""
    ensure_topics(settings, [settings.topic_raw], timeout_s)
    tweet = RawTweet(
        id=f"smoke-{uuid.uuid4().hex}", text="Smoke test: flight on time", created_at=utcnow()
    )
    partition, offset = _produce(settings, tweet, timeout_s)
    received = _read_back(
        settings, TopicPartition(settings.topic_raw, partition, offset), timeout_s
    )
    parsed = parse_raw_tweet(received, settings.limits.max_text_chars)
    if parsed != tweet:
        raise BrokerError(f"read back {parsed!r}, expected {tweet!r}")
    return parsed


def _produce(settings: Settings, tweet: RawTweet, timeout_s: float) -> tuple[int, int]:
    delivered: list[tuple[int, int]] = []
    errors: list[str] = []

    def on_delivery(error: KafkaError | None, message: Message) -> None:
        if error is not None:
            errors.append(error.str())
        else:
            delivered.append((message.partition() or 0, message.offset() or 0))

    producer = Producer({**_client_config(settings), "acks": "all"})
    producer.produce(settings.topic_raw, tweet.to_json(), key=tweet.id, on_delivery=on_delivery)
    producer.flush(timeout_s)
    if errors or not delivered:
        raise BrokerError(f"produce to '{settings.topic_raw}' failed: {errors or 'timed out'}")
    return delivered[0]


def _read_back(settings: Settings, position: TopicPartition, timeout_s: float) -> bytes:
    config = {**_client_config(settings), "group.id": f"smoke-{uuid.uuid4().hex}"}
    consumer = Consumer({**config, "enable.auto.commit": False})
    consumer.assign([position])
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if (error := message.error()) is not None:
                raise BrokerError(f"consume from '{position.topic}': {error.str()}")
            return message.value() or b""
    finally:
        consumer.close()
    raise BrokerError(f"no record at {position.topic}[{position.partition}]@{position.offset}")


cli = typer.Typer(help="Kafka administration for Air Paradis.", no_args_is_help=True)


@cli.command("ensure-topics")
def ensure_topics_command(
    topic: Annotated[
        list[str] | None, typer.Option(help="Topic to ensure (repeatable); default: all")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the broker")] = 15.0,
) -> None:
    """Create the project's topics if missing (idempotent)."""
    settings = Settings()
    try:
        outcome = ensure_topics(settings, topic, timeout)
        partitions = describe_topics(settings, timeout)
    except (BrokerError, KafkaSecurityError) as exc:
        _fail(exc)
    for name, result in outcome.items():
        typer.echo(f"{name}: {result} ({partitions.get(name, '?')} partitions)")


@cli.command("smoke")
def smoke_command(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the broker")] = 15.0,
) -> None:
    """Produce one tweet to the raw topic and read it back."""
    settings = Settings()
    started = time.perf_counter()
    try:
        tweet = smoke(settings, timeout)
    except (BrokerError, KafkaSecurityError) as exc:
        _fail(exc)
    elapsed = time.perf_counter() - started
    typer.echo(f"ok: {tweet.id} round-tripped through '{settings.topic_raw}' in {elapsed:.2f}s")


def _fail(exc: Exception) -> NoReturn:
    typer.echo(f"error: {exc}", err=True)
    if isinstance(exc, BrokerError):
        typer.echo("hint: is the broker running? (make kafka-start)", err=True)
    raise typer.Exit(1)
