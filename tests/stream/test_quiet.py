"""Start-up noise is quieted in the project's commands, never real errors."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import os, sys
from stream.quiet import quiet_noise
quiet_noise({verbose})
os.write(2, b"I0000 cudart_stub.cc:31] Could not find cuda drivers on your machine\\n")
os.write(2, b"E0000 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error\\n")
os.write(2, b"E0000 some_op.cc:1] a real native error\\n")
env = os.environ
print(env.get("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"), env.get("TF_CPP_MIN_LOG_LEVEL"))
raise RuntimeError("a real Python error")
"""


def run(verbose: bool, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"} | env
    code = SCRIPT.format(verbose=verbose)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=60
    )


def test_noise_is_dropped_and_errors_pass():
    result = run(verbose=False)
    assert result.stdout.split() == ["false", "2"]
    assert "cuInit" not in result.stderr and "cuda drivers" not in result.stderr
    assert "a real native error" in result.stderr
    assert "RuntimeError: a real Python error" in result.stderr and result.returncode == 1


def test_verbose_or_a_log_level_shows_everything():
    for result in (run(verbose=True), run(verbose=False, TF_CPP_MIN_LOG_LEVEL="0")):
        assert "failed call to cuInit" in result.stderr and "cuda drivers" in result.stderr
        assert "a real native error" in result.stderr
