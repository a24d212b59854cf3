#!/usr/bin/env bash
# Installs everything, then runs the main job on the bundled samples with the embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec claimflow process samples/invoices --insured-file samples/insured/P-1001.yaml --json "$@"
