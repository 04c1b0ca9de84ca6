"""Prometheus metrics of the annotation server, on its own registry (served at /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

REGISTRY = CollectorRegistry()

KAPPA = Gauge(
    "annotation_kappa",
    "Cohen's kappa of a pair of annotators over the last N double-labelled tweets",
    ["pair"],
    registry=REGISTRY,
)
KAPPA_OVERALL = Gauge(
    "annotation_kappa_overall",
    "Cohen's kappa, first vs second answer, over the last N double-labelled tweets (NaN: none)",
    registry=REGISTRY,
)
DOUBLE_LABELLED = Gauge(
    "annotation_double_labelled_tweets",
    "Double-labelled tweets the overall kappa is measured on",
    registry=REGISTRY,
)
TWEETS = Gauge(
    "annotation_tweets",
    "Annotated tweets by state: trusted, or the flag that keeps them out of training",
    ["state"],
    registry=REGISTRY,
)
ANSWERS = Counter(
    "annotation_answers_total", "Answers received, by answer", ["answer"], registry=REGISTRY
)
LOGINS = Counter(
    "annotation_logins_total", "Sign-in attempts, by outcome", ["outcome"], registry=REGISTRY
)
