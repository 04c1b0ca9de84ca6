#!/usr/bin/env bash
# The main job on a fresh machine: a Kafka broker, a registered model, the stream worker,
# airline tweets flowing through it, scored events and alerts on screen.
#
#   bash deploy/demo.sh            (env: DEMO_RATE=400 tweets/s, DEMO_KEEP=1 keeps the worker)
#
# Installs .venv if missing, starts the local broker (deploy/kafka), trains and registers a
# quick Word2Vec+BiLSTM on the bundled sample if no `air-paradis-lstm@champion` exists, runs
# the worker on fresh demo topics, replays 12 minutes of tweets with a bad buzz about
# @AirParadis in minute 7, then prints scored events, the alerts, and a /predict call.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export NLTK_DATA=${NLTK_DATA:-$(cd ..; pwd)/shared/data/nltk_data}
RUN=demo-$(date +%s)
RATE=${DEMO_RATE:-400}
mkdir -p "var/$RUN"
say() { echo; echo "=== $*"; }

if [[ ! -x .venv/bin/airparadis-stream ]]; then
    say "installing .venv (first run only)"
    python3 -m venv .venv
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
fi
export PATH="$PWD/.venv/bin:$PATH"

say "Kafka broker"
bash deploy/kafka/kafka.sh start
export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:${AIRPARADIS_KAFKA_PORT:-9092}

say "model"
if ! airparadis-stream serving 2>/dev/null; then
    SUBSET=../shared/data/sentiment140/sentiment140_subset_100k.csv.gz
    if [[ -f $SUBSET ]]; then  # 20k tweets: a balanced model in ~1-2 min
        echo "no champion yet: training a quick BiLSTM on 20,000 tweets of $SUBSET"
        airparadis-train train --model lstm --data "$SUBSET" --sample-size 20000 \
            --epochs 3 --alias champion
    else  # 4,000 tweets train in seconds but lean positive: the buzz may not show
        echo "no champion yet: training a quick BiLSTM on the bundled 4,000-tweet sample"
        airparadis-train train --model lstm --data training/data/sample_tweets.csv.gz \
            --epochs 3 --alias champion
    fi
    airparadis-stream serving
fi

export AIRPARADIS_APP_ID=$RUN AIRPARADIS_WEB_PORT=${AIRPARADIS_WEB_PORT:-6066}
for topic in raw scored alerts feedback deadletter review; do
    export "AIRPARADIS_TOPIC_${topic^^}=$RUN.$topic"
done

say "worker (log: var/$RUN/worker.log)"
airparadis-stream worker --loglevel warning >"var/$RUN/worker.log" 2>&1 &
WORKER=$!
[[ -n ${DEMO_KEEP:-} ]] || trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null || true' EXIT
URL="http://127.0.0.1:$AIRPARADIS_WEB_PORT"
for _ in $(seq 120); do
    curl -sf "$URL/health" >/dev/null && break
    kill -0 $WORKER 2>/dev/null || { tail -20 "var/$RUN/worker.log"; exit 1; }
    sleep 1
done
curl -s "$URL/health"; echo

say "replaying tweets into $RUN.raw at $RATE/s"
airparadis-stream demo-data "var/$RUN/replay.jsonl"
airparadis-stream produce "var/$RUN/replay.jsonl" --rate "$RATE"
sleep 5

say "a few scored events ($RUN.scored)"
airparadis-stream tail scored --from-start --limit 8 --summary

say "alerts ($RUN.alerts)"
timeout 20 airparadis-stream tail alerts --from-start --summary || true

say "POST /predict"
curl -s -X POST "$URL/predict" -H 'Content-Type: application/json' -d '{"text": "@AirParadis thanks for the upgrade, lovely crew!"}'; echo
say "metrics: $URL/metrics   (worker pid $WORKER; broker: bash deploy/kafka/kafka.sh stop)"
curl -s "$URL/metrics" | grep -E '^(tweets_scored_total|tweets_deadlettered_total|alerts_total)' || true
