#!/usr/bin/env bash
# Runs the whole test suite (PostgreSQL tests need the server at 127.0.0.1:5432; required in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_THREAD_LIMIT=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 DO_NOT_TRACK=1 \
  PREFECT_SERVER_ANALYTICS_ENABLED=false
exec python3 -m pytest -q -p no:cacheprovider "$@"
