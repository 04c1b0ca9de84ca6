import pytest

from stream.alerts.scopes import (
    ScopeConfig,
    ScopeSettings,
    aspects_of,
    normalise_name,
    scopes_for,
)
from stream.kafka.clients import tags_of
from stream.settings import Settings

SCOPES = ScopeSettings(known_airlines=("AirParadis", "air_france"), known_tags=("lounge",),
                       max_other=2)  # fmt: skip
CONFIG = ScopeConfig.of(SCOPES)


def test_global_always_first():
    assert scopes_for("just a tweet", [], CONFIG) == ["global"]


def test_known_airline_from_mention_hashtag_and_tag():
    for text, tags in [("@Air_Paradis hi", []), ("#AirParadis hi", []), ("hi", ["airparadis"]),
                       ("hi", ["airline:AirParadis"])]:  # fmt: skip
        assert scopes_for(text, tags, CONFIG) == ["global", "airline:airparadis"], (text, tags)


def test_topic_tags_from_record_and_hashtags():
    scopes = scopes_for("great #Lounge", ["topic:lounge"], CONFIG)
    assert scopes == ["global", "tag:lounge"]


def test_unknown_names_fold_into_their_hash_bucket():
    scopes = scopes_for("@delta @united #fail", [], CONFIG)
    assert scopes[0] == "global" and len(scopes) in (3, 4)  # two airlines may share a bucket
    assert all(s in {"global", "airline:other-00", "airline:other-01", "tag:other-00",
                     "tag:other-01"} for s in scopes)  # fmt: skip
    assert scopes_for("@x #y", [], ScopeConfig.of(ScopeSettings(max_other=0))) == [
        "global", "airline:other", "tag:other"
    ]  # fmt: skip


def test_scope_names_depend_on_the_name_only_not_on_what_came_first():
    """Two workers (or a restart) seeing tweets in different orders name them alike."""
    names = [f"@airline{i}" for i in range(40)]
    forward = {n: scopes_for(n, [], CONFIG) for n in names}
    backward = {n: scopes_for(n, [], CONFIG) for n in reversed(names)}
    assert forward == backward
    assert len({tuple(s) for s in forward.values()}) == 2  # both buckets used


def test_label_cardinality_stays_bounded_over_many_names():
    every_scope: set[str] = set()
    for i in range(500):
        every_scope.update(scopes_for(f"@airline{i} #topic{i}", [f"tag{i}"], CONFIG))
    non_aspect = {s for s in every_scope if not s.startswith("aspect:")}
    assert len(non_aspect) <= 1 + 2 * (1 + 2)  # global + per kind: a known name + 2 buckets


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
    settings = Settings(scopes={"aspect_keywords": {"wifi": ("wifi", "internet")}, "max_other": 0})
    config = ScopeConfig.of(settings.scopes)
    assert scopes_for("no internet onboard", [], config) == ["global", "aspect:wifi"]
    assert aspects_of("my bags", config) == []


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="text"):
        scopes_for(None, [], CONFIG)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tags"):
        scopes_for("hi", "airparadis", CONFIG)
    with pytest.raises(ValueError, match="aspect name"):
        ScopeConfig.of(ScopeSettings(aspect_keywords={"Bad Name": ("x",)}))
    with pytest.raises(ValueError, match="max_other"):
        ScopeSettings(max_other=-1)


def test_normalise_name():
    assert normalise_name("@Air_Paradis") == "airparadis"


def test_urls_glued_marks_and_long_hashtags_as_the_model_reads_them() -> None:
    """Scopes read mentions and hashtags with `models.preprocessing`'s patterns."""
    settings = ScopeSettings(known_airlines=("delta",), known_tags=("x" * 40,), max_other=0)
    config = ScopeConfig.of(settings)
    assert scopes_for("https://x.com/#lounge http://m.com/@delta", [], config) == ["global"]
    assert scopes_for("@#delta #@delta", [], config) == ["global"]
    assert scopes_for("#" + "x" * 40, [], config) == ["global", f"tag:{'x' * 40}"]


def test_record_tags_from_the_producer_name_the_scopes_the_text_names() -> None:
    """`tags_of` writes `@name` for a mention: an airline, as the mention in the text."""
    for text in ["@Delta late again", "#" + "Long" * 10 + " again", "#Lounge @x"]:
        with_tags, text_only = scopes_for(text, tags_of(text), CONFIG), scopes_for(text, [], CONFIG)
        assert sorted(with_tags) == sorted(text_only), text
    assert scopes_for("hi", ["@united"], ScopeConfig.of(ScopeSettings(max_other=0))) == [
        "global", "airline:other"
    ]  # fmt: skip


def test_placeholders_are_not_words() -> None:
    config = ScopeConfig.of(ScopeSettings(aspect_keywords={"web": ("url", "user")}, max_other=0))
    assert aspects_of("@bob see http://x.co", config) == []
    assert aspects_of("this user hates the url", config) == ["web"]
