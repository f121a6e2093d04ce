"""Fitted coefficients of the P2 cost model (deeplaws.recovery.cost.cost_estimate).

Written by benchmarks/recovery_cost.py; do not edit by hand. Per program: CPU seconds
per trial = job_factor * (cpu_a_s + cpu_b_s * x ** cpu_p) and peak MiB = mem_base_mib
+ mem_per_x_mib * x, x = cost.size_measure(program, n, d, k); a, b, p and the memory
line fitted on single trials at the sizes listed (--fit), job_factor on whole pipeline
jobs (--jobs --fit). See MEASURED.
"""

SETTINGS = {"clarabel_method": "faer", "formulation": "conic"}

MEASURED = "trials measured 2026-12-02, one thread, {'clarabel_method': 'faer', 'formulation': 'conic'}, load average 0.0-4.0"

PROGRAMS = {
    "ncvx_normal": {
        "cpu_a_s": 0.1077,
        "cpu_b_s": 1.479e-08,
        "cpu_p": 1.183,
        "job_cells": 60,
        "sizes": "",
    },
    "ncvx_skip": {
        "cpu_a_s": 0.1625,
        "cpu_b_s": 1.033e-06,
        "cpu_p": 0.8955,
        "job_cells": 30,
        "mem_base_mib": 325.7,
        "mem_per_x_mib": 3.351e-05,
        "sizes": "50x10 100x20 200x50",
    },
    "normal_nnic": {
        "cpu_a_s": 0.009048,
        "cpu_b_s": 2.018e-09,
        "cpu_p": 1.238,
        "job_cells": 0,
        "mem_base_mib": 124.1,
        "mem_per_x_mib": 2.509e-05,
        "sizes": "50x10 100x20 200x50 300x70 400x100",
    },
    "normal_relaxed": {
        "cpu_a_s": 0.002677,
        "cpu_b_s": 5.924e-08,
        "cpu_p": 1.238,
        "job_cells": 0,
        "mem_base_mib": 135.6,
        "mem_per_x_mib": 9.253e-05,
        "sizes": "50x10 100x20 200x50 300x70 400x100",
    },
    "normal_train": {
        "cpu_a_s": 0.02472,
        "cpu_b_s": 1.961e-08,
        "cpu_p": 1.479,
        "job_cells": 27,
        "sizes": "",
    },
    "plain_exact": {
        "cpu_a_s": 0.02432,
        "cpu_b_s": 3.169e-08,
        "cpu_p": 1.39,
        "job_cells": 30,
        "sizes": "",
    },
    "skip_relaxed": {
        "cpu_a_s": 0.006615,
        "cpu_b_s": 4.7e-08,
        "cpu_p": 1.234,
        "job_cells": 0,
        "mem_base_mib": 128.3,
        "mem_per_x_mib": 6.434e-05,
        "sizes": "50x10 100x20 200x50 300x70 400x100",
    },
    "skip_train": {
        "cpu_a_s": 0.06293,
        "cpu_b_s": 8.393e-07,
        "cpu_p": 1.113,
        "job_cells": 30,
        "mem_base_mib": 152.0,
        "mem_per_x_mib": 0.0003051,
        "sizes": "100x20 200x50 400x100",
    },
}
