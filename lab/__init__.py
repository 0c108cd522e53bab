"""Dev-only experiments and training code: not installed, torch allowed (see lab/reader)."""
