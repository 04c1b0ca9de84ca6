"""deploy/kafka/kafka.sh: start, status, stop leaving no process, restart from the cache.

Runs its own broker on free ports and a temporary data dir, apart from the session broker.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from stream.kafka.admin import describe_topics, ensure_topics
from stream.settings import Settings
from tests.kafka_broker import KAFKA_SCRIPT, port_open, run_script


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def processes_mentioning(text: str) -> list[int]:
    """Pids whose command line contains `text` (Linux /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        if entry.name.isdigit() and text in cmdline:
            pids.append(int(entry.name))
    return pids


def script_status(env: dict[str, str]) -> int:
    done = subprocess.run([str(KAFKA_SCRIPT), "status"], env={**os.environ, **env}, check=False)
    return done.returncode


@pytest.fixture
def broker_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    port, controller_port = free_ports(2)
    env = {
        "AIRPARADIS_KAFKA_PORT": str(port),
        "AIRPARADIS_KAFKA_CONTROLLER_PORT": str(controller_port),
        "AIRPARADIS_KAFKA_DATA_DIR": str(tmp_path / "kafka"),
    }
    yield env
    run_script("stop", env)


@pytest.mark.kafka
def test_start_stop_restart_from_cache(broker_env: dict[str, str]) -> None:
    port, data_dir = (
        int(broker_env["AIRPARADIS_KAFKA_PORT"]),
        broker_env["AIRPARADIS_KAFKA_DATA_DIR"],
    )
    settings = Settings(_env_file=None, kafka={"bootstrap_servers": f"127.0.0.1:{port}"})  # type: ignore[call-arg]

    assert f"ready on 127.0.0.1:{port}" in run_script("start", broker_env)
    pid = int((Path(data_dir) / "kafka.pid").read_text())
    assert script_status(broker_env) == 0
    assert "already running" in run_script("start", broker_env)
    assert ensure_topics(settings, ["kept.across.restart"]) == {"kept.across.restart": "created"}

    assert "no process left" in run_script("stop", broker_env)
    assert script_status(broker_env) == 3
    assert not port_open(port)
    assert processes_mentioning(data_dir) == []
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)

    restarted = run_script("start", broker_env)
    assert "cached:" in restarted and "fetching" not in restarted
    assert "formatting" not in restarted
    assert "kept.across.restart" in describe_topics(settings)


def test_start_refuses_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"AIRPARADIS_KAFKA_PORT": str(port), "AIRPARADIS_KAFKA_DATA_DIR": str(tmp_path)}
        with pytest.raises(RuntimeError, match=f"port {port} is in use"):
            run_script("start", env)


def test_stop_without_broker_is_a_no_op_and_usage_is_explained(tmp_path: Path) -> None:
    env = {"AIRPARADIS_KAFKA_DATA_DIR": str(tmp_path)}
    assert "not running" in run_script("stop", env)
    assert script_status(env) == 3
    with pytest.raises(RuntimeError, match="usage:"):
        run_script("restart-everything", env)
