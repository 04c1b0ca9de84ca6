"""clean_tweet and Preprocessor: the cleaning rules, tokens, options and their config."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.preprocessing import (
    _ELONGATION,
    _EMOTICONS,
    _NUMBER,
    _PICTOGRAPHS,
    _SPACES,
    _URL,
    HASHTAG,
    MAX_EMOJI_NAME_WORDS,
    MAX_NAMED_EMOJIS,
    MAX_RUN_CHARS,
    MENTION,
    NUMBER_TOKEN,
    UNTIMED_MAX_CHARS,
    URL_TOKEN,
    USER_TOKEN,
    MissingNltkData,
    PreprocessConfig,
    Preprocessor,
    _name_emojis,
    _replace_urls,
    _split_hashtag,
    clean_tweet,
    emoji_words,
    tweet_terms,
)
from tests.conftest import labelled_sample


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Check https://t.co/abc NOW", f"check {URL_TOKEN} now"),
        ("see www.airparadis.com", f"see {URL_TOKEN}"),
        ("@AirParadis lost my bag", f"{USER_TOKEN} lost my bag"),
        ("email@test.com stays", "email@test.com stays"),
        ("#BadService again", "bad service again"),
        ("soooo goooood", "soo good"),
        ("flight 714 at 10:30", f"flight {NUMBER_TOKEN} at {NUMBER_TOKEN}"),
        ("fish &amp; chips &quot;meh&quot;", 'fish & chips "meh"'),
        ("I ❤️ this 😡", "i love this angry"),
        # emojis without a word of ours: their Unicode name, less "face", "sign", ...
        ("💙 thanks", "blue heart thanks"),
        ("🆘 stuck in ORD 😩", "sos stuck in ord tired"),
        ("😜", "stuck out tongue winking"),  # "face with stuck-out tongue and winking eye"
        ("👨‍👩‍👧 trip", "man woman girl trip"),  # joined by zero-width joiners
        ("👍🏽 🇺🇸", "good"),  # skin tones and flag letters say nothing
        ("  many   spaces\there ", "many spaces here"),
    ],
)
def test_clean_tweet(raw: str, clean: str) -> None:
    assert clean_tweet(raw) == clean


def test_clean_tweet_is_idempotent() -> None:
    for text in ["@bob LOOOOVE #GreatCrew :) http://x.co 42", "@#glued #@glued"]:
        once = clean_tweet(text)
        assert clean_tweet(once) == once, text


_PICTOGRAPH = re.compile(f"[{_PICTOGRAPHS}]")
_EMOJI_BLOCK_CHARS = [chr(c) for c in range(0x1F000, 0x1FB00)] + [
    chr(c) for c in range(0x2600, 0x27C0)
]


def test_every_emoji_becomes_a_few_plain_words_or_nothing() -> None:
    named = [emoji_words(char) for char in _EMOJI_BLOCK_CHARS]
    words = rf"[a-z0-9]+( [a-z0-9]+){{0,{MAX_EMOJI_NAME_WORDS - 1}}}"
    assert all(name == "" or re.fullmatch(words, name) for name in named)
    assert sum(name != "" for name in named) > 2_000


def test_a_tweet_of_emojis_stays_short() -> None:
    tokens = Preprocessor().tokenize("🔄😜" * 5_000)  # names of 4 words each, 10,000 of them
    assert tokens[:8] == [
        "anticlockwise",
        "downwards",
        "upwards",
        "open",
        "stuck",
        "out",
        "tongue",
        "winking",
    ]
    assert len(tokens) == MAX_NAMED_EMOJIS * MAX_EMOJI_NAME_WORDS


@given(st.text(st.sampled_from(["a", "b", " ", "#", "@", *_EMOJI_BLOCK_CHARS[::37], "\u200d"])))
def test_cleaned_tweets_hold_no_pictographs_and_clean_again_to_themselves(text: str) -> None:
    cleaned = clean_tweet(text)
    assert not _PICTOGRAPH.search(cleaned)
    assert clean_tweet(cleaned) == cleaned


def every_pattern_on_every_tweet(text: str) -> str:
    """clean_tweet without its guards: each pattern runs on every text."""
    text = html.unescape(text)
    text = _URL.sub(f" {URL_TOKEN} ", text)
    text = MENTION.sub(f" {USER_TOKEN} ", text)
    text = HASHTAG.sub(_split_hashtag, text)
    text = _name_emojis(text).lower()
    text = _ELONGATION.sub(r"\1\1", text)
    text = _NUMBER.sub(f" {NUMBER_TOKEN} ", text)
    return _SPACES.sub(" ", text).strip()


_TRICKY = ["HTTP://", "https://", "Www.", "wWw.x", "@", "#", "&amp;", "&#64;", "&#x23;", "1"]
_TRICKY += ["٣", "²", "\u017f", "Ｈttp://", "ǅ", "😡", "é", "\u200d", "\n", " ", "a", "A"]
TRICKY_TEXT = st.lists(st.sampled_from(_TRICKY) | st.text(max_size=3)).map("".join)


@given(TRICKY_TEXT)
def test_clean_tweet_equals_every_pattern_run_on_every_tweet(text: str) -> None:
    """The guards skip a pattern only where it cannot match: entities that unescape to
    @ or #, case-folded URL schemes, digits of other scripts, non-ASCII of every kind."""
    assert clean_tweet(text) == every_pattern_on_every_tweet(text)


def test_clean_tweet_equals_every_pattern_run_on_real_tweets() -> None:
    texts, _ = labelled_sample(2_000)
    assert [clean_tweet(t) for t in texts] == [every_pattern_on_every_tweet(t) for t in texts]


@given(TRICKY_TEXT)
def test_urls_are_replaced_as_the_pattern_alone_would(text: str) -> None:
    """The URL guard that clean_tweet and tweet_terms share."""
    assert _replace_urls(text, " ") == _URL.sub(" ", text)


def test_clean_tweet_is_not_cached() -> None:
    """The stream cleans each tweet once by design (the model); nothing is memoised."""
    assert not hasattr(clean_tweet, "cache_info")


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("@AirParadis lost my bag #BagFail", ("@AirParadis", "#BagFail")),
        ("#first then @second", ("#first", "@second")),
        ("mail a@b.com or x#y", ()),
        # the variants differed on these (scopes and tags read inside URLs, or glued marks)
        ("see https://x.com/#baggage and http://m.com/@delta", ()),
        ("@#glued #@glued", ()),
        ("&#64;escaped &#35;tag", ("@escaped", "#tag")),
        ("#" + "a" * 40, ("#" + "a" * 40,)),  # one name, not cut at 30 or 50 characters
        ("@" + "b" * 40, ("@" + "b" * 30,)),  # a mention is cut at 30, as clean_tweet cuts it
    ],
)
def test_tweet_terms_entities(text: str, entities: tuple[str, ...]) -> None:
    assert tweet_terms(text).entities == entities


def test_tweet_terms_words_are_clean_tweets_words_without_placeholders() -> None:
    """One set of patterns: the words scopes match are the words the model's cleaning keeps."""
    placeholders = {"url", "user", "num"}
    texts, _ = labelled_sample(1000)
    edge_cases = ["#LostLuggage soooo LATE @x http://t.co/baggage", "fees&amp;fares 42 bags"]
    for text in [*edge_cases, *texts]:
        if not text.isascii():  # emojis become words in clean_tweet, not in tweet_terms
            continue
        cleaned = re.findall("[a-z]+", clean_tweet(text))
        cleaned_words = [w for w in cleaned if w not in placeholders]
        words = [w for w in tweet_terms(text).words if w not in placeholders]
        assert words == cleaned_words, text
    assert tweet_terms("@user_x #UserX").words == ("user", "x")


def test_tokens_map_emoticons_to_words() -> None:
    assert Preprocessor().tokenize("I don't like delays :( <3") == [
        "i",
        "don't",
        "like",
        "delays",
        "sad",
        "love",
    ]


def test_stopword_removal_keeps_negations() -> None:
    tokens = Preprocessor(PreprocessConfig(remove_stopwords=True)).tokenize(
        "the flight was not on time and I don't care"
    )
    assert "the" not in tokens and "was" not in tokens
    assert {"not", "don't", "flight"} <= set(tokens)


def test_lemmatize_reduces_plurals_only_for_words() -> None:
    tokens = Preprocessor(PreprocessConfig(lemmatize=True)).tokenize("bags planes <url> 2")
    assert tokens == ["bag", "plane", URL_TOKEN, NUMBER_TOKEN]


def test_config_round_trips_through_dict() -> None:
    config = PreprocessConfig(lemmatize=True, remove_stopwords=False)
    assert PreprocessConfig.from_dict(config.to_dict()) == config
    assert config.to_dict() == {"lemmatize": True, "remove_stopwords": False}


def test_tokenize_many_matches_tokenize() -> None:
    preprocessor = Preprocessor()
    texts = ["good flight", "bad food!"]
    assert preprocessor.tokenize_many(texts) == [preprocessor.tokenize(t) for t in texts]


def test_tokens_are_nltks_tweet_tokens_without_its_timeout() -> None:
    from nltk.tokenize import TweetTokenizer

    nltk_tokens = TweetTokenizer(preserve_case=True, reduce_len=False, strip_handles=False)
    preprocessor = Preprocessor()
    assert preprocessor._untimed is not None  # this NLTK's patterns were found
    edge_cases = [
        "call 555-123-4567 or +33 1 23 45 67 89 now!!!!!!",
        "&lt;3 &amp;&amp; &#128512; &bogus; :-) :-D <3 >:(",
        "waaaaaaay tooooo looooong ........ ??????",
        "héhé naïve café, Москва, नमस्ते, 東京 ✈️ 😡",
        "http://t.co/x @user #TagHere e-mail: a.b@c.com $100 5:30pm",
    ]
    texts, _ = labelled_sample(1000)
    for text in [*edge_cases, *texts]:
        cleaned = clean_tweet(text)
        assert preprocessor._untimed(cleaned) == nltk_tokens.tokenize(cleaned), text


def test_long_texts_keep_nltks_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    preprocessor = Preprocessor()
    monkeypatch.setattr(preprocessor, "_untimed", lambda text: pytest.fail("untimed path"))
    tokens = preprocessor.tokenize("delayed " * (UNTIMED_MAX_CHARS // 8 + 1))
    assert tokens[:2] == ["delayed", "delayed"]


def test_missing_nltk_data_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import nltk

    monkeypatch.setattr(nltk.data, "path", ["/nonexistent"])
    with pytest.raises(MissingNltkData, match=r"'stopwords' not found.*NLTK_DATA"):
        Preprocessor(PreprocessConfig(remove_stopwords=True))


def test_runs_longer_than_the_bound_are_cut_and_shorter_ones_left_alone() -> None:
    from nltk.tokenize import TweetTokenizer

    nltk_tokens = TweetTokenizer(preserve_case=True, reduce_len=False, strip_handles=False)
    preprocessor = Preprocessor()
    texts, _ = labelled_sample(1000)
    long_runs = 0
    for text in texts:  # real tweets: NLTK's tokens (emoticons named) unless a run is cut
        cleaned = clean_tweet(text)
        if max(map(len, cleaned.split()), default=0) > MAX_RUN_CHARS:
            long_runs += 1
            continue
        tokens = [_EMOTICONS.get(token, token) for token in nltk_tokens.tokenize(cleaned)]
        assert preprocessor.tokenize(text) == tokens
    assert long_runs < len(texts) / 100
    word = ("ab" * MAX_RUN_CHARS)[:MAX_RUN_CHARS]
    assert preprocessor.tokenize(f"{word}cde fg") == [word, "cde", "fg"]


def test_hostile_long_runs_tokenize_in_bounded_time() -> None:
    import time

    preprocessor = Preprocessor()
    hostile = "http:a" + ".," * 5_000  # one 10,000-character run: 15 s before the cut
    started = time.perf_counter()
    preprocessor.tokenize(hostile)
    assert time.perf_counter() - started < 2.0  # ~0.1 s measured on a busy machine


def test_one_shared_preprocessor_per_config_remembers_its_last_batch() -> None:
    from models.preprocessing import PreprocessConfig, shared_preprocessor

    plain = shared_preprocessor(PreprocessConfig())
    assert plain is shared_preprocessor(PreprocessConfig())
    assert plain is not shared_preprocessor(PreprocessConfig(remove_stopwords=True))
    first = plain.tokenize_batch(["I don't like it :(", "great flight"])
    assert first == [plain.tokenize("I don't like it :("), plain.tokenize("great flight")]
    assert plain.tokenize_batch(["I don't like it :(", "great flight"]) is first
    assert plain.tokenize_batch(["great flight"]) == [plain.tokenize("great flight")]
