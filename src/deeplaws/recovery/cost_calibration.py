"""Fitted coefficients of the P2 cost model (deeplaws.recovery.cost.cost_estimate).

Written by benchmarks/recovery_cost.py; do not edit by hand. Per program: CPU seconds
per trial = job_factor * (cpu_a_s + cpu_b_s * x ** cpu_p) and peak MiB = mem_base_mib
+ mem_per_x_mib * x, x = cost.size_measure(program, n, d, k); a, b, p and the memory
line fitted on single trials at the sizes listed (--fit), job_factor on whole pipeline
jobs (--jobs --fit). See MEASURED.
"""

SETTINGS = {"clarabel_method": "faer", "formulation": "conic"}

MEASURED = "trials measured 2026-12-02, one thread, {'clarabel_method': 'faer', 'formulation': 'conic'}, load average 1.5-4.0"

PROGRAMS = {
    "normal_nnic": {
        "cpu_a_s": 0.008183,
        "cpu_b_s": 7.185e-09,
        "cpu_p": 1.152,
        "mem_base_mib": 124.0,
        "mem_per_x_mib": 2.513e-05,
        "sizes": "50x10 100x20 200x50 300x70",
    },
    "normal_relaxed": {
        "cpu_a_s": 0.002677,
        "cpu_b_s": 5.924e-08,
        "cpu_p": 1.238,
        "mem_base_mib": 135.6,
        "mem_per_x_mib": 9.253e-05,
        "sizes": "50x10 100x20 200x50 300x70 400x100",
    },
    "skip_relaxed": {
        "cpu_a_s": 0.006615,
        "cpu_b_s": 4.7e-08,
        "cpu_p": 1.234,
        "mem_base_mib": 128.3,
        "mem_per_x_mib": 6.434e-05,
        "sizes": "50x10 100x20 200x50 300x70 400x100",
    },
}
