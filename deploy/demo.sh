#!/usr/bin/env bash
# The main job on a fresh machine: a Kafka broker, a registered model, the stream worker,
# real airline tweets flowing through it, alerts checked against what people labelled.
#
#   bash deploy/demo.sh
#
# Environment (defaults): AIRPARADIS_KAFKA_PORT=9092 (the demo's broker; its controller port,
# data dir: AIRPARADIS_KAFKA_CONTROLLER_PORT, AIRPARADIS_KAFKA_DATA_DIR, see deploy/kafka),
# AIRPARADIS_WEB_PORT=6066 (the worker's HTTP), AIRPARADIS_PROMETHEUS_PORT=9090,
# MLFLOW_TRACKING_URI=sqlite:///var/mlflow.db, DEMO_RATE=400 tweets/s, DEMO_KEEP=1 (leave the
# worker, and Prometheus if installed, running), DEMO_VERBOSE=1 (TensorFlow's start-up logs).
#
# Installs .venv if missing (scripts/install.sh, no Debian packages), starts the broker, trains
# and registers a quick BiLSTM if no `air-paradis-lstm@champion` exists, runs the worker on
# fresh topics, replays the 7,189 real airline tweets of 16-21 February 2015 (4 real hours per
# minute of event time) with a burst of complaints about the fictional @AirParadis, then checks
# the promise: the airline:airparadis bad buzz raised and resolved, the control airline
# (@VirginAmerica) quiet. Exits non-zero if not. Prints its wall time and where to look next.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

STARTED=$EPOCHREALTIME
elapsed() { awk -v a="$STARTED" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }'; }
say() { echo; echo "=== [$(elapsed)s] $*"; }
export NLTK_DATA=${NLTK_DATA:-$(cd ..; pwd)/shared/data/nltk_data}
RUN=demo-$(date +%s)
RATE=${DEMO_RATE:-400}
VERBOSE=()
[[ -z ${DEMO_VERBOSE:-} ]] || VERBOSE=(--verbose)
mkdir -p "var/$RUN"

if [[ ! -x .venv/bin/airparadis-stream ]]; then
    say "installing .venv (first run only)"
    AIRPARADIS_SKIP_APT=1 bash scripts/install.sh
fi
export PATH="$PWD/.venv/bin:$PATH"

export AIRPARADIS_KAFKA_PORT=${AIRPARADIS_KAFKA_PORT:-9092}
say "Kafka broker on 127.0.0.1:$AIRPARADIS_KAFKA_PORT"
bash deploy/kafka/kafka.sh start
export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$AIRPARADIS_KAFKA_PORT

say "model"
if ! airparadis-stream serving 2>/dev/null; then
    SUBSET=../shared/data/sentiment140/sentiment140_subset_100k.csv.gz
    if [[ -f $SUBSET ]]; then  # 20k tweets: a balanced model in ~1-2 min
        echo "no champion yet: training a quick BiLSTM on 20,000 tweets of $SUBSET"
        airparadis-train "${VERBOSE[@]}" train --model lstm --data "$SUBSET" --sample-size 20000 \
            --epochs 3 --alias champion
    else
        echo "no champion yet: training a quick BiLSTM on the bundled 4,000-tweet sample"
        airparadis-train "${VERBOSE[@]}" train --model lstm \
            --data training/data/sample_tweets.csv.gz --epochs 3 --alias champion
    fi
    airparadis-stream serving
fi

export AIRPARADIS_APP_ID=$RUN AIRPARADIS_WEB_PORT=${AIRPARADIS_WEB_PORT:-6066}
for topic in raw scored alerts feedback deadletter review; do
    export "AIRPARADIS_TOPIC_${topic^^}=$RUN.$topic"
done
eval "$(airparadis-stream demo-env)"  # every airline its own scope, one partition per topic
airparadis-kafka ensure-topics >/dev/null

say "worker (log: var/$RUN/worker.log)"
airparadis-stream "${VERBOSE[@]}" worker --loglevel warning >"var/$RUN/worker.log" 2>&1 &
WORKER=$!
[[ -n ${DEMO_KEEP:-} ]] || trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null || true' EXIT
URL="http://127.0.0.1:$AIRPARADIS_WEB_PORT"
for _ in $(seq 180); do
    curl -sf "$URL/health" >/dev/null && break
    kill -0 $WORKER 2>/dev/null || { tail -20 "var/$RUN/worker.log"; exit 1; }
    sleep 1
done
curl -s "$URL/health"; echo

say "replaying real airline tweets into $RUN.raw at $RATE/s"
airparadis-tools demo-data "var/$RUN/replay.jsonl"
airparadis-stream produce "var/$RUN/replay.jsonl" --rate "$RATE"

say "a few scored events ($RUN.scored)"
airparadis-stream tail scored --from-start --limit 6 --summary

say "alerts ($RUN.alerts), beside what people labelled in the same window"
if ! airparadis-stream demo-check "var/$RUN/replay.labels.csv" --timeout 180; then
    echo "worker log (var/$RUN/worker.log), last lines:"; tail -15 "var/$RUN/worker.log"
    say "DEMO FAILED; wall time $(elapsed)s"
    exit 1
fi

say "POST /predict"
curl -s -X POST "$URL/predict" -H 'Content-Type: application/json' -d '{"text": "@AirParadis thanks for the upgrade, lovely crew!"}'; echo
curl -s "$URL/metrics" | grep -E '^(tweets_scored_total|tweets_deadlettered_total|alerts_total)' || true

PROM_PORT=${AIRPARADIS_PROMETHEUS_PORT:-9090}
sed -e "s|\"worker:6066\"|\"127.0.0.1:$AIRPARADIS_WEB_PORT\"|" \
    -e "s|  - rules.yml|  - $PWD/deploy/prometheus/rules.yml|" \
    -e '/job_name: air-paradis-orchestrator/,$d' \
    deploy/prometheus/prometheus.yml >"var/$RUN/prometheus.yml"  # no orchestrator here: deploy/loop.sh
PROM_CMD="prometheus --config.file=var/$RUN/prometheus.yml --storage.tsdb.path=var/$RUN/prometheus --web.listen-address=127.0.0.1:$PROM_PORT"
if [[ -n ${DEMO_KEEP:-} ]] && command -v prometheus >/dev/null; then
    $PROM_CMD >"var/$RUN/prometheus.log" 2>&1 &
    PROM_CMD="(running, pid $!)"
fi
KEPT="stopped at exit; DEMO_KEEP=1 keeps it"
[[ -z ${DEMO_KEEP:-} ]] || KEPT="still running"
say "demo passed; wall time $(elapsed)s. Where to look next:"
cat <<EOF
  worker     $URL/metrics, /health, POST /predict  (pid $WORKER, $KEPT)
  Prometheus http://127.0.0.1:$PROM_PORT/alerts (bad buzz, drift, latency rules)
             $PROM_CMD
  MLflow UI  .venv/bin/mlflow ui --backend-store-uri ${MLFLOW_TRACKING_URI:-sqlite:///var/mlflow.db} --port 5000
  Grafana    with Docker: docker compose up --build, then http://localhost:3000 (dashboard "Air Paradis — tweet sentiment stream")
  topics     AIRPARADIS_TOPIC_ALERTS=$RUN.alerts KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS airparadis-stream tail alerts --from-start --summary
  broker     bash deploy/kafka/kafka.sh stop
EOF
