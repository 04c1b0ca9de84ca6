"""Scoring a model on every proxy, and the table of results."""

from __future__ import annotations

from models.devsets import behavioural_suite
from models.general_tweets import general_tweets
from models.lexicon import VaderModel
from models.proxies import Proxies, evaluate, flat_metrics, markdown_table
from models.splits import Splits
from models.tfidf import TfidfModel


def test_evaluate_every_proxy_and_tabulate(small_tfidf: TfidfModel, sample_splits: Splits) -> None:
    proxies = Proxies(sample_splits.test, sample_splits.val, behavioural_suite(), general_tweets())
    rows = {"tfidf": evaluate(small_tfidf, proxies), "vader": evaluate(VaderModel(), proxies)}
    assert rows["tfidf"]["split"].n == len(sample_splits.test)
    assert rows["tfidf"]["split"].roc_auc > 0.7
    assert rows["vader"]["behaviour"].accuracy > 0.7  # the suite is what a lexicon reads
    metrics = flat_metrics(rows["tfidf"])
    assert metrics["airline_roc_auc"] == rows["tfidf"]["airline"].roc_auc
    assert metrics["general_accuracy"] == rows["tfidf"]["general"].accuracy
    table = markdown_table(rows, {"tfidf": 1.5}).splitlines()
    assert len(table) == 4 and table[0].count("AUC") == 4 and "fit s" in table[0]
    assert table[2].startswith("| tfidf |") and table[2].endswith("| 1.5 |")
    assert table[3].endswith("| 0.0 |")
