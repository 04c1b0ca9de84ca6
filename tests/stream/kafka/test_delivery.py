import subprocess
import sys
import time

import pytest

from stream.kafka.delivery import AccountedProducer, DeliveryError
from stream.settings import Settings


def test_records_left_when_the_wait_ends_are_counted_then_purged(settings: Settings) -> None:
    """`settings` of an unmarked test point at a port where nothing listens."""
    producer = AccountedProducer(settings.kafka)
    for _ in range(3):
        producer.send("tweets.raw", None, b"{}")
    time.sleep(0.5)  # librdkafka's error and log events pile up: `len(producer)` counts them
    assert producer.queued == 3
    started = time.monotonic()
    with pytest.raises(DeliveryError, match=r"^3 of 3 records not delivered; 3 still queued"):
        producer.wait(0.5)
    assert time.monotonic() - started < 5
    assert producer.queued == 0 and producer.refused == []  # purged, and not counted twice


def test_a_failed_producer_leaves_the_interpreter_cleanly(settings: Settings) -> None:
    """Nothing is left for the deallocator, whose librdkafka callbacks can crash at exit."""
    script = (
        "from stream.kafka.delivery import AccountedProducer, DeliveryError\n"
        "from stream.settings import KafkaSettings\n"
        f"kafka = KafkaSettings(bootstrap_servers='{settings.kafka.bootstrap_servers}')\n"
        "p = AccountedProducer(kafka)\n"
        "p.send('t', None, b'{}')\n"
        "try:\n    p.wait(0.3)\nexcept DeliveryError as e:\n    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("1 of 1 records not delivered")
