"""MLflow 3 tracking and registry: register, promote, roll back, list, load by alias.

Embedded by default: a SQLite store at `settings.tracking_uri` with artifacts under
`settings.artifact_root`; `MLFLOW_TRACKING_URI` switches to a server. One registered
model per approach; the `champion` alias is what the stream serves, `challenger` what
waits for promotion. Each promotion pushes the previous champion onto the registered
model's `champion_history` tag, which `rollback` pops. Imports MLflow: import only when needed.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from models.base import SentimentModel
from models.kinds import KINDS, load_model
from models.manifest import MANIFEST, local_model_dir

if TYPE_CHECKING:
    from models.settings import RegistrySettings as Settings

EXPERIMENT = "air-paradis"
REGISTERED_NAMES = {kind: spec.registered_name for kind, spec in KINDS.items()}
CHAMPION, CHALLENGER = "champion", "challenger"
HISTORY_TAG = "champion_history"
_MODEL_URI = re.compile(r"^models:/(?P<name>[^/@]+)(?:@(?P<alias>[\w-]+)|/(?P<version>\d+))$")


class RegistryError(RuntimeError):
    """A registry operation that cannot be done (no champion, nothing to roll back to...)."""


@dataclass(frozen=True)
class VersionInfo:
    version: str
    aliases: list[str]
    run_id: str | None
    created_ms: int
    metrics: dict[str, float] = field(default_factory=dict)


def client(settings: Settings) -> MlflowClient:
    """Point MLflow (tracking and registry) at the settings' store; return a client."""
    mlflow.set_tracking_uri(settings.tracking_uri)
    mlflow.set_registry_uri(settings.tracking_uri)
    return MlflowClient(settings.tracking_uri, settings.tracking_uri)


def use_experiment(settings: Settings, name: str = EXPERIMENT) -> str:
    """Create (artifacts under `settings.artifact_root` for a local store) and select it."""
    mlflow_client = client(settings)
    experiment = mlflow_client.get_experiment_by_name(name)
    if experiment is not None:
        experiment_id = str(experiment.experiment_id)
    else:
        local = not settings.tracking_uri.startswith(("http://", "https://", "databricks"))
        location = (settings.artifact_root / name).as_uri() if local else None
        experiment_id = mlflow_client.create_experiment(name, artifact_location=location)
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def register(
    settings: Settings,
    model_uri: str,
    kind: str,
    alias: str | None = CHALLENGER,
    name: str | None = None,
) -> str:
    """Register a logged model under `name` (default: its approach's name); set `alias`;
    return the version."""
    name = name or REGISTERED_NAMES[kind]
    client(settings)
    version = str(mlflow.register_model(model_uri, name).version)
    if alias == CHAMPION:
        promote(settings, name, version)
    elif alias:
        client(settings).set_registered_model_alias(name, alias, version)
    return version


def champion_version(settings: Settings, name: str, alias: str = CHAMPION) -> str | None:
    """The version `alias` points at, or None (cheap: the stream polls it)."""
    try:
        return str(client(settings).get_model_version_by_alias(name, alias).version)
    except MlflowException:
        return None


def promote(settings: Settings, name: str, version: str | None = None) -> str | None:
    """Make `version` (default: the challenger) champion; returns the previous champion."""
    mlflow_client = client(settings)
    version = version or champion_version(settings, name, CHALLENGER)
    if version is None:
        raise RegistryError(f"{name}: no version given and no {CHALLENGER!r} alias to promote")
    mlflow_client.get_model_version(name, version)  # fails clearly if it does not exist
    previous = champion_version(settings, name)
    if previous == version:
        return previous
    if previous is not None:
        _set_history(mlflow_client, name, [*_history(mlflow_client, name), previous])
    mlflow_client.set_registered_model_alias(name, CHAMPION, version)
    if champion_version(settings, name, CHALLENGER) == version:
        mlflow_client.delete_registered_model_alias(name, CHALLENGER)
    return previous


def rollback(settings: Settings, name: str) -> str:
    """Restore the champion before the current one; returns the restored version."""
    mlflow_client = client(settings)
    history = _history(mlflow_client, name)
    if not history:
        raise RegistryError(f"{name}: no previous champion to roll back to")
    restored = history.pop()
    mlflow_client.set_registered_model_alias(name, CHAMPION, restored)
    _set_history(mlflow_client, name, history)
    return restored


def list_versions(settings: Settings, name: str) -> list[VersionInfo]:
    """Every version of `name`, newest first, with its aliases and its run's metrics."""
    mlflow_client = client(settings)
    versions = mlflow_client.search_model_versions(f"name = '{name}'")
    if not versions:
        return []
    aliases = _aliases(mlflow_client, name)
    rows = [
        VersionInfo(
            str(v.version),
            aliases.get(str(v.version), []),
            v.run_id,
            int(v.creation_timestamp or 0),
            mlflow_client.get_run(v.run_id).data.metrics if v.run_id else {},
        )
        for v in versions
    ]
    return sorted(rows, key=lambda row: int(row.version), reverse=True)


def load_native(settings: Settings, uri: str) -> tuple[SentimentModel, str, str]:
    """Load `models:/name@alias`, `models:/name/version` or a local directory natively.

    Returns (model, registered name, version); a local directory is ("<dir name>", "local").
    """
    path, name, version = resolve_dir(settings, uri)
    return load_model(path), name, version


def resolve_dir(settings: Settings, uri: str) -> tuple[Path, str, str]:
    """The saved model directory behind `uri`, with its name and version.

    Registry models are downloaded once into `settings.data_dir/model-cache/name/version`.
    """
    match = _MODEL_URI.match(uri)
    if match is None:
        path = local_model_dir(uri)
        return path, path.name, "local"
    name = match["name"]
    version = match["version"] or champion_version(settings, name, match["alias"])
    if version is None:
        raise RegistryError(f"{uri}: no version of {name} holds alias {match['alias']!r}")
    return _cached_model_dir(settings, name, version), name, version


def _cached_model_dir(settings: Settings, name: str, version: str) -> Path:
    from models.pyfunc import MODEL_ARTIFACT

    target = settings.data_dir / "model-cache" / name / version
    if (target / MANIFEST).is_file():
        return target
    client(settings)
    staging = target.with_name(f"{version}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    local = Path(
        mlflow.artifacts.download_artifacts(f"models:/{name}/{version}", dst_path=str(staging))
    )
    source = local / _pyfunc_conf(local)["artifacts"][MODEL_ARTIFACT]["path"]
    shutil.rmtree(target, ignore_errors=True)
    shutil.move(source, target)
    shutil.rmtree(staging, ignore_errors=True)
    return target


def _pyfunc_conf(model_root: Path) -> dict[str, Any]:
    import yaml

    spec = yaml.safe_load((model_root / "MLmodel").read_text())
    conf: dict[str, Any] = spec["flavors"]["python_function"]
    return conf


def _aliases(mlflow_client: MlflowClient, name: str) -> dict[str, list[str]]:
    by_version: dict[str, list[str]] = {}
    for alias, version in mlflow_client.get_registered_model(name).aliases.items():
        by_version.setdefault(str(version), []).append(alias)
    return by_version


def _history(mlflow_client: MlflowClient, name: str) -> list[str]:
    raw = mlflow_client.get_registered_model(name).tags.get(HISTORY_TAG, "[]")
    return [str(v) for v in json.loads(raw)]


def _set_history(mlflow_client: MlflowClient, name: str, history: list[str]) -> None:
    mlflow_client.set_registered_model_tag(name, HISTORY_TAG, json.dumps(history[-50:]))
