"""Prometheus config and alert rules: promtool checks, unit tests, and a real scrape.

Needs `promtool`/`prometheus` on PATH (Debian/Ubuntu: `apt-get install prometheus`);
skipped, with that reason, where they are absent.
"""

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY, start_http_server

from stream import metrics
from tests.deploy.promql import declared_series_names, metric_names

PROMETHEUS_DIR = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool")
PROMETHEUS = shutil.which("prometheus")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed")
needs_prometheus = pytest.mark.skipif(PROMETHEUS is None, reason="prometheus not installed")


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run([PROMTOOL, *args], cwd=PROMETHEUS_DIR, capture_output=True,
                          text=True, timeout=60)  # fmt: skip


@needs_promtool
def test_promtool_check_config():
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "11 rules found" in result.stdout


@needs_promtool
def test_promtool_rule_unit_tests():
    result = promtool("test", "rules", "rules_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_rules_read_only_declared_metrics():
    allowed = declared_series_names() | {"up"}
    rules = yaml.safe_load((PROMETHEUS_DIR / "rules.yml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            names = metric_names(rule["expr"])
            assert names and names <= allowed, f"{rule['alert']}: {names - allowed}"


def test_scrape_jobs_target_the_worker_and_orchestrator_web_ports():
    from stream.settings import Settings

    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"air-paradis-stream", "air-paradis-orchestrator"}
    defaults = Settings.model_fields
    ports = {
        "air-paradis-stream": defaults["web_port"].default,
        "air-paradis-orchestrator": defaults["orchestrator_port"].default,
    }
    for name, port in ports.items():
        assert jobs[name]["metrics_path"] == "/metrics"
        (target,) = jobs[name]["static_configs"][0]["targets"]
        assert target.endswith(f":{port}"), (name, target)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def metrics_port() -> Iterator[int]:
    """The project's metrics (the default registry) served over HTTP, as the worker does."""
    port = free_port()
    server, thread = start_http_server(port, addr="127.0.0.1")
    yield port
    server.shutdown()
    server.server_close()
    thread.join(5)


def query(base: str, promql: str) -> list[dict]:
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=5) as response:
        body = json.load(response)
    assert body["status"] == "success", body
    result: list[dict] = body["data"]["result"]
    return result


def wait_for(check, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if value := check():
                return value
        except OSError:
            pass  # not listening yet
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


@contextmanager
def prometheus_scraping(
    tmp_path: Path, target: str, job: str = "air-paradis-stream"
) -> Iterator[str]:
    """A real Prometheus on 127.0.0.1 scraping `target` as the config's `job` (its only job)
    every second with rules.yml."""
    assert PROMETHEUS is not None
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    config["global"] |= {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(PROMETHEUS_DIR / "rules.yml")]
    (scrape,) = [s for s in config["scrape_configs"] if s["job_name"] == job]
    config["scrape_configs"] = [scrape | {"static_configs": [{"targets": [target]}]}]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    process = subprocess.Popen(
        [PROMETHEUS, f"--config.file={tmp_path / 'prometheus.yml'}",
         f"--storage.tsdb.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=(tmp_path / "prometheus.log").open("w"),
    )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    assert process.returncode is not None


@pytest.fixture
def prometheus(tmp_path: Path, metrics_port: int) -> Iterator[str]:
    with prometheus_scraping(tmp_path, f"127.0.0.1:{metrics_port}") as url:
        yield url


@needs_prometheus
def test_real_prometheus_scrapes_project_metrics_and_evaluates_rules(prometheus):
    previous_ks = REGISTRY.get_sample_value("drift_ks_statistic", {"scope": "global"}) or 0.0
    metrics.DRIFT_KS.labels("global").set(0.4242)
    try:
        check_scrape_and_rules(prometheus)
    finally:
        metrics.DRIFT_KS.labels("global").set(previous_ks)


def check_scrape_and_rules(prometheus: str) -> None:
    metrics.TWEETS_DEADLETTERED.labels("malformed_json").inc(3)

    def target_up():
        return query(prometheus, 'up{job="air-paradis-stream"} == 1')

    wait_for(target_up, 30, "the scrape target to be up")
    (sample,) = wait_for(lambda: query(prometheus, "drift_ks_statistic"), 10, "drift_ks_statistic")
    assert float(sample["value"][1]) == pytest.approx(0.4242)
    assert sample["metric"]["job"] == "air-paradis-stream"
    letters = query(prometheus, 'tweets_deadlettered_total{reason="malformed_json"}')
    assert float(letters[0]["value"][1]) >= 3
    (alert,) = wait_for(lambda: query(prometheus, 'ALERTS{alertname="DriftKSHigh"}'), 15,
                        "the DriftKSHigh rule to trigger")  # fmt: skip
    assert alert["metric"]["alertstate"] == "pending"  # `for: 1m` not elapsed yet
