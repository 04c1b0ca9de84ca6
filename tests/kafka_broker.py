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
from typing import Any

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
    from stream.kafka.admin import delete_topics_containing as delete
    from stream.settings import Settings

    settings = Settings(_env_file=None, kafka={"bootstrap_servers": bootstrap})  # type: ignore[call-arg]
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


# A broker with secured listeners (SASL_PLAINTEXT, SSL with client certificates, SASL_SSL)
# next to its PLAINTEXT one, and the certificates it and its clients use.
SASL_USER, SASL_PASSWORD = "alice", "alice-secret-7"
CLIENT_KEY_PASSWORD = "client-key-secret-3"


def free_ports(count: int) -> list[int]:
    """Free ports: from AIRPARADIS_TEST_PORTS ("19100-19149") if set, else the OS's."""
    low, _, high = os.environ.get("AIRPARADIS_TEST_PORTS", "").partition("-")
    candidates = range(int(low), int(high) + 1) if high else [0] * count
    ports: list[int] = []
    for candidate in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port = int(sock.getsockname()[1])
        if port not in ports and not port_open(port):
            ports.append(port)
        if len(ports) == count:
            return ports
    raise RuntimeError(f"no {count} free ports in {candidates}")


def write_pki(directory: Path) -> dict[str, Path]:
    """A CA, a broker keystore (PEM, for 127.0.0.1), a client certificate with an encrypted
    key, and a second CA that signed neither (for the untrusted-CA case)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = _certificate("Air Paradis test CA")
    _, rogue_cert = _certificate("Rogue CA")
    broker_key, broker_cert = _certificate("127.0.0.1", issuer=(ca_key, ca_cert))
    client_key, client_cert = _certificate("worker", issuer=(ca_key, ca_cert))
    files = {
        "ca": (_pem(ca_cert),),
        "rogue_ca": (_pem(rogue_cert),),
        "broker_keystore": (_pem(broker_key), _pem(broker_cert), _pem(ca_cert)),
        "client_cert": (_pem(client_cert),),
        "client_key": (_pem(client_key, CLIENT_KEY_PASSWORD),),
    }
    for name, parts in files.items():
        (directory / f"{name}.pem").write_bytes(b"".join(parts))
    return {name: directory / f"{name}.pem" for name in files}


def _certificate(name: str, issuer: tuple | None = None) -> tuple:
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    signing_key, issuer_name = (issuer[0], issuer[1].subject) if issuer else (key, subject)
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if issuer is not None:
        names = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return key, builder.sign(signing_key, hashes.SHA256())


def _pem(item: Any, password: str | None = None) -> bytes:
    from cryptography.hazmat.primitives import serialization

    if hasattr(item, "private_bytes"):
        encryption = (
            serialization.BestAvailableEncryption(password.encode())
            if password
            else serialization.NoEncryption()
        )
        return item.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
    return item.public_bytes(serialization.Encoding.PEM)


SECURED_PROTOCOLS = ("SASL_PLAINTEXT", "SSL", "SASL_SSL")


def _secured_properties(pki: dict[str, Path]) -> str:
    scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
    plain = (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'user_{SASL_USER}="{SASL_PASSWORD}";'
    )
    lines = ["sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512"]
    for listener in ("sasl_plaintext", "sasl_ssl"):
        lines.append(f"listener.name.{listener}.plain.sasl.jaas.config={plain}")
        for mechanism in ("scram-sha-256", "scram-sha-512"):
            lines.append(f"listener.name.{listener}.{mechanism}.sasl.jaas.config={scram}")
    lines += [
        "ssl.keystore.type=PEM",
        f"ssl.keystore.location={pki['broker_keystore']}",
        "ssl.truststore.type=PEM",
        f"ssl.truststore.location={pki['ca']}",
        "listener.name.ssl.ssl.client.auth=required",
    ]
    return "\n".join(lines) + "\n"


@contextmanager
def secured_broker(directory: Path) -> Iterator[dict[str, object]]:
    """A kafka.sh broker with a listener per SECURED_PROTOCOLS (SCRAM users made at format
    time); yields {"bootstrap": {protocol: address}, "pki": {name: path}}; stopped after."""
    pki = write_pki(directory / "pki")
    port, controller, *secured = free_ports(2 + len(SECURED_PROTOCOLS))
    extra = directory / "secured.properties"
    extra.write_text(_secured_properties(pki))
    scram = [
        f"--add-scram {m}=[name={SASL_USER},password={SASL_PASSWORD}]"
        for m in ("SCRAM-SHA-256", "SCRAM-SHA-512")
    ]
    bootstrap = {p: f"127.0.0.1:{n}" for p, n in zip(SECURED_PROTOCOLS, secured, strict=True)}
    env = {
        "AIRPARADIS_KAFKA_PORT": str(port),
        "AIRPARADIS_KAFKA_CONTROLLER_PORT": str(controller),
        "AIRPARADIS_KAFKA_DATA_DIR": str(directory / "kafka"),
        "AIRPARADIS_KAFKA_EXTRA_LISTENERS": ",".join(f"{p}://{a}" for p, a in bootstrap.items()),
        "AIRPARADIS_KAFKA_EXTRA_CONFIG": str(extra),
        "AIRPARADIS_KAFKA_FORMAT_ARGS": " ".join(scram),
    }
    run_script("start", env)
    try:
        yield {"bootstrap": bootstrap, "pki": pki, "plaintext": f"127.0.0.1:{port}"}
    finally:
        run_script("stop", env)
