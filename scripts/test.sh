#!/usr/bin/env bash
# Set up (see setup.sh --dev), then lint, type-check, run every test and the eval floor.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
export HF_HUB_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports
.venv/bin/python -m pytest -q
.venv/bin/python -m bench --quick
