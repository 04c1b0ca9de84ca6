#!/usr/bin/env bash
# The learning loop on screen in a few minutes: a served champion meets airline traffic it
# reads badly, people's labels flow back, an accuracy (or drift) alert requests a retrain,
# the gate judges the challenger, which goes through shadow and a 10 -> 50 -> 100 % canary
# under the guards, and becomes the champion.
#
#   bash deploy/loop.sh        (or: make loop)
#
# Environment (defaults): AIRPARADIS_KAFKA_PORT=9092 (the broker this script starts; its
# controller port and data dir: AIRPARADIS_KAFKA_CONTROLLER_PORT, AIRPARADIS_KAFKA_DATA_DIR),
# AIRPARADIS_WEB_PORT=6066 (worker), AIRPARADIS_ORCHESTRATOR_PORT=6067, LOOP_RATE=100 tweets/s,
# LOOP_DWELL_S=20 (each rollout step), LOOP_TIMEOUT=600 (seconds for the loop to close),
# LOOP_KEEP=1 (leave the worker, orchestrator, sink and traffic running), VENV=.venv.
#
# Everything lives in var/loop-<time>/: its own MLflow registry and label store (the demo's
# champion is not touched) and its own topics. A quick TF-IDF champion (Sentiment140, 2009)
# is trained first. The retrain is the documented first cut of docs/learning_loop.md: labels
# of 16-18 February 2015 trained on, the 19th judged. Exits 0 once the retrained version is
# champion; non-zero, with the reason and the logs' last lines, when a step fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

STARTED=$EPOCHREALTIME
elapsed() { awk -v a="$STARTED" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }'; }
say() { echo; echo "=== [$(elapsed)s] $*"; }
export NLTK_DATA=${NLTK_DATA:-$(cd ..; pwd)/shared/data/nltk_data}
RUN=loop-$(date +%s)
DIR=var/$RUN
RATE=${LOOP_RATE:-100}
DWELL=${LOOP_DWELL_S:-20}
AIRLINE=../shared/data/airline/airline_tweets_2015-02-16_to_21.csv.gz
SUBSET=../shared/data/sentiment140/sentiment140_subset_100k.csv.gz
CUT=2015-02-19T08:00:00     # Pacific midnight: the retrain trains on 16-18 Feb ...
LABELS_UNTIL=2015-02-20T08:00:00  # ... and the gate judges the 19th: traffic up to its end
mkdir -p "$DIR"
for file in "$AIRLINE" "$SUBSET"; do
    [[ -f $file ]] || { echo "loop.sh: missing $file (see ../shared/data/SOURCES.md)"; exit 2; }
done

VENV=${VENV:-.venv}  # as in the Makefile: another installed environment will do
if [[ ! -x $VENV/bin/airparadis-stream ]]; then
    say "installing $VENV (first run only)"
    VENV=$VENV AIRPARADIS_SKIP_APT=1 bash scripts/install.sh
fi
export PATH="$(cd "$VENV" && pwd)/bin:$PATH"

PIDS=()
LOGS=()
stop_all() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
[[ -n ${LOOP_KEEP:-} ]] || trap stop_all EXIT
fail() {
    say "LOOP FAILED: $*; wall time $(elapsed)s"
    for log in "${LOGS[@]}"; do echo "--- $log, last lines:"; tail -8 "$log"; done
    exit 1
}
background() {  # background NAME COMMAND...: start, log to $DIR/NAME.log
    local name=$1; shift
    "$@" >"$DIR/$name.log" 2>&1 &
    PIDS+=($!)
    LOGS+=("$DIR/$name.log")
}
wait_http() {  # wait_http URL PID WHAT: until URL answers, or the process died
    for _ in $(seq 180); do
        curl -sf "$1" >/dev/null && return 0
        kill -0 "$2" 2>/dev/null || fail "$3 exited"
        sleep 1
    done
    fail "$3 did not answer $1 in 180 s"
}

export AIRPARADIS_KAFKA_PORT=${AIRPARADIS_KAFKA_PORT:-9092}
say "Kafka broker on 127.0.0.1:$AIRPARADIS_KAFKA_PORT"
bash deploy/kafka/kafka.sh start
export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$AIRPARADIS_KAFKA_PORT

# One run, one world: registry, label store, topics, consumer groups
unset MLFLOW_TRACKING_URI AIRPARADIS_MLFLOW_TRACKING_URI AIRPARADIS_LABELS_URL AIRPARADIS_MODEL_URI
export AIRPARADIS_DATA_DIR=$DIR AIRPARADIS_APP_ID=$RUN AIRPARADIS_TOPIC_PARTITIONS=1
export AIRPARADIS_LABELS_GROUP_ID=$RUN-labels
for topic in raw scored alerts feedback deadletter review shadow retrain; do
    export "AIRPARADIS_TOPIC_${topic^^}=$RUN.$topic"
done
export AIRPARADIS_WEB_PORT=${AIRPARADIS_WEB_PORT:-6066}
export AIRPARADIS_ORCHESTRATOR_PORT=${AIRPARADIS_ORCHESTRATOR_PORT:-6067}
# The loop in minutes instead of days: dwell per step, events per step, polls
export AIRPARADIS_MODEL_RELOAD_INTERVAL_S=2 AIRPARADIS_ROLLOUT_CHECK_INTERVAL_S=2
export AIRPARADIS_ROLLOUT_SHADOW_DWELL_S=$DWELL AIRPARADIS_ROLLOUT_CANARY_DWELL_S=$DWELL
export AIRPARADIS_ROLLOUT_MIN_EVENTS=300
# The champion (2009 tweets) calls many airline complaints positive: 38 % negative where the
# retrained challenger says 79 % (people: about 80 %). The default 0.15 gap guard would roll
# back that very fix, so it is widened here; the accuracy guard judges on the labels
# (docs/learning_loop.md, "The loop on screen").
export AIRPARADIS_ROLLOUT_MAX_NEGATIVE_GAP=${LOOP_MAX_NEGATIVE_GAP:-0.6}
# p95 latency (produce-to-scored in canary): on a shared, loaded machine it swings 4x and
# stalls for seconds within a step, and at 100 % the champion's "same period" is a few dozen
# leftover events; these limits judge the machine there, not the model (2 s and 2x: defaults).
export AIRPARADIS_ROLLOUT_MAX_P95_RATIO=${LOOP_MAX_P95_RATIO:-5}
export AIRPARADIS_ROLLOUT_MAX_P95_S=${LOOP_MAX_P95_S:-10}
export AIRPARADIS_RETRAIN_COMMAND="airparadis-train retrain --model tfidf --base-sample 20000 \
--train-until $CUT --resamples 300 --report-dir $DIR/reports"
mkdir -p "$DIR/reports"
airparadis-kafka ensure-topics >/dev/null

say "champion: a quick TF-IDF on 20,000 tweets of Sentiment140 (2009), registered in $DIR"
airparadis-train train --model tfidf --data "$SUBSET" --sample-size 20000 --alias champion \
    >"$DIR/train.log" 2>&1 || { tail -20 "$DIR/train.log"; fail "training the champion"; }
grep -E "test_accuracy|registered version" "$DIR/train.log" | sed 's/^ */  /'
export AIRPARADIS_MODEL_URI=models:/air-paradis-tfidf@champion

say "worker, labels sink (feedback -> label store)"
background worker airparadis-stream worker --loglevel warning
WORKER=${PIDS[-1]}
background labels-sink airparadis-stream labels-sink
wait_http "http://127.0.0.1:$AIRPARADIS_WEB_PORT/health" "$WORKER" "the worker"
curl -s "http://127.0.0.1:$AIRPARADIS_WEB_PORT/health"; echo

say "airline traffic and people's labels of 16-19 Feb 2015, at $RATE tweets/s"
airparadis-stream loop-traffic "$AIRLINE" --until "$LABELS_UNTIL" --rate "$RATE" --rounds 1 \
    2>&1 | tee "$DIR/history.log" || fail "sending the airline traffic"
SENT=$(sed -n 's/^sent \([0-9,]*\) tweets.*/\1/p' "$DIR/history.log" | tr -d ,)
STORED=0
for _ in $(seq 60); do
    STORED=$(airparadis-train labels stats 2>/dev/null | python -c 'import json,sys; print(json.load(sys.stdin)["labels"])' || echo 0)
    [[ $STORED -ge $SENT ]] && break
    sleep 1
done
echo "label store: $STORED labels (of $SENT sent)"
[[ $STORED -ge $SENT ]] || fail "the labels sink stored $STORED of $SENT labels"

say "orchestrator (guards, retrain on alert): it reads the alerts topic from its start"
background orchestrator airparadis-stream orchestrator --loglevel warning
wait_http "http://127.0.0.1:$AIRPARADIS_ORCHESTRATOR_PORT/metrics" "${PIDS[-1]}" "the orchestrator"
background traffic airparadis-stream loop-traffic "$AIRLINE" --until "$LABELS_UNTIL" --rate "$RATE" --rounds 0
echo "traffic goes on in the background (same tweets and labels, again and again)"

say "the loop, as it happens (dwell ${DWELL}s per step, 300 challenger tweets per step)"
airparadis-stream loop-watch --timeout "${LOOP_TIMEOUT:-600}" || fail "the loop did not close"

say "after the loop"
airparadis-train rollout status | head -2
curl -s "http://127.0.0.1:$AIRPARADIS_WEB_PORT/metrics" | grep -E '^(tweets_scored_by_version_total|rollout_share)' || true
curl -s "http://127.0.0.1:$AIRPARADIS_ORCHESTRATOR_PORT/metrics" | grep -E '^rollout_shadow_stat' || true
KEPT="stopped at exit; LOOP_KEEP=1 keeps them"
[[ -z ${LOOP_KEEP:-} ]] || KEPT="still running"
say "loop passed; wall time $(elapsed)s. Where to look next:"
cat <<EOF
  processes  worker, orchestrator, labels sink, traffic ($KEPT); logs in $DIR/
  gate       $DIR/reports/ (the gate's report and plot)
  rollout    AIRPARADIS_DATA_DIR=$DIR airparadis-train rollout status --model tfidf
  MLflow UI  $VENV/bin/mlflow ui --backend-store-uri sqlite:///$PWD/$DIR/mlflow.db --port 5000
  topics     AIRPARADIS_TOPIC_RETRAIN=$RUN.retrain ... (retrain events), $RUN.alerts, $RUN.shadow
  broker     bash deploy/kafka/kafka.sh stop
EOF
