"""docker-compose.yml (not runnable here): valid YAML whose local references all exist."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SERVICES = {"kafka", "topics", "worker", "orchestrator", "mlflow", "prometheus", "grafana"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def local_references(service: dict[str, Any]) -> list[Path]:
    """Build contexts, Dockerfiles and bind-mounted host paths (./x or ../x)."""
    paths = []
    build = service.get("build")
    if isinstance(build, str):
        build = {"context": build}
    if build:
        context = REPO / build.get("context", ".")
        paths += [context, context / build.get("dockerfile", "Dockerfile")]
    for volume in service.get("volumes", []):
        source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
        if source.startswith((".", "/")):
            paths.append(REPO / source)
    paths += [REPO / env_file for env_file in service.get("env_file", [])]
    return paths


def test_declares_the_stack(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == SERVICES
    for name, service in compose["services"].items():
        assert "image" in service or "build" in service, name
    assert compose["services"]["kafka"]["image"].startswith("apache/kafka:")
    assert compose["services"]["worker"]["command"] == ["airparadis-stream", "worker"]
    assert compose["services"]["orchestrator"]["command"] == ["airparadis-stream", "orchestrator"]


def test_every_local_file_and_directory_exists(compose: dict[str, Any]) -> None:
    referenced = [p for s in compose["services"].values() for p in local_references(s)]
    assert len(referenced) >= 6  # worker + topics builds, prometheus files, grafana dir
    missing = [str(path.relative_to(REPO)) for path in referenced if not path.exists()]
    assert missing == []


def test_commands_are_declared_entry_points(compose: dict[str, Any]) -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    for name in ("topics", "worker", "orchestrator"):
        assert compose["services"][name]["command"][0] in scripts


def test_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, source


def test_prometheus_rule_files_exist() -> None:
    config = yaml.safe_load((REPO / "deploy/prometheus/prometheus.yml").read_text())
    for rule_file in config.get("rule_files", []):
        assert (REPO / "deploy/prometheus" / rule_file).is_file(), rule_file


def test_prometheus_scrapes_the_services_on_their_published_ports(compose: dict[str, Any]) -> None:
    config = yaml.safe_load((REPO / "deploy/prometheus/prometheus.yml").read_text())
    targets = [t for job in config["scrape_configs"] for s in job["static_configs"]
               for t in s["targets"]]  # fmt: skip
    for target in targets:
        service, port = target.split(":")
        published = [p.split(":")[-1] for p in compose["services"][service].get("ports", [])]
        assert port in published, target
    assert set(compose["services"]["prometheus"]["depends_on"]) >= {"worker", "orchestrator"}
