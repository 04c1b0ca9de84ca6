"""Settings groups read today's variable names, `.env` under the environment, nested overrides."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import AliasChoices, BaseModel

from stream.settings import GROUP_ENV, Settings

ROOT = Path(__file__).resolve().parents[2]
# One variable (or more) per group, with the field it must set.
TODAYS_NAMES = {
    "KAFKA_BOOTSTRAP_SERVERS": ("kafka.bootstrap_servers", "broker:9093", "broker:9093"),
    "AIRPARADIS_KAFKA_MESSAGE_MAX_BYTES": ("kafka.message_max_bytes", "2000000", 2_000_000),
    "AIRPARADIS_KAFKA_SESSION_TIMEOUT_S": ("kafka.session_timeout_s", "30", 30.0),
    "AIRPARADIS_MAX_PAYLOAD_BYTES": ("limits.max_payload_bytes", "4096", 4096),
    "AIRPARADIS_MAX_TEXT_CHARS": ("limits.max_text_chars", "1000", 1000),
    "AIRPARADIS_WINDOW_SIZE_S": ("windows.size_s", "30", 30.0),
    "AIRPARADIS_WINDOW_TICK_S": ("windows.tick_s", "1", 1.0),
    "AIRPARADIS_SCOPE_KNOWN_AIRLINES": ("scopes.known_airlines", '["a", "b"]', ("a", "b")),
    "AIRPARADIS_BUZZ_SIGMA": ("buzz.sigma", "2.5", 2.5),
    "AIRPARADIS_ALERT_COOLDOWN_S": ("buzz.policy.cooldown_s", "60", 60.0),
    "AIRPARADIS_ALERT_RESOLVE_WINDOWS": ("accuracy.policy.resolve_windows", "3", 3),
    "AIRPARADIS_DRIFT_KS_THRESHOLD": ("drift.ks_threshold", "0.2", 0.2),
    "AIRPARADIS_ACCURACY_THRESHOLD": ("accuracy.threshold", "0.8", 0.8),
    "AIRPARADIS_POSTHOG_SEND_TEXT": ("posthog.send_text", "true", True),
    "POSTHOG_HOST": ("posthog.host", "http://ph", "http://ph"),
    "AIRPARADIS_ROLLOUT_STEPS": ("rollout.steps", "[0.5, 1.0]", (0.5, 1.0)),
    "AIRPARADIS_ROLLOUT_MIN_EVENTS": ("rollout.guards.min_events", "7", 7),
    "AIRPARADIS_RETRAIN_COMMAND": ("retrain.command", "true", "true"),
    "AIRPARADIS_BATCH_SIZE": ("batch_size", "64", 64),
}
# Documented variables that configure something else than Settings (the local broker script,
# the Prometheus exporter of the demo, the image build, a training job).
NOT_SETTINGS = re.compile(
    r"AIRPARADIS_(KAFKA_(PORT|CONTROLLER_PORT|DATA_DIR|CACHE_DIR|EXTRA_CONFIG|EXTRA_LISTENERS"
    r"|FORMAT_ARGS|HEAP_OPTS|START_TIMEOUT|VERSION)|PROMETHEUS_PORT|SKIP_APT"
    r"|TRANSFORMER_CHECKPOINT)"
)


def at(settings: object, path: str) -> object:
    for part in path.split("."):
        settings = getattr(settings, part)
    return settings


def test_todays_variable_names_set_the_nested_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, (_, raw, _) in TODAYS_NAMES.items():
        monkeypatch.setenv(name, raw)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    got = {name: at(settings, path) for name, (path, _, _) in TODAYS_NAMES.items()}
    assert got == {name: value for name, (_, _, value) in TODAYS_NAMES.items()}
    assert settings.drift.policy.cooldown_s == settings.accuracy.policy.cooldown_s == 60  # all
    assert settings.buzz.min_negative == 20 and settings.rollout.guards.min_labels == 50


def test_an_env_file_is_read_for_groups_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("AIRPARADIS_BUZZ_SIGMA=2\nAIRPARADIS_BUZZ_MIN_NEGATIVE=5\n")
    monkeypatch.setenv("AIRPARADIS_BUZZ_SIGMA", "4")
    from_file = Settings(_env_file=env_file)  # type: ignore[call-arg]
    assert (from_file.buzz.sigma, from_file.buzz.min_negative) == (4.0, 5)
    assert Settings(_env_file=None).buzz.min_negative == 20  # type: ignore[call-arg]


def test_keyword_overrides_nest_and_merge_with_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIRPARADIS_BUZZ_MIN_NEGATIVE", "5")
    monkeypatch.setenv("POSTHOG_HOST", "http://from-env")
    settings = Settings(_env_file=None, buzz={"sigma": 2}, posthog={"host": "http://kw"})  # type: ignore[call-arg]
    assert (settings.buzz.sigma, settings.buzz.min_negative) == (2.0, 5)
    assert settings.posthog.host == "http://kw"  # a keyword by field name beats the alias


def test_a_bad_value_names_the_nested_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRPARADIS_BUZZ_SIGMA", "-1")
    with pytest.raises(ValueError, match=r"buzz\.sigma\n  Input should be greater than 0"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def read_names() -> set[str]:
    """Every variable Settings reads: flat fields and GROUP_ENV's groups, aliases included."""
    names = {f"AIRPARADIS_{n.upper()}" for n, f in Settings.model_fields.items()}
    names |= {c for f in Settings.model_fields.values() for c in _aliases(f.validation_alias)}
    for path, prefix in GROUP_ENV.items():
        group: type[BaseModel] = Settings
        for part in path.split("."):
            group = group.model_fields[part].annotation  # type: ignore[assignment]
        for name, field in group.model_fields.items():
            names |= {f"AIRPARADIS_{prefix}{name.upper()}", *_aliases(field.validation_alias)}
    return names


def _aliases(alias: object) -> list[str]:
    return (
        [c for c in alias.choices if isinstance(c, str)] if isinstance(alias, AliasChoices) else []
    )


def documented_names() -> set[str]:
    """`AIRPARADIS_*` anywhere in README, compose, CI, docs and deploy files, and the first
    column of every settings table in docs (`buzz_sigma` there is `AIRPARADIS_BUZZ_SIGMA`)."""
    documents = [ROOT / "README.md", ROOT / "docker-compose.yml", ROOT / ".ci" / "run"]
    documents += sorted((ROOT / "docs").glob("*.md")) + sorted((ROOT / "deploy").rglob("*"))
    text = "\n".join(p.read_text(errors="ignore") for p in documents if p.is_file())
    names = set(re.findall(r"\bAIRPARADIS_[A-Z0-9_]*[A-Z0-9]\b", text))
    for table in re.findall(r"^\| [Ss]etting \|.*\n((?:\|.*\n)+)", text, re.M):
        for row in table.splitlines()[1:]:
            cell = row.split("|")[1]
            names |= {f"AIRPARADIS_{n.upper()}" for n in re.findall(r"`([a-z][a-z0-9_]*)`", cell)}
            names |= set(re.findall(r"`((?:KAFKA|POSTHOG|MLFLOW|AIRPARADIS)_[A-Z0-9_]+)`", cell))
    return {n for n in names if not NOT_SETTINGS.fullmatch(n)}


def test_every_documented_variable_is_one_settings_reads() -> None:
    documented = documented_names()
    assert {"AIRPARADIS_BUZZ_MIN_NEGATIVE", "AIRPARADIS_ROLLOUT_MIN_LABELS"} <= documented
    assert len(documented) > 80
    assert documented - read_names() == set()
    assert {"KAFKA_SASL_PASSWORD", "POSTHOG_API_KEY", "MLFLOW_TRACKING_URI"} <= read_names()
