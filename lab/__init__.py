"""The lab: fitting, sweeps, one-off studies and training (lab/reader; torch allowed). Run
from a checkout (``python -m lab.NAME``); never installed, and nothing of the product imports it."""
