"""CPU seconds used by processes over an interval, read from Linux /proc (for benchmarks)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()  # after "(comm)": state is fields[0]
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime: fields 14, 15 of stat


def proc_files(name: str) -> Iterator[tuple[int, bytes]]:
    """(pid, contents of /proc/<pid>/<name>) of every process still there when read."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                yield int(entry.name), (entry / name).read_bytes()
            except OSError:  # gone meanwhile
                continue


def pids_running(pattern: str) -> list[int]:
    """Pids whose command line contains `pattern`."""
    return [
        pid
        for pid, args in proc_files("cmdline")
        if pattern in args.replace(b"\0", b" ").decode(errors="replace")
    ]


class CpuMeter:
    """CPU seconds of named groups of processes between `start` and `stop`."""

    def __init__(self, groups: Mapping[str, Callable[[], list[int]]]) -> None:
        self.groups = groups
        self.before: dict[str, dict[int, float]] = {}
        self.used: dict[str, float] = {}

    def _read(self) -> dict[str, dict[int, float]]:
        return {
            name: {pid: cpu_seconds(pid) for pid in pids()} for name, pids in self.groups.items()
        }

    def start(self) -> None:
        self.before = self._read()

    def stop(self) -> dict[str, float]:
        """Seconds per group; a process seen only at one end counts from zero."""
        after = self._read()
        self.used = {
            name: sum(
                seconds - self.before[name].get(pid, 0.0) for pid, seconds in after[name].items()
            )
            for name in self.groups
        }
        return self.used
