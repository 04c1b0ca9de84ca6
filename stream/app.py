"""The Faust application: one place where the app is created from Settings."""

from __future__ import annotations

import faust
from faust.types.auth import CredentialsT

from stream.kafka.security import ssl_context
from stream.kafka.transport import Transport
from stream.settings import Settings


def broker_credentials(settings: Settings) -> CredentialsT | None:
    """Faust's (aiokafka) credentials from the settings librdkafka's clients use too."""
    context = ssl_context(settings.kafka)
    password = settings.kafka.sasl_password
    if settings.kafka.security_protocol.startswith("SASL_") and password is not None:
        return faust.SASLCredentials(
            username=settings.kafka.sasl_username,
            password=password.get_secret_value(),
            mechanism=settings.kafka.sasl_mechanism,
            ssl_context=context,  # SASL_SSL with a context, SASL_PLAINTEXT without
        )
    return None if context is None else faust.SSLCredentials(context)


def create_app(settings: Settings) -> faust.App:
    app = faust.App(
        settings.app_id,
        broker=f"kafka://{settings.kafka.bootstrap_servers}",
        broker_credentials=broker_credentials(settings),
        store="memory://",
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication_factor,
        producer_acks=-1,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=1.0,
        producer_linger=0.005,  # batch produce requests: one per partition per batch
        datadir=str(settings.data_dir / "faust" / "{conf.name}"),
        broker_session_timeout=settings.kafka.session_timeout_s,
        broker_heartbeat_interval=min(3.0, settings.kafka.session_timeout_s / 3),
        web_port=settings.web_port,
        web_bind="0.0.0.0",
        web_in_thread=False,
        autodiscover=False,
    )
    app.transport = Transport(app.conf.broker_consumer, app)  # before topics use it
    return app
