"""One BLAS and torch thread for the lens tests (see tests/threads.py)."""

from tests.threads import one_thread  # noqa: F401 - an autouse fixture
