"""Kafka security: one set of settings for every client, on a broker with SASL_PLAINTEXT
(PLAIN, SCRAM-SHA-256/512), SSL (client certificates required) and SASL_SSL listeners.

The broker starts once for the module (`secured` fixture, ~20 s) with certificates made here.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import KafkaError
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from pydantic import ValidationError

from stream.app import broker_credentials, create_app
from stream.kafka.admin import smoke
from stream.kafka.security import (
    ClientErrors,
    KafkaSecurityError,
    librdkafka_config,
    security_error,
    ssl_context,
)
from stream.settings import Settings
from tests.kafka_broker import CLIENT_KEY_PASSWORD, SASL_PASSWORD, SASL_USER, secured_broker
from training.tools.local_worker import Worker, free_port, isolated_env, settings_from

SECRETS = (SASL_PASSWORD, CLIENT_KEY_PASSWORD, "wrong-password-1")


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with secured_broker(tmp_path_factory.mktemp("secured")) as broker:
        yield broker


def security_env(broker: dict[str, Any], variant: str) -> dict[str, str]:
    """The environment a deployment would set for one listener (the settings' only source)."""
    pki, bootstrap = broker["pki"], broker["bootstrap"]
    sasl = {"KAFKA_SASL_USERNAME": SASL_USER, "KAFKA_SASL_PASSWORD": SASL_PASSWORD}
    tls = {"KAFKA_SSL_CA_FILE": str(pki["ca"])}
    mtls = {
        **tls,
        "KAFKA_SSL_CERT_FILE": str(pki["client_cert"]),
        "KAFKA_SSL_KEY_FILE": str(pki["client_key"]),
        "KAFKA_SSL_KEY_PASSWORD": CLIENT_KEY_PASSWORD,
    }
    protocol, extra = {
        "sasl-plain-default": ("SASL_PLAINTEXT", sasl),  # no mechanism: PLAIN for both clients
        "sasl-scram-256": ("SASL_PLAINTEXT", {**sasl, "KAFKA_SASL_MECHANISM": "SCRAM-SHA-256"}),
        "ssl-client-cert": ("SSL", mtls),
        "sasl-ssl-scram-512": (
            "SASL_SSL",
            {**sasl, **tls, "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512"},
        ),
    }[variant]
    return {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap[protocol],
        "KAFKA_SECURITY_PROTOCOL": protocol,
        **extra,
    }


def build(env: dict[str, str], kafka: dict[str, Any] | None = None, **overrides: Any) -> Settings:
    """Settings from exactly `env` (and overrides): nothing from the shell or a `.env`."""
    fields = {name.removeprefix("KAFKA_").lower(): value for name, value in env.items()}
    return Settings(_env_file=None, kafka=fields | (kafka or {}), **overrides)


# Settings alone (no broker)


def test_only_authentication_and_tls_failures_are_fatal() -> None:
    for code in (KafkaError._AUTHENTICATION, KafkaError._SSL):
        fatal = security_error(KafkaError(code, "refused"))
        assert isinstance(fatal, KafkaSecurityError) and "KAFKA_SASL_*" in str(fatal)
    for code in (KafkaError._TRANSPORT, KafkaError._ALL_BROKERS_DOWN, KafkaError._TIMED_OUT):
        assert security_error(KafkaError(code, "retried")) is None


def test_client_errors_keep_the_fatal_one_and_say_once_that_they_wait(
    caplog: pytest.LogCaptureFixture,
) -> None:
    errors = ClientErrors(build({"KAFKA_BOOTSTRAP_SERVERS": "kafka-1:9092"}).kafka)
    for code in (KafkaError._TRANSPORT, KafkaError._ALL_BROKERS_DOWN, KafkaError._TRANSPORT):
        errors(KafkaError(code, "Connection refused"))
        errors.check()  # nothing fatal yet
    assert [r.getMessage() for r in caplog.records] == [
        "waiting for the Kafka broker at kafka-1:9092: Connection refused"
    ]
    errors(KafkaError(KafkaError._AUTHENTICATION, "SASL authentication error"))
    errors(KafkaError(KafkaError._SSL, "later"))
    with pytest.raises(KafkaSecurityError, match=r"^SASL authentication error"):
        errors.check()


def test_a_refused_password_is_not_announced_as_a_broker_out_of_reach(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """librdkafka reports 'brokers are down' and the refusal in the same poll."""
    errors = ClientErrors(build({"KAFKA_BOOTSTRAP_SERVERS": "kafka-1:9092"}).kafka)
    errors(KafkaError(KafkaError._ALL_BROKERS_DOWN, "1/1 brokers are down"))
    errors(KafkaError(KafkaError._AUTHENTICATION, "SASL authentication error"))
    with pytest.raises(KafkaSecurityError):
        errors.check()
    assert not caplog.records


def test_sasl_without_a_mechanism_is_plain_for_librdkafka_and_faust() -> None:
    settings = build(
        {"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KAFKA_SASL_USERNAME": "u"},
        {"sasl_password": "p"},
    )
    credentials = broker_credentials(settings)
    assert librdkafka_config(settings.kafka)["sasl.mechanism"] == "PLAIN"
    assert credentials_to_aiokafka_auth(credentials)["sasl_mechanism"] == "PLAIN"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sasl_mechanism": "GSSAPI"}, "Input should be 'PLAIN', 'SCRAM-SHA-256'"),
        ({"security_protocol": "SASL_SSL"}, "SASL_SSL needs KAFKA_SASL_USERNAME"),
        ({"sasl_username": "u", "sasl_password": "p"}, "KAFKA_SECURITY_PROTOCOL is"),
        ({"security_protocol": "SSL", "ssl_key_file": __file__}, "go together"),
        ({"ssl_ca_file": __file__}, "TLS files are set but"),
        (
            {"security_protocol": "SSL", "ssl_ca_file": "/no/ca.pem"},
            "ssl_ca_file\n  Path does not",
        ),
    ],
)
def test_inconsistent_security_settings_are_clear_errors(
    fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(_env_file=None, kafka=fields)


def test_ssl_without_sasl_reaches_faust_and_librdkafka(secured_pki: dict[str, Path]) -> None:
    settings = build(
        {
            "KAFKA_SECURITY_PROTOCOL": "SSL",
            "KAFKA_SSL_CA_FILE": str(secured_pki["ca"]),
            "KAFKA_SSL_CERT_FILE": str(secured_pki["client_cert"]),
            "KAFKA_SSL_KEY_FILE": str(secured_pki["client_key"]),
            "KAFKA_SSL_KEY_PASSWORD": CLIENT_KEY_PASSWORD,
        },
        {"ssl_check_hostname": False},
    )
    app = create_app(settings)
    auth = credentials_to_aiokafka_auth(app.conf.broker_credentials, app.conf.ssl_context)
    assert auth["security_protocol"] == "SSL" and auth["ssl_context"].check_hostname is False
    assert auth["ssl_context"].get_ca_certs()[0]["subject"] == (
        (("commonName", "Air Paradis test CA"),),
    )
    config = librdkafka_config(settings.kafka)
    assert config["security.protocol"] == "SSL" and "sasl.mechanism" not in config
    assert config["ssl.ca.location"] == str(secured_pki["ca"])
    assert config["ssl.certificate.location"] == str(secured_pki["client_cert"])
    assert config["ssl.key.password"] == CLIENT_KEY_PASSWORD
    assert config["ssl.endpoint.identification.algorithm"] == "none"


def test_secrets_are_not_in_reprs(secured_pki: dict[str, Path]) -> None:
    settings = build(
        {
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SASL_USERNAME": SASL_USER,
            "KAFKA_SASL_PASSWORD": SASL_PASSWORD,
            "KAFKA_SSL_CA_FILE": str(secured_pki["ca"]),
            "KAFKA_SSL_CERT_FILE": str(secured_pki["client_cert"]),
            "KAFKA_SSL_KEY_FILE": str(secured_pki["client_key"]),
            "KAFKA_SSL_KEY_PASSWORD": CLIENT_KEY_PASSWORD,
        }
    )
    shown = f"{settings!r} {settings} {broker_credentials(settings)!r} {settings.model_dump()}"
    assert not [secret for secret in SECRETS if secret in shown]
    assert ssl_context(settings.kafka) is not None  # the encrypted key opened with its password


@pytest.fixture(scope="module")
def secured_pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from tests.kafka_broker import write_pki

    return write_pki(tmp_path_factory.mktemp("pki"))


# Clients on the secured broker


@pytest.mark.kafka
@pytest.mark.parametrize(
    "variant", ["sasl-plain-default", "sasl-scram-256", "ssl-client-cert", "sasl-ssl-scram-512"]
)
def test_librdkafka_and_aiokafka_clients_on_each_listener(
    secured: dict[str, Any], variant: str
) -> None:
    settings = build(security_env(secured, variant), topic_raw=f"sec.{uuid.uuid4().hex[:8]}")
    assert smoke(settings, timeout_s=30).text  # admin, producer, consumer (librdkafka)
    sent = f"via faust's credentials {uuid.uuid4().hex}".encode()
    assert asyncio.run(_aiokafka_round_trip(settings, sent)) == sent


async def _aiokafka_round_trip(settings: Settings, value: bytes) -> bytes:
    """Produce and read back with aiokafka built from what Faust's app is configured with."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    conf = create_app(settings).conf
    auth = credentials_to_aiokafka_auth(conf.broker_credentials, conf.ssl_context)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, **auth)
    await producer.start()
    try:
        sent = await producer.send_and_wait(settings.topic_raw, value)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, **auth)
    await consumer.start()
    try:
        from aiokafka import TopicPartition

        tp = TopicPartition(sent.topic, sent.partition)
        consumer.assign([tp])
        consumer.seek(tp, sent.offset)
        record = await asyncio.wait_for(consumer.getone(), 30)
        return record.value
    finally:
        await consumer.stop()


@pytest.mark.kafka
@pytest.mark.parametrize("variant", ["sasl-plain-default", "ssl-client-cert", "sasl-ssl-scram-512"])
def test_worker_scores_through_the_secured_listener_with_the_cli(
    secured: dict[str, Any], variant: str, small_model_dir: Path, tmp_path: Path
) -> None:
    env = isolated_env("", str(small_model_dir), **security_env(secured, variant))
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        tweets = [{"id": f"t{i}", "text": f"@AirParadis flight {i} was great"} for i in range(5)]
        source = tmp_path / "tweets.jsonl"
        source.write_text("".join(json.dumps(t) + "\n" for t in tweets))
        produced = cli(env, "produce", str(source))
        assert produced.returncode == 0, produced.stderr
        tail = cli(env, "tail", "scored", "--from-start", "--limit", "5")
    finally:
        worker.stop()
    assert tail.returncode == 0, tail.stderr
    assert sorted(json.loads(line)["id"] for line in tail.stdout.splitlines()) == [
        t["id"] for t in tweets
    ]
    log = worker.log_path.read_text()
    assert not [secret for secret in SECRETS if secret in log + tail.stdout + tail.stderr]


def cli(env: dict[str, str], *args: str, timeout_s: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "stream.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


WRONG = {
    "bad-password": (
        "sasl-scram-256",
        {"KAFKA_SASL_PASSWORD": "wrong-password-1"},
        "Authentication failed",
    ),
    "untrusted-ca": ("ssl-client-cert", {"KAFKA_SSL_CA_FILE": "rogue_ca"}, "certificate verify"),
}


@pytest.mark.kafka
@pytest.mark.parametrize("case", sorted(WRONG))
def test_wrong_credentials_stop_the_worker_and_the_cli_with_the_cause(
    secured: dict[str, Any], case: str, small_model_dir: Path, tmp_path: Path
) -> None:
    variant, wrong, cause = WRONG[case]
    wrong = {k: str(secured["pki"].get(v, v)) for k, v in wrong.items()}
    env = {**isolated_env("", str(small_model_dir), **security_env(secured, variant)), **wrong}
    started = time.monotonic()
    worker = subprocess.run(
        [sys.executable, "-m", "stream.cli", "worker", "--loglevel", "warning"],
        env={**os.environ, **env, "AIRPARADIS_WEB_PORT": str(free_port())},
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.monotonic() - started
    assert worker.returncode == 1 and cause in worker.stderr, worker.stderr[-2000:]
    assert elapsed < 60, f"the worker took {elapsed:.0f}s to give up"
    print(f"{case}: worker exited 1 after {elapsed:.1f}s: {worker.stderr.splitlines()[-1]}")
    assert not [secret for secret in SECRETS if secret in worker.stdout + worker.stderr]

    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps({"text": "hello"}) + "\n")
    started = time.monotonic()
    produced = cli(env, "produce", str(source))
    elapsed = time.monotonic() - started
    assert elapsed < 15, f"produce took {elapsed:.0f}s to give up"  # librdkafka's flush: 25+ s
    tail = cli(env, "tail", "scored", "--limit", "1")
    for done in (produced, tail):
        assert done.returncode == 1 and "error: " in done.stderr and cause in done.stderr
    with pytest.raises(KafkaSecurityError, match=cause):
        smoke(settings_from(env), timeout_s=30)
