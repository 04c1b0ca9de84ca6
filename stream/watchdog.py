"""A worker that cannot make progress says so on /health and exits, instead of looking alive.

- `fail(reason)`: a batch failed (a publish error that outlived librdkafka's retries and
  `publish_timeout_s`, a crashed scoring step): /health turns not ready with the reason at
  once and the process exits with `EXIT_FATAL` `fatal_exit_delay_s` later.
- `check(waiting)`, every second: records wait on tweets.raw (held by the pipeline, or
  consumer lag) and no batch was published for `stall_timeout_s`: `fail` (causes nobody
  foresaw: a hung scorer, a wedged consumer).
- `arm_shutdown_deadline()`, on SIGTERM/SIGINT: a hard exit if the graceful stop has not
  finished within `shutdown_timeout_s` (a batch stuck in the scorer or on the broker).

Exits are `os._exit` from a timer thread, so nothing the event loop or an executor is stuck
on can hold them. That is safe under at-least-once delivery: the offsets of unpublished
batches were never committed, and the next worker replays them.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from stream.settings import Settings

log = logging.getLogger(__name__)

EXIT_FATAL = 70  # EX_SOFTWARE: stalled or a batch failed
EXIT_SHUTDOWN_TIMEOUT = 75  # EX_TEMPFAIL: SIGTERM's graceful stop overran its bound


class Watchdog:
    def __init__(
        self,
        settings: Settings,
        clock: Callable[[], float] = time.monotonic,
        exit_process: Callable[[int], object] = os._exit,
    ) -> None:
        self.settings = settings
        self.reason: str | None = None  # why the worker is not ready (None: healthy)
        self._clock = clock
        self._exit = exit_process
        self._progress_at = clock()

    def published(self) -> None:
        """A batch's outputs were acknowledged by the broker."""
        self._progress_at = self._clock()

    def check(self, waiting: int) -> None:
        """Called periodically with the number of records waiting on the raw topic."""
        now = self._clock()
        if waiting <= 0:
            self._progress_at = now
            return
        idle = now - self._progress_at
        if idle >= self.settings.stall_timeout_s:
            self.fail(
                f"stalled: {waiting} records wait on {self.settings.topic_raw} and no batch "
                f"was published for {idle:.0f} s"
            )

    def fail(self, reason: str) -> None:
        """Not ready from now on; exit with EXIT_FATAL after `fatal_exit_delay_s`."""
        if self.reason is not None:
            return
        self.reason = reason
        delay = self.settings.fatal_exit_delay_s
        log.critical("%s; exiting with status %d in %.0f s", reason, EXIT_FATAL, delay)
        self._exit_after(delay, EXIT_FATAL)

    def arm_shutdown_deadline(self) -> None:
        """A stop was requested: make sure the process is gone within the bound."""
        self._exit_after(self.settings.shutdown_timeout_s, EXIT_SHUTDOWN_TIMEOUT)

    def _exit_after(self, delay_s: float, code: int) -> None:
        timer = threading.Timer(delay_s, self._hard_exit, (code,))
        timer.daemon = True
        timer.start()

    def _hard_exit(self, code: int) -> None:
        log.critical("exiting with status %d (%s)", code, self.reason or "shutdown overran")
        for handler in logging.getLogger().handlers:
            handler.flush()
        self._exit(code)
