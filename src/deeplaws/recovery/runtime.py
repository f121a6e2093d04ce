"""Keep one job on one core: BLAS/OpenMP pools and torch limited to a single thread.

The workflow scripts also set OMP/OPENBLAS/MKL_NUM_THREADS before numpy is imported; this
limits pools that already exist (threadpoolctl) and torch's intra-op pool.
"""

from __future__ import annotations

import os
import sys

THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def pin_threads(threads: int = 1) -> None:
    """Limit every numerical thread pool of this process to ``threads``."""
    for var in THREAD_VARS:
        os.environ[var] = str(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        pass
    else:
        threadpool_limits(threads)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)
