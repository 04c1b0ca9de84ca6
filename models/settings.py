"""Registry and MLflow settings: what `models/` needs, so no arrow runs up to `stream/`.

`stream.settings.Settings` extends this group, so one object still carries everything and
every environment variable keeps its name (`MLFLOW_TRACKING_URI`, `AIRPARADIS_DATA_DIR`).
Jobs that only train and register build `RegistrySettings` alone.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def env_alias(name: str) -> AliasChoices:
    """Accept both the plain well-known variable and its AIRPARADIS_ twin."""
    return AliasChoices(name, f"AIRPARADIS_{name}")


class RegistrySettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AIRPARADIS_", env_file=".env", frozen=True, extra="ignore"
    )

    data_dir: Path = Path("var")
    mlflow_tracking_uri: str | None = Field(None, validation_alias=env_alias("MLFLOW_TRACKING_URI"))

    @property
    def tracking_uri(self) -> str:
        """MLflow tracking URI: the configured one, else a SQLite store in `data_dir`."""
        if self.mlflow_tracking_uri:
            return self.mlflow_tracking_uri
        return f"sqlite:///{(self.data_dir / 'mlflow.db').resolve()}"

    @property
    def artifact_root(self) -> Path:
        return (self.data_dir / "mlartifacts").resolve()
