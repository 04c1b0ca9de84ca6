"""Kafka connection security from `Settings.kafka`, one source for every client the project makes.

librdkafka (outbox, admin, CLI producer and tail) gets `librdkafka_config`; Faust's aiokafka
consumer and producer get `stream.app.broker_credentials`, built on `ssl_context`. Both read
the same fields, so a protocol, mechanism or certificate set once applies everywhere
(`KafkaSettings` checks that they are consistent).
Authentication and TLS failures are fatal for a client (`security_error`): retrying
a wrong password or an untrusted certificate only turns a clear error into a hang.
"""

from __future__ import annotations

import logging
import ssl
from typing import Any

from stream.quiet import LIBRDKAFKA_LOGGER
from stream.settings import SASL_PROTOCOLS as _SASL
from stream.settings import TLS_PROTOCOLS as _TLS
from stream.settings import KafkaSettings

log = logging.getLogger(__name__)


class KafkaSecurityError(RuntimeError):
    """The broker refused this client's credentials, or the TLS handshake failed."""


def librdkafka_config(kafka: KafkaSettings) -> dict[str, Any]:
    """confluent-kafka connection settings, secrets included: never log the result."""
    protocol = kafka.security_protocol
    config: dict[str, Any] = {
        "bootstrap.servers": kafka.bootstrap_servers,
        "security.protocol": protocol,
    }
    if protocol in _SASL and kafka.sasl_password is not None:
        config["sasl.mechanism"] = kafka.sasl_mechanism  # never GSSAPI by omission
        config["sasl.username"] = kafka.sasl_username
        config["sasl.password"] = kafka.sasl_password.get_secret_value()
    if protocol in _TLS:
        config["ssl.endpoint.identification.algorithm"] = (
            "https" if kafka.ssl_check_hostname else "none"
        )
        files = {
            "ssl.ca.location": kafka.ssl_ca_file,
            "ssl.certificate.location": kafka.ssl_cert_file,
            "ssl.key.location": kafka.ssl_key_file,
        }
        config.update({key: str(path) for key, path in files.items() if path is not None})
        if kafka.ssl_key_password is not None:
            config["ssl.key.password"] = kafka.ssl_key_password.get_secret_value()
    return config


def ssl_context(kafka: KafkaSettings) -> ssl.SSLContext | None:
    """The TLS context of the aiokafka clients (None without TLS): same CA, cert and key."""
    if kafka.security_protocol not in _TLS:
        return None
    ca = kafka.ssl_ca_file
    context = ssl.create_default_context(cafile=str(ca) if ca else None)
    context.check_hostname = kafka.ssl_check_hostname
    if kafka.ssl_cert_file and kafka.ssl_key_file:
        password = kafka.ssl_key_password
        context.load_cert_chain(
            kafka.ssl_cert_file,
            kafka.ssl_key_file,
            password.get_secret_value() if password else None,
        )
    return context


def security_error(error: Any) -> KafkaSecurityError | None:
    """The fatal error a librdkafka `error_cb` report stands for, if it is one: an
    authentication or TLS failure; other errors are retried by librdkafka as usual."""
    from confluent_kafka import KafkaError

    if error.code() in (KafkaError._AUTHENTICATION, KafkaError._SSL):
        return KafkaSecurityError(f"{error.str()} (check KAFKA_SASL_* / KAFKA_SSL_* settings)")
    return None


def raise_on_security_error(error: Any) -> None:
    """librdkafka `error_cb` of admin clients: raise the `security_error` from the call that
    served it."""
    if (fatal := security_error(error)) is not None:
        raise fatal


class ClientErrors:
    """The `error_cb` and logger of the CLI's librdkafka clients. The callback only records;
    `check`, called after each poll, raises the first fatal error (an exception raised
    inside a librdkafka callback can leave work for the deallocator, whose callbacks may
    crash the interpreter at exit), or else says once that the broker cannot be reached:
    librdkafka's own log, sent to the quiet `LIBRDKAFKA_LOGGER`, says it up to 20 times a
    second."""

    def __init__(self, kafka: KafkaSettings) -> None:
        self.bootstrap = kafka.bootstrap_servers
        self.fatal: KafkaSecurityError | None = None
        self.unreachable: str | None = None  # librdkafka's reason, until said
        self._said = False

    def config(self) -> dict[str, Any]:
        return {"error_cb": self, "logger": logging.getLogger(LIBRDKAFKA_LOGGER)}

    def __call__(self, error: Any) -> None:
        from confluent_kafka import KafkaError

        self.fatal = self.fatal or security_error(error)
        if error.code() in (KafkaError._TRANSPORT, KafkaError._ALL_BROKERS_DOWN):
            self.unreachable = self.unreachable or error.str()

    def check(self) -> None:
        """Raise the fatal error, if one was reported; else say once if the broker is out of
        reach (a refused password also shows first as 'brokers are down')."""
        if self.fatal is not None:
            raise self.fatal
        if self.unreachable and not self._said:
            self._said = True
            log.warning("waiting for the Kafka broker at %s: %s", self.bootstrap, self.unreachable)
