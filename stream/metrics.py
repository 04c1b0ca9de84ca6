"""Every Prometheus metric the worker exports, declared once (base units, `_total` counters).

Label values are bounded: `reason` is a fixed set of codes, `scope` is capped by
`stream.scopes` (global, a configured number of airlines/tags, and the aspect list).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# 2 s is a bucket edge so the p95 < 2 s alert (deploy/prometheus/rules.yml) is exact
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10)

# Scoring pipeline
TWEETS_CONSUMED = Counter("tweets_consumed_total", "Raw tweets read from the input topic")
TWEETS_SCORED = Counter("tweets_scored_total", "Tweets scored and published", ["label"])
TWEETS_DEADLETTERED = Counter(
    "tweets_deadlettered_total", "Inputs sent to the dead-letter topic", ["reason"]
)
BATCH_SIZE = Histogram(
    "scoring_batch_size",
    "Tweets per model call",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024),
)
INFERENCE_LATENCY = Histogram(
    "inference_latency_seconds", "Preprocessing + model call for one batch", buckets=LATENCY_BUCKETS
)
PRODUCE_TO_SCORED = Histogram(
    "produce_to_scored_latency_seconds",
    "From the raw record's Kafka timestamp to its scored event being sent",
    buckets=LATENCY_BUCKETS,
)
MODEL_FAILURES = Counter("model_failures_total", "Model calls that raised")
MODEL_INFO = Gauge("model_info", "The model being served (value 1)", ["name", "version"])
MODEL_RELOADS = Counter("model_reloads_total", "Hot reloads of the champion model")
CONSUMER_LAG = Gauge(
    "consumer_lag_messages", "High watermark minus committed offset", ["topic", "partition"]
)
PREDICT_REQUESTS = Counter("predict_requests_total", "POST /predict calls", ["status"])

# Windowed aggregations and alerts
WINDOW_TWEETS = Gauge("window_tweets", "Tweets in the current tumbling window", ["scope"])
WINDOW_NEGATIVE_RATIO = Gauge(
    "window_negative_ratio", "Negative share in the current window", ["scope"]
)
WINDOW_MEAN_SCORE = Gauge(
    "window_mean_score", "Mean positive probability in the current window", ["scope"]
)
SENTIMENT_BY_SCOPE = Counter(
    "tweets_by_scope_total", "Scored tweets per scope and label", ["scope", "label"]
)
# Gauges labelled by scope are removed when the scope's partition leaves this worker.
DRIFT_KS = Gauge(
    "drift_ks_statistic",
    "KS statistic of window scores against the model's reference",
    ["scope"],
)
DRIFT_POSITIVE_SHIFT = Gauge(
    "drift_positive_rate_shift",
    "Relative shift of the positive rate vs production baseline",
    ["scope"],
)
DRIFT_OOV_RATE = Gauge("drift_oov_rate", "Out-of-vocabulary token rate in the window", ["scope"])
PRODUCTION_ACCURACY = Gauge(
    "production_accuracy", "Accuracy over the last labelled predictions", ["scope"]
)
ACCURACY_LABELS = Gauge(
    "production_accuracy_labels",
    "Labelled predictions behind production_accuracy (<= window)",
    ["scope"],
)
FEEDBACK_RECEIVED = Counter(
    "feedback_received_total", "Valid feedback records read (before the join)"
)
FEEDBACK_JOINED = Counter("feedback_joined_total", "Feedback joined with its recorded prediction")
FEEDBACK_DEADLETTERED = Counter(
    "feedback_deadlettered_total",
    "Invalid feedback records sent to the dead-letter topic (not in ErrorRateHigh)",
    ["reason"],
)
FEEDBACK_UNMATCHED = Counter(
    "feedback_unmatched_total", "Feedback for a tweet with no recorded prediction (not an error)"
)
REVIEW_QUEUED = Counter("review_queued_total", "Uncertain tweets sent for annotation")
WINDOW_REJECTED = Counter(
    "window_rejected_tweets_total",
    "Scored tweets too late (or too far ahead) for their window",
    ["reason"],
)
WINDOW_REPLAYED = Counter(
    "window_replayed_tweets_total", "Window entries skipped as already applied (replays)"
)
ALERTS = Counter("alerts_total", "Alerts published", ["kind", "status"])
ALERT_ACTIVE = Gauge("alert_active", "1 while an incident is open", ["kind", "scope"])

# Product analytics
POSTHOG_EVENTS = Counter("posthog_events_total", "PostHog events by outcome", ["outcome"])
