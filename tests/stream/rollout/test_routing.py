import random
import uuid

from stream.rollout.routing import bucket, to_challenger

_RANDOM = random.Random(17)  # fixed ids: the shares below are the same each run
IDS = [uuid.UUID(int=_RANDOM.getrandbits(128)).hex for _ in range(20_000)]


def test_the_share_routed_is_close_to_the_setting():
    for share in (0.1, 0.5):
        routed = sum(to_challenger(i, "salt-a", share) for i in IDS) / len(IDS)
        assert abs(routed - share) < 0.015


def test_the_ten_percent_are_inside_the_fifty_and_routing_is_stable():
    ten = {i for i in IDS if to_challenger(i, "s", 0.1)}
    fifty = {i for i in IDS if to_challenger(i, "s", 0.5)}
    assert ten < fifty
    assert ten == {i for i in IDS if to_challenger(i, "s", 0.1)}
    assert all(to_challenger(i, "s", 1.0) for i in IDS[:100])
    assert not any(to_challenger(i, "s", 0.0) for i in IDS[:100])


def test_a_new_salt_draws_another_sample():
    a = {i for i in IDS if to_challenger(i, "a", 0.1)}
    b = {i for i in IDS if to_challenger(i, "b", 0.1)}
    assert len(a & b) / len(a) < 0.2  # independent draws overlap about 10 %
    assert 0.0 <= bucket("x", "a") < 1.0
