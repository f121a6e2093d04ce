"""Fitted coefficients of the P2 cost model (deeplaws.recovery.cost.cost_estimate).

Written by benchmarks/recovery_cost.py; do not edit by hand. Per program: CPU seconds
per trial = job_factor * (cpu_a_s + cpu_b_s * x ** cpu_p) and peak MiB = mem_base_mib
+ mem_per_x_mib * x, x = cost.size_measure(program, n, d, k); a, b, p and the memory
line fitted on single trials at the sizes listed (--fit), job_factor on whole pipeline
jobs (--jobs --fit). ``regimes`` (convex programs, see cost.regime): ``above``, the
curve of the working set above the edge at σ = 0; ``noisy``, a ``scale`` of the base
curve (the full program at σ = 0) for σ > 0 with Clarabel; ``noisy_<solver>``, the
curve for σ > 0 with that recovery.solver (its own note ``measured``). See MEASURED.
"""

SETTINGS = {"clarabel_method": "faer", "formulation": "conic"}

MEASURED = "trials measured 2026-12-02, one thread, {'clarabel_method': 'faer', 'formulation': 'conic'}, load average 3.5-9.5; refitted ncvx_normal, ncvx_skip: trials measured 2026-12-03, one thread, {'clarabel_method': 'faer', 'formulation': 'conic'}, load average 0.5-0.8"

PROGRAMS = {
    "ncvx_normal": {
        "cpu_a_s": 0.02734,
        "cpu_b_s": 9.141e-06,
        "cpu_p": 0.7084,
        "job_cells": 0,
        "mem_base_mib": 312.4,
        "mem_per_x_mib": 2.761e-05,
        "sizes": "50x10 100x20 200x50 300x70 400x100",
    },
    "ncvx_skip": {
        "cpu_a_s": 0.02647,
        "cpu_b_s": 7.347e-07,
        "cpu_p": 0.8371,
        "job_cells": 0,
        "mem_base_mib": 275.3,
        "mem_per_x_mib": 4.136e-05,
        "sizes": "50x10 100x20 200x50 300x70 400x100",
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
        "regimes": {
            "above": {
                "cpu_a_s": 0.006418,
                "cpu_b_s": 6.1e-09,
                "cpu_p": 1.181,
                "sizes": "50x10 100x20 200x50 300x70 400x100",
            },
            "noisy": {"scale": 1.571, "sizes": "50x10 100x20 200x50 300x70"},
            "noisy_auto": {
                "cpu_a_s": 0.02386,
                "cpu_b_s": 1.139e-07,
                "cpu_p": 1.116,
                "measured": "fitted 2026-12-02 on 14 trials, one thread, solver auto, strategy working_set, sigma 0.1, load average 1.6-1.7",
                "sizes": "50x10 100x20 200x50 300x70 400x100",
            },
        },
        "sizes": "50x10 100x20 200x50 300x70 400x100",
    },
    "normal_train": {
        "cpu_a_s": 2.266e-05,
        "cpu_b_s": 1.912e-07,
        "cpu_p": 1.269,
        "job_cells": 0,
        "mem_base_mib": 161.8,
        "mem_per_x_mib": 0.0003441,
        "regimes": {
            "above": {
                "cpu_a_s": 0.008802,
                "cpu_b_s": 1.955e-08,
                "cpu_p": 1.109,
                "sizes": "50x10 100x20 200x50 300x70 400x100",
            },
            "noisy": {"scale": 2.094, "sizes": "50x10 100x20 200x50"},
            "noisy_auto": {
                "cpu_a_s": 0.03725,
                "cpu_b_s": 1.547e-05,
                "cpu_p": 0.9218,
                "measured": "fitted 2026-12-02 on 10 trials, one thread, solver auto, strategy working_set, sigma 0.1, load average 2.1-2.2",
                "sizes": "50x10 100x20 200x50 300x70 400x100",
            },
        },
        "sizes": "100x20 200x50",
    },
    "plain_exact": {
        "cpu_a_s": 1.992e-05,
        "cpu_b_s": 1.247e-07,
        "cpu_p": 1.291,
        "job_cells": 0,
        "mem_base_mib": 159.3,
        "mem_per_x_mib": 0.0003128,
        "regimes": {
            "above": {
                "cpu_a_s": 0.006845,
                "cpu_b_s": 1.082e-06,
                "cpu_p": 0.7335,
                "sizes": "50x10 100x20 200x50 300x70",
            },
            "noisy": {"scale": 2.047, "sizes": "50x10 100x20 200x50"},
        },
        "sizes": "100x20 200x50",
    },
    "skip_relaxed": {
        "cpu_a_s": 0.006615,
        "cpu_b_s": 4.7e-08,
        "cpu_p": 1.234,
        "job_cells": 0,
        "mem_base_mib": 128.3,
        "mem_per_x_mib": 6.434e-05,
        "regimes": {
            "above": {
                "cpu_a_s": 0.005266,
                "cpu_b_s": 1.875e-07,
                "cpu_p": 0.8084,
                "sizes": "50x10 100x20 200x50 300x70 400x100",
            },
            "noisy": {"scale": 1.595, "sizes": "50x10 100x20 200x50 300x70"},
            "noisy_auto": {
                "cpu_a_s": 0.01818,
                "cpu_b_s": 4.183e-07,
                "cpu_p": 1.022,
                "measured": "fitted 2026-12-02 on 14 trials, one thread, solver auto, strategy working_set, sigma 0.1, load average 1.3-1.6",
                "sizes": "50x10 100x20 200x50 300x70 400x100",
            },
        },
        "sizes": "50x10 100x20 200x50 300x70 400x100",
    },
    "skip_train": {
        "cpu_a_s": 0.06293,
        "cpu_b_s": 8.393e-07,
        "cpu_p": 1.113,
        "job_cells": 30,
        "mem_base_mib": 152.0,
        "mem_per_x_mib": 0.0003051,
        "regimes": {
            "above": {
                "cpu_a_s": 0.008208,
                "cpu_b_s": 5.626e-07,
                "cpu_p": 0.7407,
                "sizes": "50x10 100x20 200x50 300x70 400x100",
            },
            "noisy": {"scale": 2.386, "sizes": "50x10 100x20 200x50"},
            "noisy_auto": {
                "cpu_a_s": 0.1157,
                "cpu_b_s": 9.27e-07,
                "cpu_p": 1.089,
                "measured": "fitted 2026-12-02 on 10 trials, one thread, solver auto, strategy working_set, sigma 0.1, load average 1.7-2.1",
                "sizes": "50x10 100x20 200x50 300x70 400x100",
            },
        },
        "sizes": "100x20 200x50 400x100",
    },
}
