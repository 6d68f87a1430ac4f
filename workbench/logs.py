"""The per-user log file (platformdirs)."""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import platformdirs


def log_path() -> Path:
    return Path(platformdirs.user_log_dir("workbench", appauthor=False)) / "workbench.log"


def setup_logging(debug: bool = False) -> Path:
    """Send log records to the rotating per-user log file; return its path."""
    path = log_path()
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:  # read-only home: log to stderr only
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return path
