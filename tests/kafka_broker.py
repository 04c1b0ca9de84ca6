"""Where the test session's Kafka broker comes from (used by the `kafka_bootstrap` fixture).

In order: `KAFKA_BOOTSTRAP_SERVERS` if set; a testcontainers Kafka if a Docker engine answers;
otherwise the local broker of `deploy/kafka/kafka.sh`, started if nothing listens on its port.
Several pytest sessions may share that local broker (one working tree, several engineers):
each holds a lease file, and the last session to leave stops the broker if tests started it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KAFKA_SCRIPT = REPO / "deploy" / "kafka" / "kafka.sh"
DEFAULT_IMAGE = "confluentinc/cp-kafka:7.6.0"


def docker_engine_answers(timeout_s: float = 5.0) -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        done = subprocess.run(["docker", "info"], capture_output=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


@contextmanager
def container_broker() -> Iterator[str]:
    from testcontainers.community.kafka import KafkaContainer

    image = os.environ.get("AIRPARADIS_TEST_KAFKA_IMAGE", DEFAULT_IMAGE)
    with KafkaContainer(image).with_kraft() as container:
        yield container.get_bootstrap_server()


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def delete_topics_containing(bootstrap: str, marker: str, timeout_s: float = 10.0) -> list[str]:
    """Delete a test's topics (Faust's internal ones included) so the shared broker stays lean."""
    from stream.kafka_admin import delete_topics_containing as delete
    from stream.settings import Settings

    settings = Settings(_env_file=None, kafka_bootstrap_servers=bootstrap)  # type: ignore[call-arg]
    return delete(settings, marker, timeout_s)


def run_script(command: str, env: dict[str, str], timeout_s: float = 180) -> str:
    """Run `kafka.sh <command>`; return its combined output, raise with it on failure."""
    done = subprocess.run(
        [str(KAFKA_SCRIPT), command],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    if done.returncode != 0:
        raise RuntimeError(f"kafka.sh {command} exited {done.returncode}:\n{done.stderr}")
    return done.stdout + done.stderr


class LocalBroker:
    """The kafka.sh broker on `port` with its data in `data_dir`, shared through leases."""

    def __init__(self, port: int, data_dir: Path) -> None:
        self.port = port
        self.data_dir = data_dir
        self.env = {"AIRPARADIS_KAFKA_PORT": str(port), "AIRPARADIS_KAFKA_DATA_DIR": str(data_dir)}
        self.leases = data_dir / "test-leases"
        self.started_marker = data_dir / "started-by-tests"

    @classmethod
    def from_env(cls) -> LocalBroker:
        port = int(os.environ.get("AIRPARADIS_KAFKA_PORT", "9092"))
        data_dir = Path(os.environ.get("AIRPARADIS_KAFKA_DATA_DIR", REPO / ".kafka"))
        return cls(port, data_dir.resolve())

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.leases.mkdir(parents=True, exist_ok=True)
        with open(self.leases / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    @contextmanager
    def session(self) -> Iterator[str]:
        """Yield the bootstrap address while this process holds a lease on the broker."""
        lease = self.leases / str(os.getpid())
        with self._locked():
            lease.touch()
            if not port_open(self.port):
                run_script("start", self.env)
                self.started_marker.touch()
        try:
            yield f"127.0.0.1:{self.port}"
        finally:
            with self._locked():
                lease.unlink(missing_ok=True)
                if self.started_marker.exists() and not self._live_leases():
                    run_script("stop", self.env)
                    self.started_marker.unlink(missing_ok=True)

    def _live_leases(self) -> list[int]:
        """Pids of sessions still using the broker; leases of dead sessions are removed."""
        live = []
        for path in self.leases.iterdir():
            if path.name.isdigit() and _alive(int(path.name)):
                live.append(int(path.name))
            elif path.name.isdigit():
                path.unlink(missing_ok=True)
        return live


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
