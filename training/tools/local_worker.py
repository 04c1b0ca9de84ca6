"""Run the real worker (`airparadis-stream worker`), or the rollout orchestrator, as a
subprocess with its own topics.

Used by the end-to-end tests and the stream benchmark; not by the worker itself.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from stream.kafka.clients import read_topic
from stream.settings import Settings
from training.tools.proc_cpu import proc_files


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def isolated_env(bootstrap: str, model_uri: str, **extra: str) -> dict[str, str]:
    """Environment for one worker: its own topics, consumer group and web port."""
    tag = uuid.uuid4().hex[:8]
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "AIRPARADIS_APP_ID": f"test-{tag}",
        "AIRPARADIS_WEB_PORT": str(free_port()),
        "AIRPARADIS_MODEL_URI": model_uri,
        **{
            f"AIRPARADIS_TOPIC_{name.upper()}": f"{tag}.{name}"
            for name in ("raw", "scored", "alerts", "feedback", "deadletter", "review")
        },
    }
    env.update(extra)
    return env


def settings_from(env: dict[str, str]) -> Settings:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        return Settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)


@dataclass
class Worker:
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    command: ClassVar[str] = "worker"
    port_variable: ClassVar[str] = "AIRPARADIS_WEB_PORT"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env[self.port_variable]}"

    def ready(self) -> bool:
        return bool(get_json(f"{self.url}/health")["status"] == "ready")

    def start(self, timeout_s: float = 90.0) -> Worker:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "stream.cli", self.command, "--loglevel", "warning"],
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready(timeout_s)
        return self

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.process and self.process.poll() is None, self.log_path.read_text()[-3000:]
            try:
                if self.ready():
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise TimeoutError(
            f"{self.command} not ready in {timeout_s}s:\n{self.log_path.read_text()[-3000:]}"
        )

    def kill(self) -> None:
        """kill -9: no shutdown hooks, no final commit."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def children(self) -> list[int]:
        """Live (not zombie) processes of the worker's session other than the worker: its
        scorer child and multiprocessing's helpers."""
        assert self.process is not None
        return [pid for pid in session_members(self.process.pid) if pid != self.process.pid]

    def wait_exit(self, timeout_s: float) -> int | None:
        """The worker's exit status, or None if it is still running after `timeout_s`."""
        assert self.process is not None
        try:
            return self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class OrchestratorProcess(Worker):
    """`airparadis-stream orchestrator`: ready once its /metrics answers."""

    command: ClassVar[str] = "orchestrator"
    port_variable: ClassVar[str] = "AIRPARADIS_ORCHESTRATOR_PORT"

    def ready(self) -> bool:
        with urllib.request.urlopen(f"{self.url}/metrics", timeout=5) as response:
            return bool(response.status == 200)


def session_members(sid: int) -> list[int]:
    """Pids of live (not zombie) processes in session `sid` (Linux /proc)."""
    members = []
    for pid, stat in proc_files("stat"):
        fields = stat.decode(errors="replace").rsplit(")", 1)[1].split()  # state, ppid, pgrp, sid
        if fields[0] != "Z" and int(fields[3]) == sid:
            members.append(pid)
    return members


def get_json(url: str, body: object | None = None, headers: dict[str, str] | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", **(headers or {})}
    request = urllib.request.Request(url, data, headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return {"http_status": error.code, **json.loads(error.read())}


def read_events(settings: Settings, topic: str, until: int, timeout_s: float = 60.0) -> list[dict]:
    """Read `until` records from `topic` (from the beginning), or what arrived by the timeout."""
    return [json.loads(value) for _, value in read_topic(settings, topic, until, timeout_s)]
