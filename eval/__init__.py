"""Eval: retrieval accuracy of the service's retrieval on a question set."""

from pathlib import Path

QUESTIONS_FILE = Path(__file__).parent / "questions.jsonl"
