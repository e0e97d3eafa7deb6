"""The companion's log file: the platform's folder, rotated, never draft text (see also test_security)."""

from __future__ import annotations

import logging
from pathlib import Path

from companion.logs import LOG_FILE, file_handler, log_dir


def test_log_folder_per_platform(tmp_path: Path) -> None:
    windows = log_dir({"LOCALAPPDATA": r"C:\Users\kim\AppData\Local"}, "win32")
    assert str(windows).replace("/", "\\") == r"C:\Users\kim\AppData\Local\SecondLook\logs"
    assert log_dir({}, "darwin") == Path.home() / "Library" / "Logs" / "SecondLook"
    assert log_dir({"XDG_STATE_HOME": str(tmp_path)}, "linux") == tmp_path / "secondlook"
    assert log_dir({}, "linux") == Path.home() / ".local" / "state" / "secondlook"


def test_log_file_rotates_and_keeps_a_bounded_number(tmp_path: Path) -> None:
    path = tmp_path / "logs" / LOG_FILE
    handler = file_handler(path, max_bytes=2000, backups=3)
    logger = logging.getLogger("secondlook.test-rotation")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for i in range(400):
            logger.warning("POST /v1/analyze 200 %d 1.0ms", i)
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == [LOG_FILE, f"{LOG_FILE}.1", f"{LOG_FILE}.2", f"{LOG_FILE}.3"]
    assert all(p.stat().st_size <= 2000 for p in path.parent.iterdir())
    assert "200 399 " in path.read_text(encoding="utf-8")  # the newest record is in the current file


def test_companion_writes_its_log_file(companion_server, tmp_path: Path) -> None:
    running = companion_server()
    status, _, _ = running.request("GET", "/v1/health")
    assert status == 200
    running.stop()
    text = (tmp_path / "state" / "secondlook" / LOG_FILE).read_text(encoding="utf-8")
    assert "SecondLook listening on http://127.0.0.1:" in text and "GET /v1/health 200" in text
