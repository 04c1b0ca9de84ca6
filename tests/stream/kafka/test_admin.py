"""ensure_topics and the `airparadis-kafka` commands against a real broker."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from stream.kafka.admin import BrokerError, cli, describe_topics, ensure_topics, smoke
from stream.settings import Settings


@pytest.mark.kafka
def test_ensure_topics_creates_then_is_idempotent(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory(topic_partitions=2)

    first = ensure_topics(settings)
    second = ensure_topics(settings)

    assert first == {name: "created" for name in settings.all_topics()}
    assert second == {name: "exists" for name in settings.all_topics()}
    partitions = describe_topics(settings)
    assert {name: partitions[name] for name in settings.all_topics()} == dict.fromkeys(
        settings.all_topics(), 2
    )


@pytest.mark.kafka
def test_ensure_topics_only_the_ones_asked(settings: Settings) -> None:
    assert ensure_topics(settings, [settings.topic_alerts]) == {settings.topic_alerts: "created"}
    assert settings.topic_raw not in describe_topics(settings)


@pytest.mark.kafka
def test_invalid_topic_name_is_an_error_naming_it(settings: Settings) -> None:
    with pytest.raises(BrokerError, match=r"topic 'bad name!'"):
        ensure_topics(settings, ["bad name!"])


@pytest.mark.kafka
def test_smoke_round_trips_one_tweet(settings: Settings) -> None:
    tweet = smoke(settings, timeout_s=30)
    assert tweet.id.startswith("smoke-")
    assert describe_topics(settings)[settings.topic_raw] == settings.topic_partitions


def test_unreachable_broker_is_a_clear_error(settings: Settings) -> None:
    started = time.monotonic()
    with pytest.raises(BrokerError, match=settings.kafka.bootstrap_servers):
        ensure_topics(settings, timeout_s=1.0)
    assert time.monotonic() - started < 10


@pytest.mark.kafka
def test_cli_ensure_topics_and_smoke(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", settings.kafka.bootstrap_servers)
    monkeypatch.setenv("AIRPARADIS_TOPIC_RAW", settings.topic_raw)
    runner = CliRunner()

    created = runner.invoke(cli, ["ensure-topics", "--topic", settings.topic_raw])
    smoked = runner.invoke(cli, ["smoke"])

    assert created.exit_code == 0, created.output
    assert (
        f"{settings.topic_raw}: created ({settings.topic_partitions} partitions)" in created.output
    )
    assert smoked.exit_code == 0, smoked.output
    assert f"round-tripped through '{settings.topic_raw}'" in smoked.output


def test_cli_fails_with_exit_1_when_no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")
    result = CliRunner().invoke(cli, ["ensure-topics", "--timeout", "1"])
    assert result.exit_code == 1
    assert "127.0.0.1:9" in result.output
