"""Kafka connection security from Settings, the one source for every client the project makes.

librdkafka (outbox, admin, CLI producer and tail) gets `librdkafka_config`; Faust's aiokafka
consumer and producer get `stream.app.broker_credentials`, built on `ssl_context`. Both read
the same fields, so a protocol, mechanism or certificate set once applies everywhere.
Authentication and TLS failures are fatal for a client (`raise_on_security_error`): retrying
a wrong password or an untrusted certificate only turns a clear error into a hang.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stream.settings import Settings

_SASL = ("SASL_PLAINTEXT", "SASL_SSL")
_TLS = ("SSL", "SASL_SSL")


class KafkaSecurityError(RuntimeError):
    """The broker refused this client's credentials, or the TLS handshake failed."""


def security_problems(settings: Settings) -> list[str]:
    """What is inconsistent in the security settings (empty: nothing)."""
    protocol, problems = settings.kafka_security_protocol, []
    sasl_set = settings.kafka_sasl_username is not None or settings.kafka_sasl_password is not None
    if protocol in _SASL and not (settings.kafka_sasl_username and settings.kafka_sasl_password):
        problems.append(f"{protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
    if protocol not in _SASL and sasl_set:
        problems.append(f"SASL credentials are set but KAFKA_SECURITY_PROTOCOL is {protocol}")
    tls_files = (settings.kafka_ssl_ca_file, settings.kafka_ssl_cert_file)
    if protocol not in _TLS and (any(tls_files) or settings.kafka_ssl_key_file):
        problems.append(f"TLS files are set but KAFKA_SECURITY_PROTOCOL is {protocol}")
    if (settings.kafka_ssl_cert_file is None) != (settings.kafka_ssl_key_file is None):
        problems.append("KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together")
    if settings.kafka_ssl_key_password is not None and settings.kafka_ssl_key_file is None:
        problems.append("KAFKA_SSL_KEY_PASSWORD is set without KAFKA_SSL_KEY_FILE")
    return problems


def librdkafka_config(settings: Settings) -> dict[str, Any]:
    """confluent-kafka connection settings, secrets included: never log the result."""
    protocol = settings.kafka_security_protocol
    config: dict[str, Any] = {
        "bootstrap.servers": settings.kafka_bootstrap_servers,
        "security.protocol": protocol,
    }
    if protocol in _SASL and settings.kafka_sasl_password is not None:
        config["sasl.mechanism"] = settings.kafka_sasl_mechanism  # never GSSAPI by omission
        config["sasl.username"] = settings.kafka_sasl_username
        config["sasl.password"] = settings.kafka_sasl_password.get_secret_value()
    if protocol in _TLS:
        config["ssl.endpoint.identification.algorithm"] = (
            "https" if settings.kafka_ssl_check_hostname else "none"
        )
        files = {
            "ssl.ca.location": settings.kafka_ssl_ca_file,
            "ssl.certificate.location": settings.kafka_ssl_cert_file,
            "ssl.key.location": settings.kafka_ssl_key_file,
        }
        config.update({key: str(path) for key, path in files.items() if path is not None})
        if settings.kafka_ssl_key_password is not None:
            config["ssl.key.password"] = settings.kafka_ssl_key_password.get_secret_value()
    return config


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context of the aiokafka clients (None without TLS): same CA, cert and key."""
    if settings.kafka_security_protocol not in _TLS:
        return None
    ca = settings.kafka_ssl_ca_file
    context = ssl.create_default_context(cafile=str(ca) if ca else None)
    context.check_hostname = settings.kafka_ssl_check_hostname
    if settings.kafka_ssl_cert_file and settings.kafka_ssl_key_file:
        password = settings.kafka_ssl_key_password
        context.load_cert_chain(
            settings.kafka_ssl_cert_file,
            settings.kafka_ssl_key_file,
            password.get_secret_value() if password else None,
        )
    return context


def raise_on_security_error(error: Any) -> None:
    """librdkafka `error_cb`: raise (from the poll, flush or consume that served it) on an
    authentication or TLS failure; other errors are retried by librdkafka as usual."""
    from confluent_kafka import KafkaError

    if error.code() in (KafkaError._AUTHENTICATION, KafkaError._SSL):
        raise KafkaSecurityError(f"{error.str()} (check KAFKA_SASL_* / KAFKA_SSL_* settings)")
