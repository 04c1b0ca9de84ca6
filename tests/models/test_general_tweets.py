"""The hand-written general tweets: balanced per topic, and in no corpus a model trains on."""

from __future__ import annotations

from models.data import DEFAULT_DATA, load_dataset
from models.devsets import AIRLINE_DATA, behavioural_suite
from models.general_tweets import GENERAL_TWEETS, general_tweets
from models.preprocessing import clean_tweet
from stream.demo.replay import read_airline_tweets


def test_every_topic_has_both_labels_and_no_tweet_repeats() -> None:
    suite = general_tweets()
    assert len(suite) == sum(len(cases) for cases in GENERAL_TWEETS.values()) >= 100
    for topic, cases in GENERAL_TWEETS.items():
        assert {label for _, label in cases} == {0, 1}, topic
    assert len(set(suite.texts)) == len(suite)
    positive = int(suite.labels.sum())
    assert 0.4 < positive / len(suite) < 0.6


def test_no_general_tweet_is_in_the_training_corpora_or_the_behaviour_suite() -> None:
    """Compared after cleaning, so a URL or a mention cannot hide a copy."""
    ours = {clean_tweet(text) for text in general_tweets().texts}
    corpus = load_dataset(DEFAULT_DATA)
    airline = [row["text"] for row in read_airline_tweets(AIRLINE_DATA)]
    behaviours = behavioural_suite().texts
    theirs = {clean_tweet(text) for text in [*corpus.texts, *airline, *behaviours]}
    assert not ours & theirs
