"""The watchdog's rules, with a fake clock and a recorded exit (no process exits here)."""

from __future__ import annotations

import time

from stream.settings import Settings
from stream.watchdog import EXIT_FATAL, EXIT_SHUTDOWN_TIMEOUT, Watchdog


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def watchdog(**overrides: float) -> tuple[Watchdog, Clock, list[int]]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        stall_timeout_s=10,
        fatal_exit_delay_s=0.05,
        shutdown_timeout_s=0.05,
        **overrides,
    )
    clock, exits = Clock(), []
    return Watchdog(settings, clock, exits.append), clock, exits


def wait_for_exit(exits: list[int]) -> list[int]:
    deadline = time.monotonic() + 5
    while not exits and time.monotonic() < deadline:
        time.sleep(0.01)
    return exits


def test_records_waiting_without_a_publish_past_the_timeout_fail_with_the_reason():
    dog, clock, exits = watchdog()
    dog.check(waiting=5)
    clock.now += 9
    dog.check(waiting=5)
    assert dog.reason is None
    clock.now += 1
    dog.check(waiting=5)
    assert dog.reason is not None and dog.reason.startswith("stalled: 5 records wait on")
    assert wait_for_exit(exits) == [EXIT_FATAL]


def test_a_publish_or_an_empty_topic_restarts_the_stall_clock():
    dog, clock, exits = watchdog()
    clock.now += 60
    dog.check(waiting=0)  # idle for a minute: not a stall
    clock.now += 9
    dog.check(waiting=3)
    dog.published()
    clock.now += 9
    dog.check(waiting=3)
    assert dog.reason is None and exits == []


def test_the_first_failure_is_kept_and_exits_once():
    dog, _, exits = watchdog()
    dog.fail("a batch of 16 records failed: DeliveryError('x: MSG_SIZE_TOO_LARGE')")
    dog.fail("a batch of 16 records failed: later")
    assert dog.reason is not None and "MSG_SIZE_TOO_LARGE" in dog.reason
    time.sleep(0.3)
    assert exits == [EXIT_FATAL]


def test_a_stop_that_overruns_its_bound_exits_hard():
    dog, _, exits = watchdog()
    dog.arm_shutdown_deadline()
    assert wait_for_exit(exits) == [EXIT_SHUTDOWN_TIMEOUT]
