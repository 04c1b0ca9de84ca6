"""Which model scores a tweet: a stable, salted hash of its id against the rollout's share.

`bucket` maps (salt, id) to [0, 1) uniformly; the challenger takes the ids below the
share, so the 10 % are inside the 50 % and a tweet replayed after a restart goes to the
same model. A new salt per rollout gives each challenger a different sample.
"""

from __future__ import annotations

import hashlib

_SCALE = float(1 << 64)


def bucket(tweet_id: str, salt: str) -> float:
    """Uniform in [0, 1), the same on every worker and after every restart."""
    digest = hashlib.blake2b(f"{salt}:{tweet_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / _SCALE


def to_challenger(tweet_id: str, salt: str, share: float) -> bool:
    """True when this tweet is in the challenger's share of traffic."""
    return share > 0.0 and (share >= 1.0 or bucket(tweet_id, salt) < share)
