import json

import pytest

from stream.alerts.windows import EventClock, WindowStats, hopping_starts, score_bin, tumbling_start


def test_tumbling_window_boundaries_are_half_open():
    assert tumbling_start(0.0, 60) == 0.0
    assert tumbling_start(59.999, 60) == 0.0
    assert tumbling_start(60.0, 60) == 60.0
    assert tumbling_start(1_700_000_123.5, 300) == 1_700_000_100.0
    assert tumbling_start(-1.0, 60) == -60.0


def test_tumbling_rejects_non_positive_size():
    with pytest.raises(ValueError, match="window size"):
        tumbling_start(10.0, 0)


def test_hopping_windows_cover_the_event_exactly():
    starts = hopping_starts(125.0, size=300, step=60)
    assert starts == [-120.0, -60.0, 0.0, 60.0, 120.0]
    assert all(start <= 125.0 < start + 300 for start in starts)


def test_hopping_window_edge_excludes_window_ending_at_event():
    # 300 is the end of [0, 300): that window must not include an event at 300.
    assert hopping_starts(300.0, size=300, step=100) == [100.0, 200.0, 300.0]


def test_hopping_with_step_equal_to_size_is_tumbling():
    assert hopping_starts(125.0, size=60, step=60) == [tumbling_start(125.0, 60)]


def test_hopping_rejects_step_larger_than_size():
    with pytest.raises(ValueError, match="step"):
        hopping_starts(1.0, size=10, step=20)


def test_add_counts_and_derived_stats():
    stats = WindowStats.empty()
    stats.add(0.1, "negative", tokens=10, oov_tokens=2)
    stats.add(0.9, "positive", tokens=5, oov_tokens=1)
    stats.add(0.2, "negative")
    assert (stats.count, stats.negative, stats.positive) == (3, 2, 1)
    assert stats.negative_ratio == pytest.approx(2 / 3)
    assert stats.mean_score == pytest.approx(0.4)
    assert stats.oov_rate == pytest.approx(3 / 15)
    assert stats.histogram[5] == 1 and stats.histogram[45] == 1 and stats.histogram[10] == 1


def test_empty_window_ratios_are_zero():
    stats = WindowStats.empty()
    assert stats.negative_ratio == 0.0 and stats.mean_score == 0.0 and stats.oov_rate is None


def test_score_bins_cover_both_ends():
    assert score_bin(0.0, 50) == 0
    assert score_bin(1.0, 50) == 49
    assert score_bin(0.02, 50) == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"score": 1.5, "label": "negative"}, "score"),
        ({"score": float("nan"), "label": "negative"}, "score"),
        ({"score": 0.5, "label": "neutral"}, "label"),
        ({"score": 0.5, "label": "negative", "tokens": 2, "oov_tokens": 3}, "oov_tokens"),
    ],
)
def test_add_rejects_bad_input_naming_the_field(kwargs, field):
    stats = WindowStats.empty()
    with pytest.raises(ValueError, match=field):
        stats.add(**kwargs)
    assert stats.count == 0


def test_merge_adds_everything():
    a, b = WindowStats.empty(), WindowStats.empty()
    a.add(0.1, "negative", 4, 1)
    b.add(0.8, "positive", 6, 0)
    b.add(0.3, "negative", 2, 2)
    merged = a.merge(b)
    assert (merged.count, merged.negative, merged.positive) == (3, 2, 1)
    assert merged.score_sum == pytest.approx(1.2)
    assert sum(merged.histogram) == 3 and (merged.tokens, merged.oov_tokens) == (12, 3)
    assert a.count == 1  # inputs untouched


def test_merge_refuses_different_bins():
    with pytest.raises(ValueError, match="bins"):
        WindowStats.empty(10).merge(WindowStats.empty(20))


def test_round_trips_through_json():
    stats = WindowStats.empty(20)
    stats.add(0.33, "negative", 7, 2)
    restored = WindowStats.from_dict(json.loads(json.dumps(stats.to_dict())))
    assert restored == stats


def test_from_dict_names_missing_and_unknown_fields():
    data = WindowStats.empty().to_dict() | {"colour": 1}
    del data["count"]
    with pytest.raises(ValueError, match=r"missing \['count'\], unknown \['colour'\]"):
        WindowStats.from_dict(data)


def test_from_dict_rejects_inconsistent_histogram():
    data = WindowStats.empty().to_dict() | {"count": 3}
    with pytest.raises(ValueError, match="histogram total"):
        WindowStats.from_dict(data)


def test_clock_accepts_within_lateness_and_rejects_beyond():
    clock = EventClock(allowed_lateness_s=30)
    clock, reason = clock.admit(100.0)
    assert reason is None and clock.watermark == 70.0
    clock, reason = clock.admit(75.0)  # late but within lateness
    assert reason is None and clock.max_event_time == 100.0
    same, reason = clock.admit(69.0)
    assert reason is not None and reason.startswith("late:") and "31.0s behind" in reason
    assert same == clock


def test_window_final_only_when_watermark_passes_its_end():
    clock, _ = EventClock(allowed_lateness_s=10).admit(65.0)
    assert not clock.is_final(60.0)  # watermark 55 < end 60
    clock, _ = clock.admit(70.0)
    assert clock.is_final(60.0)
    # and nothing can land in [0, 60) any more
    _, reason = clock.admit(59.9)
    assert reason is not None


def test_clock_rejects_events_far_in_the_future():
    clock = EventClock(allowed_lateness_s=10, max_future_s=300)
    same, reason = clock.admit(2_000.0, now=1_000.0)
    assert reason is not None and reason.startswith("future:")
    assert same.max_event_time is None
    _, ok = clock.admit(1_200.0, now=1_000.0)
    assert ok is None


def test_clock_rejects_non_finite_time_and_round_trips():
    clock = EventClock(allowed_lateness_s=5)
    _, reason = clock.admit(float("nan"))
    assert reason is not None and "event_time" in reason
    clock, _ = clock.admit(42.0)
    assert EventClock.from_dict(json.loads(json.dumps(clock.to_dict()))) == clock
