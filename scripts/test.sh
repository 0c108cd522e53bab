#!/usr/bin/env bash
# The README's first command on the default install (its own fresh venv, no extras: answers one
# question over HTTP), then set up (see setup.sh --dev), lint, type-check, every test, the bench.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 scripts/smoke_default.py
bash scripts/setup.sh --dev
export HF_HUB_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports
.venv/bin/python -m pytest -q
.venv/bin/python -m bench --quick
