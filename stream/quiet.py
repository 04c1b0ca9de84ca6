"""Quiet third-party start-up noise in the project's commands; each entry point calls
`quiet_noise(verbose)` before it imports anything heavy.

Unless verbose (`--verbose`):
- the CLI's Kafka clients keep librdkafka's log to themselves (`LIBRDKAFKA_LOGGER`): its
  connection failures repeat many times a second; the clients say once that they wait.
Unless verbose or `TF_CPP_MIN_LOG_LEVEL` is set by the user:
- TensorFlow's C++ log keeps errors only (`TF_CPP_MIN_LOG_LEVEL=2`), absl's Python log too;
- MLflow shows no `Downloading artifacts` progress bars (`MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR`);
- the native lines TensorFlow writes before its log level applies (GPU probing on a machine
  without a GPU, `failed call to cuInit`, CPU-feature notices) are dropped by a filter on file
  descriptor 2 that matches only `NOISE`; every other line passes, and Python's own stderr
  (tracebacks, logging) bypasses the filter.
Variables the user set are kept.
"""

from __future__ import annotations

import atexit
import io
import logging
import os
import re
import sys
import threading

NOISE = re.compile(
    rb"cudart_stub\.cc.*Could not find cuda drivers|failed call to cuInit|cpu_feature_guard\.cc"
    rb"|^To enable the following instructions|All log messages before absl::InitializeLog"
    rb"|oneDNN custom operations are on|TF_ENABLE_ONEDNN_OPTS"
)
LIBRDKAFKA_LOGGER = "librdkafka"  # where the CLI's Kafka clients send librdkafka's log
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}


def quiet_noise(verbose: bool = False) -> None:
    """Set the quiet defaults (see the module doc); `verbose` leaves everything as it is."""
    if verbose:
        return
    logging.getLogger(LIBRDKAFKA_LOGGER).setLevel(logging.CRITICAL)
    if "TF_CPP_MIN_LOG_LEVEL" in os.environ:
        return
    for name, value in QUIET_ENV.items():
        os.environ.setdefault(name, value)
    logging.getLogger("absl").setLevel(logging.ERROR)
    _filter_native_stderr()


def _filter_native_stderr() -> None:
    """Route fd 2 through a pipe read by a thread that drops `NOISE` lines; Python's
    sys.stderr keeps writing to the original stream."""
    if getattr(_filter_native_stderr, "started", False):
        return
    try:
        if sys.stderr.fileno() != 2:  # stderr captured in-process (a test runner): leave it
            return
        sys.stderr.flush()
        original = os.dup(2)
        read_end, write_end = os.pipe()
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):  # no usable fd 2
        return
    sys.stderr = io.TextIOWrapper(
        os.fdopen(os.dup(original), "wb", buffering=0), encoding="utf-8",
        errors="backslashreplace", line_buffering=True,
    )  # fmt: skip
    os.dup2(write_end, 2)
    os.close(write_end)
    pump = threading.Thread(target=_pump, args=(read_end, original), daemon=True)
    pump.start()
    atexit.register(_restore, original, pump)
    _filter_native_stderr.started = True  # type: ignore[attr-defined]


def _pump(read_end: int, original: int) -> None:
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        for line in iter(pipe.readline, b""):
            if not NOISE.search(line):
                os.write(original, line)


def _restore(original: int, pump: threading.Thread) -> None:
    """At exit: fd 2 back to the original stream, then let the filter drain the pipe."""
    os.dup2(original, 2)  # closes the pipe's last write end held by this process
    pump.join(timeout=2)
