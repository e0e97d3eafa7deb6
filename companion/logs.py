"""Where the companion's log goes: the platform's per-user log folder, rotated, never draft text.

A service started at logon has no console (Windows runs it with ``pythonw.exe``, whose
standard error goes nowhere), so besides standard error every record is written to
``companion.log`` in :func:`log_dir`, rotated at ``MAX_BYTES`` with ``BACKUPS`` old files.
What is logged is what the companion's loggers say: start, stop, engine load and access
lines (method, path, status, size, duration); no logger is ever given draft text.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import Mapping

LOG_FILE = "companion.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_dir(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The per-user log folder: %LOCALAPPDATA%\\SecondLook\\logs, ~/Library/Logs/SecondLook,
    or $XDG_STATE_HOME/secondlook (~/.local/state/secondlook)."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if platform == "win32":
        local = env.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(local) / "SecondLook" / "logs"
    if platform == "darwin":
        return Path.home() / "Library" / "Logs" / "SecondLook"
    return Path(env.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "secondlook"


def file_handler(path: Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> logging.Handler:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler


def configure_logging(level: int = logging.INFO) -> Path | None:
    """Standard error (as ``server.configure_logging`` sets it up) plus the rotated log file;
    the file's path, or None when the folder cannot be written (then a warning says so)."""
    from .server import configure_logging as configure_stderr

    configure_stderr(level)
    path = log_dir() / LOG_FILE
    try:
        logging.getLogger().addHandler(file_handler(path))
    except OSError as exc:
        logging.getLogger("secondlook").warning("cannot write the log file %s (%s); logging to standard error only",
                                                path, exc.strerror)
        return None
    return path
