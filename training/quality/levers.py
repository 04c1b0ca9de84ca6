"""Every quality lever by the name `airparadis-train quality --lever` takes.

A `+vader-blend(val)` lever blends its base on the validation split, a
`+vader-blend(val+airline-oof)` one on the validation split and the feedback days
(`,prior`: keeping the airline's own prior); the base is fitted once per run.
"""

from __future__ import annotations

from training.quality.blends import two_source, val_blend
from training.quality.data import Lever
from training.quality.ensembles import logit_mean, stacked_on_val
from training.quality.lstm_levers import (
    fit_lstm_full_distilled,
    fit_lstm_lexicon,
    fit_lstm_lexicon_distilled,
    lstm_airline,
    lstm_airline_weighted,
    lstm_distilled,
    lstm_full_distilled,
    lstm_full_weighted,
    lstm_lexicon,
    lstm_lexicon_distilled,
    lstm_lexicon_hard_share,
    lstm_quick,
    lstm_wordpieces_distilled,
    transformer_quick,
)
from training.quality.tfidf_levers import (
    baseline,
    blend_airline,
    blend_both,
    blend_val,
    calibrated_airline,
    distilled_in_domain,
    fit_distilled,
    fit_in_domain_weighted,
    fit_in_domain_weighted_char,
    in_domain_plain,
    in_domain_vader_features,
    in_domain_weighted,
    in_domain_weighted_char,
    noise_filtered,
    vader,
    vader_features_lever,
)

TWO_SOURCES = "+vader-blend(val+airline-oof)"
WITH_PRIOR = "+vader-blend(val+airline-oof,prior)"
TFIDF_WEIGHTED = "tfidf+airline(weighted)"
TFIDF_CHAR_WEIGHTED = "tfidf(char)+airline(weighted)"  # character n-grams beside the words
LEXICON = "lstm(lexicon)+airline(weighted)"
LEXICON_DISTILLED = LEXICON + "+distilled"
LEXICON_AND_TFIDF = LEXICON + "&" + TFIDF_WEIGHTED  # logit mean: the BiLSTM and the TF-IDF
V4_AND_TFIDF = LEXICON_DISTILLED + "&" + TFIDF_WEIGHTED  # the same with v4 (a teacher)

LEVERS: dict[str, Lever] = {
    "tfidf": baseline,
    "vader": vader,
    "tfidf+vader-blend(val)": blend_val,
    "tfidf+vader-blend(airline)": blend_airline,
    "tfidf+vader-blend(val+airline)": blend_both,
    "tfidf+vader-features": vader_features_lever,
    "tfidf+calibrated(airline)": calibrated_airline,
    "tfidf+airline": in_domain_plain,
    TFIDF_WEIGHTED: in_domain_weighted,
    TFIDF_WEIGHTED + "+vader-blend(val)": val_blend(in_domain_weighted),
    TFIDF_WEIGHTED + TWO_SOURCES: two_source(in_domain_weighted, fit_in_domain_weighted, "tfidf"),
    TFIDF_WEIGHTED + WITH_PRIOR: two_source(
        in_domain_weighted, fit_in_domain_weighted, "tfidf", airline_prior=True
    ),
    TFIDF_CHAR_WEIGHTED: in_domain_weighted_char,
    TFIDF_CHAR_WEIGHTED + TWO_SOURCES: two_source(
        in_domain_weighted_char, fit_in_domain_weighted_char, "tfidf(char)"
    ),
    TFIDF_WEIGHTED + "+distilled": distilled_in_domain,
    TFIDF_WEIGHTED + "+distilled" + TWO_SOURCES: two_source(
        distilled_in_domain, fit_distilled, "tfidf+distilled"
    ),
    TFIDF_WEIGHTED + "+vader-features": in_domain_vader_features,
    "tfidf(noise-filtered)": noise_filtered,
    "lstm-quick": lstm_quick,
    "lstm-quick+vader-blend(val)": val_blend(lstm_quick),
    "lstm-quick+airline": lstm_airline,
    "lstm-quick+airline+vader-blend(val)": val_blend(lstm_airline),
    "lstm-quick+airline(weighted)": lstm_airline_weighted,
    "lstm-quick+airline(weighted)+vader-blend(val)": val_blend(lstm_airline_weighted),
    "lstm+airline(weighted)": lstm_full_weighted,
    "lstm+airline(weighted)+distilled": lstm_full_distilled,
    "lstm+airline(weighted)+distilled+vader-blend(val)": val_blend(lstm_full_distilled),
    "lstm+airline(weighted)+distilled" + TWO_SOURCES: two_source(
        lstm_full_distilled, fit_lstm_full_distilled, "lstm-full+distilled"
    ),
    "lstm(wordpieces)+airline(weighted)+distilled": lstm_wordpieces_distilled,
    LEXICON_DISTILLED: lstm_lexicon_distilled,
    LEXICON_DISTILLED + TWO_SOURCES: two_source(
        lstm_lexicon_distilled, fit_lstm_lexicon_distilled, "lstm-lexicon+distilled"
    ),
    LEXICON_DISTILLED + WITH_PRIOR: two_source(
        lstm_lexicon_distilled,
        fit_lstm_lexicon_distilled,
        "lstm-lexicon+distilled",
        airline_prior=True,
    ),
    LEXICON_DISTILLED + "(hard=0)": lstm_lexicon_hard_share(0.0),
    LEXICON_DISTILLED + "(hard=0.25)": lstm_lexicon_hard_share(0.25),
    LEXICON: lstm_lexicon,
    LEXICON + TWO_SOURCES: two_source(lstm_lexicon, fit_lstm_lexicon, "lstm-lexicon"),
    LEXICON + WITH_PRIOR: two_source(
        lstm_lexicon, fit_lstm_lexicon, "lstm-lexicon", airline_prior=True
    ),
    V4_AND_TFIDF: logit_mean(lstm_lexicon_distilled, in_domain_weighted),
    V4_AND_TFIDF + "(stacked)": stacked_on_val(lstm_lexicon_distilled, in_domain_weighted),
    LEXICON_AND_TFIDF: logit_mean(lstm_lexicon, in_domain_weighted),
    LEXICON_AND_TFIDF + "(stacked)": stacked_on_val(lstm_lexicon, in_domain_weighted),
    "transformer-quick": transformer_quick,
    "lstm-quick+distilled": lstm_distilled,
}
#: What `quality` runs by default: the TF-IDF levers (seconds each); LSTM and transformer
#: ones on request.
DEFAULT_LEVERS = tuple(
    name
    for name in LEVERS
    if not name.startswith(("lstm", "transformer")) and "distilled" not in name
)
