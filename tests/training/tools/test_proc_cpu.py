"""CPU accounting of the benchmarks, read from /proc."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from training.tools.proc_cpu import CpuMeter, cpu_seconds, pids_running


def busy(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_a_meter_counts_the_cpu_of_each_group_between_start_and_stop():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        meter = CpuMeter({"me": lambda: [os.getpid()], "sleeper": lambda: [child.pid]})
        meter.start()
        busy(0.3)
        used = meter.stop()
    finally:
        child.kill()
        child.wait()
    assert 0.25 <= used["me"] < 5
    assert used["sleeper"] < 0.1


def test_a_process_is_found_by_its_command_line_and_a_gone_one_counts_zero():
    assert os.getpid() in pids_running("pytest") + pids_running(sys.argv[0])
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert cpu_seconds(child.pid) == 0.0
