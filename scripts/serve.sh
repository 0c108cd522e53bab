#!/usr/bin/env bash
# Set up kotae (no torch needed), index the bundled corpus if needed, serve on :8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${KOTAE_VENV:-.venv}/bin/kotae" serve "$@"
