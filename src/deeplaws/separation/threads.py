"""One limit for every thread pool of a separation job: torch's and the BLAS/OpenMP ones.

torch.set_num_threads alone leaves numpy's BLAS (the D measurement, the PCA) free to start
a thread per core; on a node shared by several jobs that oversubscribes the cores.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from threadpoolctl import threadpool_limits


@contextmanager
def limited_threads(threads: int) -> Iterator[None]:
    """torch intra-op threads and every loaded BLAS/OpenMP pool limited to ``threads``."""
    if threads < 1:
        raise ValueError(f"threads must be >= 1, not {threads}")
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        torch.set_num_threads(before)
