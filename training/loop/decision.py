"""The gate's rule, pure: promote only a challenger better on every metric on recent
labels, beyond the bootstrap noise, and not worse than a tolerance on the fixed test split."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from models.bootstrap import METRICS, Difference

APPROVED, REFUSED = "approved", "refused"


@dataclass(frozen=True)
class Decision:
    approved: bool
    reasons: tuple[str, ...]  # why it was refused (empty when approved)

    @property
    def verdict(self) -> str:
        return APPROVED if self.approved else REFUSED


def decide(
    recent: Mapping[str, Difference], test: Mapping[str, Difference], tolerance: float
) -> Decision:
    """`recent`: (b) with bootstrap intervals; `test`: (a), point differences."""
    reasons = []
    for name in METRICS:
        d = recent[name]
        if not d.diff > 0:
            reasons.append(
                f"recent {name}: challenger {d.b:.4f} not better than champion {d.a:.4f}"
            )
        elif not d.low > 0:
            reasons.append(
                f"recent {name}: +{d.diff:.4f} within noise (interval {d.low:+.4f}..{d.high:+.4f})"
            )
    for name in METRICS:
        d = test[name]
        if d.diff < -tolerance:
            reasons.append(
                f"test {name}: {d.diff:+.4f} ({d.a:.4f} -> {d.b:.4f}) worse than -{tolerance}"
            )
    return Decision(not reasons, tuple(reasons))
