"""Benchmarks for kotae: `python -m bench` prints one table, every comparison from the same run."""
