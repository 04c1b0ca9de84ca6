"""One typed, frozen settings object, read from the environment (and an ignored `.env`).

Built in entry points and passed down explicitly; importing this module has no side effects.
Every field reads `AIRPARADIS_<FIELD>`; well-known variables (`KAFKA_BOOTSTRAP_SERVERS`,
`MLFLOW_TRACKING_URI`, `POSTHOG_API_KEY`, ...) are accepted as they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, FilePath, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str) -> AliasChoices:
    """Accept both the plain well-known variable and its AIRPARADIS_ twin."""
    return AliasChoices(name, f"AIRPARADIS_{name}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AIRPARADIS_", env_file=".env", frozen=True, extra="ignore"
    )

    # Kafka connection and security (one source for every client: stream.kafka_security)
    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS")
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", validation_alias=_env("KAFKA_SECURITY_PROTOCOL")
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        "PLAIN", validation_alias=_env("KAFKA_SASL_MECHANISM")
    )
    kafka_sasl_username: str | None = Field(None, validation_alias=_env("KAFKA_SASL_USERNAME"))
    kafka_sasl_password: SecretStr | None = Field(
        None, validation_alias=_env("KAFKA_SASL_PASSWORD")
    )
    kafka_ssl_ca_file: FilePath | None = Field(None, validation_alias=_env("KAFKA_SSL_CA_FILE"))
    kafka_ssl_cert_file: FilePath | None = Field(None, validation_alias=_env("KAFKA_SSL_CERT_FILE"))
    kafka_ssl_key_file: FilePath | None = Field(None, validation_alias=_env("KAFKA_SSL_KEY_FILE"))
    kafka_ssl_key_password: SecretStr | None = Field(
        None, validation_alias=_env("KAFKA_SSL_KEY_PASSWORD")
    )
    kafka_ssl_check_hostname: bool = Field(True, validation_alias=_env("KAFKA_SSL_CHECK_HOSTNAME"))

    # Topics
    topic_raw: str = "tweets.raw"
    topic_scored: str = "tweets.scored"
    topic_alerts: str = "alerts"
    topic_feedback: str = "tweets.feedback"
    topic_deadletter: str = "tweets.deadletter"
    topic_review: str = "tweets.review"
    topic_partitions: int = Field(3, ge=1)
    topic_replication_factor: int = Field(1, ge=1)

    # Model and registry
    data_dir: Path = Path("var")
    mlflow_tracking_uri: str | None = Field(None, validation_alias=_env("MLFLOW_TRACKING_URI"))
    model_uri: str = "models:/air-paradis-lstm@champion"
    model_reload_interval_s: float = Field(30.0, gt=0)

    # Stream worker
    app_id: str = "air-paradis"
    web_port: int = 6066
    batch_size: int = Field(512, ge=1)
    batch_timeout_s: float = Field(0.035, gt=0)
    batches_in_flight: int = Field(4, ge=1)  # scored while earlier ones publish, kept in order
    score_in_subprocess: bool = True  # tokenize + model in a child process (a second core)
    max_text_chars: int = Field(10_000, ge=1)
    kafka_session_timeout_s: float = Field(10.0, gt=0, description="dead worker -> rebalance")
    model_retries: int = Field(2, ge=0)
    review_band: tuple[float, float] = (0.4, 0.6)

    # Hostile input and HTTP bounds (stream.records, stream.views; docs/events.md, docs/stream.md)
    kafka_message_max_bytes: int = Field(1_000_000, ge=65_536)  # the outbox's message.max.bytes
    max_payload_bytes: int = Field(262_144, ge=1_024)  # larger raw records: dead letters
    max_json_depth: int = Field(16, ge=2)  # deeper raw records: dead letters
    deadletter_max_bytes: int = Field(131_072, ge=16_384)  # payloads truncated to fit (+ sha256)
    http_max_body_bytes: int = Field(65_536, ge=1_024)  # POST /predict, /feedback bodies; else 413
    predict_max_texts: int = Field(256, ge=1)  # texts in one /predict request; else 413
    predict_max_concurrent: int = Field(2, ge=1)  # /predict requests in flight; else 503
    feedback_token: SecretStr | None = None  # when set, POST /feedback needs `Bearer <token>`
    # Faults (stream.watchdog, docs/stream.md): a worker that cannot make progress exits
    publish_timeout_s: float = Field(60.0, gt=0)  # a record unacknowledged this long fails
    stall_timeout_s: float = Field(120.0, gt=0)  # records wait, nothing published: exit
    fatal_exit_delay_s: float = Field(5.0, ge=0)  # /health says why this long, then exit 70
    shutdown_timeout_s: float = Field(20.0, gt=0)  # SIGTERM: hard exit past this
    model_cache_fallback: bool = True  # registry unreachable at start: serve the cached model

    # PostHog (off without a key; tweet text is never sent unless enabled)
    posthog_api_key: SecretStr | None = Field(None, validation_alias=_env("POSTHOG_API_KEY"))
    posthog_host: str = Field("https://eu.i.posthog.com", validation_alias=_env("POSTHOG_HOST"))
    posthog_sample_rate: float = Field(0.01, ge=0, le=1)
    posthog_send_text: bool = False
    posthog_queue_size: int = Field(1000, ge=1)  # events beyond it are dropped and counted
    posthog_timeout_s: float = Field(3.0, gt=0)  # HTTP timeout of the background sender

    # Event-time windows (stream.windows; docs/alerts.md)
    window_size_s: float = Field(60.0, gt=0)  # tumbling windows: bad buzz, gauges
    window_hopping_size_s: float = Field(900.0, gt=0)  # drift windows, advanced every tumbling one
    window_allowed_lateness_s: float = Field(60.0, ge=0)  # older events are rejected as late
    window_max_future_s: float = Field(300.0, ge=0)  # events this far past wall clock: rejected
    window_histogram_bins: int = Field(50, ge=2)  # score histogram bins (KS drift)
    window_idle_close_s: float = Field(60.0, gt=0)  # silent scope: event time runs with the clock
    window_tick_s: float = Field(5.0, gt=0)  # timer that closes windows of silent scopes

    # Alert scopes (stream.scopes): global + known airlines/tags + a few others + aspects
    scope_known_airlines: tuple[str, ...] = ("airparadis",)
    scope_known_tags: tuple[str, ...] = ()
    scope_max_other: int = Field(20, ge=0)  # hash buckets for unknown airlines (and tags)
    scope_aspect_keywords: dict[str, tuple[str, ...]] | None = None  # None: built-in map

    # Bad-buzz alerts (stream.rules)
    buzz_min_negative: int = Field(20, ge=1)  # negative tweets a window needs to alert
    buzz_sigma: float = Field(3.0, gt=0)  # raise at baseline mean + sigma * std
    buzz_ratio_ceiling: float = Field(0.8, gt=0, le=1)  # raise at this ratio whatever the baseline
    buzz_warmup_windows: int = Field(6, ge=0)  # baseline windows before sigma rule applies
    buzz_ewma_alpha: float = Field(0.1, gt=0, le=1)  # weight of each new window in the baseline
    buzz_min_std: float = Field(0.03, ge=0)  # floor on the baseline std
    buzz_baseline_min_tweets: int = Field(20, ge=1)  # thinner windows don't move the baseline
    alert_cooldown_s: float = Field(1800.0, ge=0)  # no re-raise this soon after a resolve
    alert_resolve_windows: int = Field(2, ge=1)  # quiet windows in a row that resolve

    # Drift alerts (stream.drift)
    drift_ks_threshold: float = Field(0.3, gt=0, le=1)
    drift_positive_shift_threshold: float = Field(0.3, gt=0)  # relative to production baseline
    drift_oov_ratio_threshold: float = Field(2.0, gt=1)  # window OOV rate / training OOV rate
    drift_min_window_tweets: int = Field(200, ge=1)  # thinner windows stay quiet
    drift_baseline_alpha: float = Field(0.1, gt=0, le=1)
    drift_warmup_windows: int = Field(6, ge=0)  # baseline windows before the positive-rate rule

    # Production accuracy from feedback (stream.rules)
    accuracy_window: int = Field(100, ge=1)  # last N labelled predictions
    accuracy_threshold: float = Field(0.70, gt=0, le=1)
    accuracy_resolve_margin: float = Field(0.02, ge=0)  # resolve at threshold + margin
    feedback_join_capacity: int = Field(100_000, ge=1)  # predictions kept per join partition

    # Labels: store, sink, annotation page (stream.labels; docs/labels.md)
    labels_url: str | None = None  # SQLAlchemy URL; None: SQLite file data_dir/labels.db
    labels_group_id: str = "air-paradis-labels-sink"
    labels_random_share: float = Field(0.01, ge=0, le=1)  # scored tweets queued as random
    labels_kappa_min: float = Field(0.8, ge=-1, le=1)  # batch kappa needed to trust annotations
    labels_kappa_window: int = Field(100, ge=2)  # double-labelled tweets per kappa batch
    annotate_port: int = 8088
    annotate_host: str = "127.0.0.1"
    annotate_tokens: dict[str, SecretStr] = {}  # annotator name -> token (JSON in env)

    @property
    def labels_db_url(self) -> str:
        """The label store's URL: the configured one, else SQLite in `data_dir`."""
        return self.labels_url or f"sqlite:///{(self.data_dir / 'labels.db').resolve()}"

    @model_validator(mode="after")
    def _outputs_fit_the_broker(self) -> Settings:
        """A dead letter, or a scored event of the largest accepted raw record, must fit."""
        if self.deadletter_max_bytes + 1_024 > self.kafka_message_max_bytes:
            raise ValueError("deadletter_max_bytes must be 1 KiB under kafka_message_max_bytes")
        if self.max_payload_bytes + 4_096 > self.kafka_message_max_bytes:
            raise ValueError("max_payload_bytes must be 4 KiB under kafka_message_max_bytes")
        return self

    @property
    def tracking_uri(self) -> str:
        """MLflow tracking URI: the configured one, else a SQLite store in `data_dir`."""
        if self.mlflow_tracking_uri:
            return self.mlflow_tracking_uri
        return f"sqlite:///{(self.data_dir / 'mlflow.db').resolve()}"

    @property
    def artifact_root(self) -> Path:
        return (self.data_dir / "mlartifacts").resolve()

    @property
    def topic_scoped(self) -> str:
        """Internal: per-scope window deltas, keyed by scope (written and read by the worker)."""
        return f"{self.app_id}-scoped"

    @property
    def topic_joins(self) -> str:
        """Internal: predictions and feedback keyed by tweet id, for the feedback join."""
        return f"{self.app_id}-joins"

    def all_topics(self) -> list[str]:
        return [
            self.topic_raw,
            self.topic_scored,
            self.topic_alerts,
            self.topic_feedback,
            self.topic_deadletter,
            self.topic_review,
        ]

    @model_validator(mode="after")
    def _kafka_security_is_consistent(self) -> Settings:
        from stream.kafka_security import security_problems

        if problems := security_problems(self):
            raise ValueError("Kafka security settings: " + "; ".join(problems))
        return self

    def kafka_client_config(self) -> dict[str, Any]:
        """librdkafka (confluent-kafka) connection settings, secrets included: never log it."""
        from stream.kafka_security import librdkafka_config

        return librdkafka_config(self)
