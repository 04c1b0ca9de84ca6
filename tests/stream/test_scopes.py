import pytest

from stream.scopes import ScopeConfig, ScopeTracker, aspects_of, normalise_name, scopes_for
from stream.settings import Settings

CONFIG = ScopeConfig.build(known_airlines=["AirParadis", "air_france"], known_tags=["lounge"],
                           max_other=2)  # fmt: skip


def test_global_always_first():
    assert scopes_for("just a tweet", [], CONFIG) == ["global"]


def test_known_airline_from_mention_hashtag_and_tag():
    for text, tags in [("@Air_Paradis hi", []), ("#AirParadis hi", []), ("hi", ["airparadis"]),
                       ("hi", ["airline:AirParadis"])]:  # fmt: skip
        assert scopes_for(text, tags, CONFIG) == ["global", "airline:airparadis"], (text, tags)


def test_topic_tags_from_record_and_hashtags():
    scopes = scopes_for("great #Lounge", ["topic:lounge"], CONFIG)
    assert scopes == ["global", "tag:lounge"]


def test_unknown_names_fold_into_other_without_a_tracker():
    scopes = scopes_for("@delta @united #fail", [], CONFIG)
    assert scopes == ["global", "airline:other", "tag:other"]


def test_tracker_admits_at_most_max_other_per_kind():
    tracker = ScopeTracker()
    first = scopes_for("@delta @united @easyjet hello", [], CONFIG, tracker)
    assert first == ["global", "airline:delta", "airline:united", "airline:other"]
    again = scopes_for("@united and @ryanair", [], CONFIG, tracker)
    assert again == ["global", "airline:united", "airline:other"]
    seen = set(scopes_for("@a1 @a2 @a3 #t1 #t2 #t3 #t4", [], CONFIG, tracker))
    airlines = {s for s in seen if s.startswith("airline:")}
    tags = {s for s in seen if s.startswith("tag:")}
    assert airlines == {"airline:other"}
    assert tags == {"tag:t1", "tag:t2", "tag:other"}


def test_label_cardinality_stays_bounded_over_many_names():
    tracker = ScopeTracker()
    every_scope: set[str] = set()
    for i in range(500):
        every_scope.update(scopes_for(f"@airline{i} #topic{i}", [f"tag{i}"], CONFIG, tracker))
    non_aspect = {s for s in every_scope if not s.startswith("aspect:")}
    assert len(non_aspect) <= 1 + 2 * (2 + 1)  # global + per kind: 2 others + `other`


@pytest.mark.parametrize(
    ("text", "aspects"),
    [
        ("They lost my LUGGAGE and two bags", ["baggage"]),
        ("Flight cancelled, then canceled again", ["cancellation"]),
        ("delayed 3 hours on the tarmac", ["delay"]),
        ("rude staff and an expensive fare", ["service", "price"]),
        ("#LostLuggage #Delayed", ["baggage", "delay"]),
        ("lovely trip", []),
    ],
)
def test_aspects_match_on_stems(text, aspects):
    assert aspects_of(text, CONFIG) == aspects


def test_scopes_include_aspects_once():
    scopes = scopes_for("@AirParadis bag lost, bags delayed", [], CONFIG)
    assert scopes == ["global", "airline:airparadis", "aspect:baggage", "aspect:delay"]


def test_custom_aspect_map_from_settings():
    settings = Settings(scope_aspect_keywords={"wifi": ("wifi", "internet")}, scope_max_other=0)
    config = ScopeConfig.from_settings(settings)
    assert scopes_for("no internet onboard", [], config) == ["global", "aspect:wifi"]
    assert aspects_of("my bags", config) == []


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="text"):
        scopes_for(None, [], CONFIG)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tags"):
        scopes_for("hi", "airparadis", CONFIG)
    with pytest.raises(ValueError, match="aspect name"):
        ScopeConfig.build(aspect_keywords={"Bad Name": ("x",)})
    with pytest.raises(ValueError, match="max_other"):
        ScopeConfig.build(max_other=-1)


def test_normalise_name():
    assert normalise_name("@Air_Paradis") == "airparadis"
