"""One typed, frozen settings object, read from the environment (and an ignored `.env`).

Built in entry points and passed down explicitly; importing this module has no side effects.
Every field reads `AIRPARADIS_<FIELD>`; well-known variables (`KAFKA_BOOTSTRAP_SERVERS`,
`MLFLOW_TRACKING_URI`, `POSTHOG_API_KEY`, ...) are accepted as they are. Groups (`buzz`,
`windows`, `kafka`, ...) are the config objects their code receives, each with the only copy
of its defaults (in its own module, or here when that module imports Settings). Their
variables keep the flat names (`AIRPARADIS_BUZZ_SIGMA` sets `settings.buzz.sigma`, see
GROUP_ENV); keyword overrides nest and merge: `Settings(buzz={"sigma": 2})`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    FilePath,
    SecretStr,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from models.settings import RegistrySettings
from models.settings import env_alias as _env
from stream.alerts.accuracy import AccuracyConfig
from stream.alerts.buzz import BuzzConfig
from stream.alerts.drift import DriftConfig
from stream.alerts.scopes import ScopeSettings
from stream.alerts.state import WindowSettings
from stream.records import InputLimits

SASL_PROTOCOLS = ("SASL_PLAINTEXT", "SASL_SSL")
TLS_PROTOCOLS = ("SSL", "SASL_SSL")

# The groups whose code imports Settings are defined here (there they would close a circle).


class KafkaSettings(BaseModel):
    """`Settings.kafka`: connection and security of every client (stream.kafka.security makes
    the librdkafka and aiokafka configs of it). Connection fields read `KAFKA_<FIELD>` or
    `AIRPARADIS_KAFKA_<FIELD>`; the two limits `AIRPARADIS_KAFKA_<FIELD>` only."""

    model_config = ConfigDict(frozen=True, validate_by_name=True)

    bootstrap_servers: str = Field(
        "127.0.0.1:9092", validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS")
    )
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", validation_alias=_env("KAFKA_SECURITY_PROTOCOL")
    )
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        "PLAIN", validation_alias=_env("KAFKA_SASL_MECHANISM")
    )
    sasl_username: str | None = Field(None, validation_alias=_env("KAFKA_SASL_USERNAME"))
    sasl_password: SecretStr | None = Field(None, validation_alias=_env("KAFKA_SASL_PASSWORD"))
    ssl_ca_file: FilePath | None = Field(None, validation_alias=_env("KAFKA_SSL_CA_FILE"))
    ssl_cert_file: FilePath | None = Field(None, validation_alias=_env("KAFKA_SSL_CERT_FILE"))
    ssl_key_file: FilePath | None = Field(None, validation_alias=_env("KAFKA_SSL_KEY_FILE"))
    ssl_key_password: SecretStr | None = Field(
        None, validation_alias=_env("KAFKA_SSL_KEY_PASSWORD")
    )
    ssl_check_hostname: bool = Field(True, validation_alias=_env("KAFKA_SSL_CHECK_HOSTNAME"))
    session_timeout_s: float = Field(10.0, gt=0)  # a dead worker -> rebalance
    message_max_bytes: int = Field(1_000_000, ge=65_536)  # the outbox's message.max.bytes

    @model_validator(mode="after")
    def _security_is_consistent(self) -> KafkaSettings:
        if problems := self.security_problems():
            raise ValueError("Kafka security settings: " + "; ".join(problems))
        return self

    def security_problems(self) -> list[str]:
        """What is inconsistent in the security settings (empty: nothing)."""
        protocol, problems = self.security_protocol, []
        sasl_set = self.sasl_username is not None or self.sasl_password is not None
        if protocol in SASL_PROTOCOLS and not (self.sasl_username and self.sasl_password):
            problems.append(f"{protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
        if protocol not in SASL_PROTOCOLS and sasl_set:
            problems.append(f"SASL credentials are set but KAFKA_SECURITY_PROTOCOL is {protocol}")
        if protocol not in TLS_PROTOCOLS and (
            self.ssl_ca_file or self.ssl_cert_file or self.ssl_key_file
        ):
            problems.append(f"TLS files are set but KAFKA_SECURITY_PROTOCOL is {protocol}")
        if (self.ssl_cert_file is None) != (self.ssl_key_file is None):
            problems.append("KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together")
        if self.ssl_key_password is not None and self.ssl_key_file is None:
            problems.append("KAFKA_SSL_KEY_PASSWORD is set without KAFKA_SSL_KEY_FILE")
        return problems


class PosthogSettings(BaseModel):
    """`Settings.posthog`: off without a key; tweet text is never sent unless enabled."""

    model_config = ConfigDict(frozen=True, validate_by_name=True)

    api_key: SecretStr | None = Field(None, validation_alias=_env("POSTHOG_API_KEY"))
    host: str = Field("https://eu.i.posthog.com", validation_alias=_env("POSTHOG_HOST"))
    sample_rate: float = Field(0.01, ge=0, le=1)
    send_text: bool = False
    queue_size: int = Field(1000, ge=1)  # events beyond it are dropped and counted
    timeout_s: float = Field(3.0, gt=0)  # HTTP timeout of the background sender


class GuardConfig(BaseModel):
    """`Settings.rollout.guards` (stream.rollout.guards), from `AIRPARADIS_ROLLOUT_<FIELD>`."""

    model_config = ConfigDict(frozen=True)

    shadow_dwell_s: float = Field(86_400.0, ge=0)  # production 24 h; tests use seconds
    canary_dwell_s: float = Field(172_800.0, ge=0)  # production 48 h per canary step
    min_events: int = Field(1_000, ge=1)  # challenger tweets a step needs before it may advance
    max_error_rate: float = Field(0.01, ge=0, le=1)  # model_error dead letters
    max_p95_s: float = Field(2.0, gt=0)
    max_p95_ratio: float = Field(2.0, ge=1)  # challenger p95 / champion p95
    max_negative_gap: float = Field(0.15, gt=0, le=1)
    min_labels: int = Field(50, ge=1)  # per version, before accuracy is judged
    max_accuracy_drop: float = Field(0.05, ge=0, le=1)


class RolloutSettings(BaseModel):
    """`Settings.rollout`, read from `AIRPARADIS_ROLLOUT_<FIELD>` (the guards' fields too)."""

    model_config = ConfigDict(frozen=True)

    check_interval_s: float = Field(30.0, gt=0)  # guards, and the record's poll
    start_alias: str | None = "challenger-approved"  # the gate's alias starts a rollout
    steps: tuple[float, ...] = (0.1, 0.5, 1.0)  # canary shares after the shadow
    shadow_window: int = Field(1_000, ge=10)  # tweets of the shadow comparison
    guards: GuardConfig = GuardConfig()


class RetrainConfig(BaseModel):
    """`Settings.retrain` (stream.rollout.retrain), from `AIRPARADIS_RETRAIN_<FIELD>`."""

    model_config = ConfigDict(frozen=True)

    cron: str = "0 3 1 * *"  # monthly, 03:00 UTC on the 1st (orchestrator crontab)
    min_interval_s: float = Field(86_400.0, ge=0)  # between two retrain requests
    max_duration_s: float = Field(21_600.0, gt=0)  # in flight longer: lost
    command: str = "airparadis-train retrain --model lstm"  # run by the orchestrator


# Where each group's variables come from: AIRPARADIS_ + prefix + field name, the names the
# flat settings had (AIRPARADIS_BUZZ_SIGMA -> buzz.sigma); a field's own alias wins
# (POSTHOG_API_KEY). Every alert rule shares one incident policy, AIRPARADIS_ALERT_*.
GROUP_ENV: dict[str, str] = {
    "kafka": "KAFKA_",
    "limits": "",
    "windows": "WINDOW_",
    "scopes": "SCOPE_",
    "buzz": "BUZZ_",
    "buzz.policy": "ALERT_",
    "drift": "DRIFT_",
    "drift.policy": "ALERT_",
    "accuracy": "ACCURACY_",
    "accuracy.policy": "ALERT_",
    "posthog": "POSTHOG_",
    "rollout": "ROLLOUT_",
    "rollout.guards": "ROLLOUT_",
    "retrain": "RETRAIN_",
}


class Settings(RegistrySettings):
    model_config = SettingsConfigDict(
        env_prefix="AIRPARADIS_", env_file=".env", frozen=True, extra="ignore"
    )

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
    model_uri: str = "models:/air-paradis-lstm@champion"
    model_reload_interval_s: float = Field(30.0, gt=0)

    # Stream worker
    app_id: str = "air-paradis"
    web_port: int = 6066
    batch_size: int = Field(512, ge=1)
    batch_timeout_s: float = Field(0.035, gt=0)
    batches_in_flight: int = Field(4, ge=1)  # scored while earlier ones publish, kept in order
    score_in_subprocess: bool = True  # tokenize + model in a child process (a second core)
    model_retries: int = Field(2, ge=0)
    review_band: tuple[float, float] = (0.4, 0.6)

    # Hostile input and HTTP bounds (stream.records, stream.views; docs/events.md, docs/stream.md)
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

    feedback_join_capacity: int = Field(100_000, ge=1)  # predictions kept per join partition

    # Groups: each is the config object its code receives, defaults included (GROUP_ENV)
    kafka: KafkaSettings = KafkaSettings()  # stream.kafka: every client, one source
    limits: InputLimits = InputLimits()  # stream.records: hostile raw records
    windows: WindowSettings = WindowSettings()  # stream.alerts.state; docs/alerts.md
    scopes: ScopeSettings = ScopeSettings()  # stream.alerts.scopes
    buzz: BuzzConfig = BuzzConfig()  # stream.alerts.buzz
    drift: DriftConfig = DriftConfig()  # stream.alerts.drift
    accuracy: AccuracyConfig = AccuracyConfig()  # stream.alerts.accuracy: from feedback
    posthog: PosthogSettings = PosthogSettings()  # stream.analytics
    rollout: RolloutSettings = RolloutSettings()  # stream.rollout; docs/rollout.md
    retrain: RetrainConfig = RetrainConfig()  # stream.rollout.retrain

    # Labels: store, sink, annotation page (stream.labels; docs/labels.md)
    labels_url: str | None = None  # SQLAlchemy URL; None: SQLite file data_dir/labels.db
    labels_group_id: str = "air-paradis-labels-sink"
    labels_random_share: float = Field(0.01, ge=0, le=1)  # scored tweets queued as random
    labels_kappa_min: float = Field(0.8, ge=-1, le=1)  # batch kappa needed to trust annotations
    labels_kappa_window: int = Field(100, ge=2)  # double-labelled tweets per kappa batch
    annotate_port: int = 8088
    annotate_host: str = "127.0.0.1"
    annotate_tokens: dict[str, SecretStr] = {}  # annotator name -> token (JSON in env)

    # Rollout and automatic retraining (stream.rollout; docs/rollout.md; groups above)
    topic_shadow: str = "tweets.shadow"  # both models' scores while a challenger is in shadow
    topic_retrain: str = "retrain.events"  # retrain requests, skips and outcomes
    orchestrator_port: int = 6067  # web port of `airparadis-stream orchestrator`

    @property
    def labels_db_url(self) -> str:
        """The label store's URL: the configured one, else SQLite in `data_dir`."""
        return self.labels_url or f"sqlite:///{(self.data_dir / 'labels.db').resolve()}"

    @model_validator(mode="after")
    def _outputs_fit_the_broker(self) -> Settings:
        """A dead letter, or a scored event of the largest accepted raw record, must fit."""
        if self.limits.deadletter_max_bytes + 1_024 > self.kafka.message_max_bytes:
            raise ValueError(
                "limits.deadletter_max_bytes must be 1 KiB under kafka.message_max_bytes"
            )
        if self.limits.max_payload_bytes + 4_096 > self.kafka.message_max_bytes:
            raise ValueError("limits.max_payload_bytes must be 4 KiB under kafka.message_max_bytes")
        return self

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

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Keyword arguments, then the environment, then `.env` (nested keys merge)."""
        assert isinstance(env_settings, EnvSettingsSource)
        assert isinstance(dotenv_settings, DotEnvSettingsSource)
        groups = GroupEnvSource(settings_cls, env_settings, dotenv_settings)
        return init_settings, env_settings, groups, dotenv_settings, file_secret_settings


class GroupEnvSource(PydanticBaseSettingsSource):
    """Each group's variables (GROUP_ENV), from the environment over `.env`, as nested dicts."""

    def __init__(
        self, settings_cls: type[BaseSettings], env: EnvSettingsSource, dotenv: DotEnvSettingsSource
    ) -> None:
        super().__init__(settings_cls)
        self.env, self.dotenv = env, dotenv

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads whole groups

    def __call__(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for path, prefix in GROUP_ENV.items():
            *parents, name = path.split(".")
            node: dict[str, Any] = out
            model: type[BaseModel] = self.settings_cls
            for part in parents:
                node, model = node.setdefault(part, {}), _group_model(model, part)
            if values := self._read(_group_model(model, name), self.env.env_prefix + prefix):
                node.setdefault(name, {}).update(values)
        return out

    def _read(self, model: type[BaseModel], prefix: str) -> dict[str, Any]:
        group: Any = model  # the sources read a model's fields, settings class or not
        case = self.env.case_sensitive
        values: dict[str, Any] = {}
        if self.dotenv.env_file is not None:
            dotenv = DotEnvSettingsSource(
                group, self.dotenv.env_file, env_prefix=prefix, case_sensitive=case
            )
            values.update(_by_field_name(model, dotenv()))
        env = EnvSettingsSource(group, env_prefix=prefix, case_sensitive=case)
        values.update(_by_field_name(model, env()))
        return values


def _by_field_name(model: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """Keys by field name (a value found under an alias too), so keyword arguments merge."""
    out: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        alias = field.validation_alias
        keys = alias.choices if isinstance(alias, AliasChoices) else [alias]
        for key in [name, *keys]:
            if isinstance(key, str) and key in values:
                out[name] = values[key]
    return out


def _group_model(model: type[BaseModel], field: str) -> type[BaseModel]:
    annotation = model.model_fields[field].annotation
    assert isinstance(annotation, type) and issubclass(annotation, BaseModel), field
    return annotation
