"""The lab: fitting, sweeps and one-off studies. Run from a checkout (``python -m lab.NAME``);
never installed, and nothing of the product imports it."""
