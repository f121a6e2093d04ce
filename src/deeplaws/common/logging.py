"""Route Python logging, warnings and uncaught exceptions of a job to its log file."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(log_path: str | Path | None, level: int = logging.INFO) -> logging.Logger:
    """Send every log record of this process to ``log_path`` (and to stderr).

    Uncaught exceptions are written to the log with their traceback before the process
    exits, so ``logs/<rule>/<wildcards>.log`` always says why a job failed.
    """
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    formatter = logging.Formatter(FORMAT)
    if log_path is not None:
        path = Path(log_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(path, mode="w")
        file_handler.setFormatter(formatter)
        root.addHandler(file_handler)
    stream = logging.StreamHandler(sys.stderr)
    stream.setFormatter(formatter)
    stream.setLevel(logging.WARNING)
    root.addHandler(stream)
    logging.captureWarnings(True)

    def _hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        logging.getLogger("deeplaws").error(
            "uncaught exception:\n%s", "".join(traceback.format_exception(exc_type, exc, tb))
        )
        sys.__excepthook__(exc_type, exc, tb)

    sys.excepthook = _hook
    return logging.getLogger("deeplaws")
