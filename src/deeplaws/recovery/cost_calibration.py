"""Fitted coefficients of the P2 cost model (deeplaws.recovery.cost.cost_estimate).

Written by benchmarks/recovery_cost.py --fit; do not edit by hand. Empty until the first
calibration: the model then uses its uncalibrated constants.
"""

SETTINGS = {}

PROGRAMS = {}
