"""The provisioned Grafana dashboard is valid and reads only metrics the worker declares."""

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.deploy.promql import declared_series_names, metric_names

GRAFANA = Path(__file__).resolve().parents[2] / "deploy" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "air-paradis.json"


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text())


def panel_exprs(dashboard: dict) -> list[tuple[str, str]]:
    return [(panel["title"], target["expr"]) for panel in dashboard["panels"]
            for target in panel["targets"]]  # fmt: skip


def test_metric_name_parser_on_known_expressions():
    expr = (
        'histogram_quantile(0.95, sum by (le) (rate(x_seconds_bucket{scope=~"$scope",'
        'a="b{c}"}[$__rate_interval]))) / on() group_left(k) y_total offset 5m > 1e3'
    )
    assert metric_names(expr) == {"x_seconds_bucket", "y_total"}
    assert metric_names("max by (kind, scope) (alert_active) == 1") == {"alert_active"}
    assert metric_names("sum(rate(tweets_consumed_total[1m])) and bool nan") == {
        "tweets_consumed_total"
    }


def test_declared_names_follow_exposition_suffixes():
    names = declared_series_names()
    assert {"tweets_consumed_total", "inference_latency_seconds_bucket", "window_tweets"} <= names
    assert "tweets_consumed" not in names and "inference_latency_seconds" not in names


def test_every_panel_query_names_only_declared_metrics(dashboard):
    declared = declared_series_names()
    exprs = panel_exprs(dashboard)
    assert exprs
    for title, expr in exprs:
        names = metric_names(expr)
        assert names, f"panel {title!r}: no metric in {expr!r}"
        assert names <= declared, f"panel {title!r}: undeclared {names - declared} in {expr!r}"


def test_template_variables_use_declared_metrics(dashboard):
    declared = declared_series_names()
    for variable in dashboard["templating"]["list"]:
        metric = re.fullmatch(r"label_values\((\w+),\s*\w+\)", variable["definition"])
        assert metric and metric.group(1) in declared, variable["definition"]


def test_dashboard_covers_the_required_views(dashboard):
    used = set().union(*(metric_names(expr) for _, expr in panel_exprs(dashboard)))
    required = {
        "tweets_consumed_total",  # throughput
        "produce_to_scored_latency_seconds_bucket",  # latency p50/p95
        "tweets_by_scope_total",  # sentiment mix per airline
        "window_negative_ratio",
        "drift_ks_statistic",
        "production_accuracy",
        "consumer_lag_messages",
        "alert_active",
        "alerts_total",
        "tweets_deadlettered_total",  # by reason
    }
    assert required <= used, required - used
    exprs = [expr for _, expr in panel_exprs(dashboard)]
    assert any("histogram_quantile(0.5," in e for e in exprs)
    assert any("histogram_quantile(0.95," in e for e in exprs)


def test_panels_are_well_formed(dashboard):
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24 and grid["w"] > 0 and grid["h"] > 0, panel["title"]
        assert panel["datasource"]["uid"] == "prometheus"
        refs = [target["refId"] for target in panel["targets"]]
        assert len(refs) == len(set(refs)), panel["title"]
    assert dashboard["uid"] and dashboard["title"]


def test_provisioning_points_at_the_dashboard_and_datasource():
    datasources = yaml.safe_load((GRAFANA / "provisioning/datasources/prometheus.yml").read_text())
    (source,) = datasources["datasources"]
    assert source["uid"] == "prometheus" and source["type"] == "prometheus"
    providers = yaml.safe_load((GRAFANA / "provisioning/dashboards/air-paradis.yml").read_text())
    (provider,) = providers["providers"]
    assert provider["type"] == "file" and provider["options"]["path"]
