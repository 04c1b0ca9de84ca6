#!/usr/bin/env bash
# The champion recipe from scratch (docs/model_quality.md, thirteenth round): a 1-epoch
# MiniLM teacher, its scores of the training texts, then `champion --base lstm`: the
# distilled BiLSTM in a logit mean with the TF-IDF recipe, registered as challenger and
# gated against the champion. About 30 min on 2 cores; the teacher and its scores are kept
# in $CHAMPION_DIR and reused by the next run.
#
#   bash scripts/champion.sh      (env: VENV, CHAMPION_DIR, LABELS, TRAIN_UNTIL, HOLDOUT_DAYS)
#
# LABELS: a label-store URL or a labelled CSV (default: the airline history beside the
# clone); TRAIN_UNTIL/HOLDOUT_DAYS: the labels trained on and held back for the gate
# (default: the dev protocol's cut, 16-19 February trained, 20-21 judged).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=${VENV:-.venv}
DIR=${CHAMPION_DIR:-var/champion}
LABELS=${LABELS:-../shared/data/airline/airline_tweets_2015-02-16_to_21.csv.gz}
TRAIN_UNTIL=${TRAIN_UNTIL:-2015-02-20T08:00:00}
HOLDOUT_DAYS=${HOLDOUT_DAYS:-2}
export NLTK_DATA=${NLTK_DATA:-$(cd ..; pwd)/shared/data/nltk_data}
train() { "$VENV/bin/airparadis-train" "$@"; }
say() { echo "=== [$SECONDS s] $*"; }

mkdir -p "$DIR"
if [[ ! -f $DIR/teacher/model.json ]]; then
    say "teacher: the MiniLM fine-tuned 1 epoch on the train split -> $DIR/teacher"
    train train --model transformer --epochs 1 --no-register --output-dir "$DIR/teacher"
fi
if [[ ! -f $DIR/scores.csv.gz ]]; then
    say "teacher-scores: the teacher's score of every training text -> $DIR/scores.csv.gz"
    train teacher-scores --teacher "$DIR/teacher" --out "$DIR/scores.csv.gz"
fi
say "champion: the distilled BiLSTM & the TF-IDF recipe, labels $LABELS until $TRAIN_UNTIL"
train champion --base lstm --teacher-scores "$DIR/scores.csv.gz" --labels "$LABELS" \
    --train-until "$TRAIN_UNTIL" --holdout-days "$HOLDOUT_DAYS"
say "done: the version registered and the gate's decision are printed above"
