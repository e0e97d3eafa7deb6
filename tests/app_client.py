"""The companion's Flask app in this process: ``create_app(...).test_client()`` with the real
engine passed through the app's engine seam (``engine_factory``), for API shape tests that need
no HTTP server. ``AppClient.request`` answers like ``companion_process.Companion.request``:
pairing first (through the app itself) unless the path is open or the request names its own
``Authorization``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from flask import Flask

from companion.app import create_app
from companion.client import paired_request
from companion.config import DetectionConfig, load_config
from engine_support import engine_for

#: The port the app believes it serves (its Host check and pairing use it; nothing listens on it).
PORT = 47999
SECRET = "in-process-secret-0123456789abcdef"


class AppClient:
    host = "127.0.0.1"
    port = PORT
    secret = SECRET

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._client = app.test_client()

    @property
    def state(self):
        return self.app.extensions["secondlook"]

    def send(self, host: str, port: int, method: str, path: str, body: Any = None,
             headers: dict[str, str | None] | None = None, timeout: float = 0) -> tuple[int, Any, Any]:
        """One request through the test client, with ``companion.client.request_json``'s
        signature and answer: (status, headers, parsed JSON or the raw bytes)."""
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        sent = {"Content-Type": "application/json"} if data is not None else {}
        sent.update(headers or {})
        response = self._client.open(path, method=method, data=data, base_url=f"http://{host}:{port}",
                                     headers={k: v for k, v in sent.items() if v is not None})
        raw = response.get_data()
        try:
            parsed: Any = json.loads(raw)
        except ValueError:
            parsed = raw
        return response.status_code, response.headers, parsed

    def request(self, method: str, path: str, body: object | bytes | None = None,
                headers: dict[str, str | None] | None = None, timeout: float = 30) -> tuple[int, Any, Any]:
        return paired_request(self.host, self.port, self.secret, method, path, body, headers, timeout, self.send)


def app_client(tmp: Path, config_text: str | None = None,
               engine_factory: Callable[[DetectionConfig], object] = engine_for,
               wait: bool = True) -> AppClient:
    """An app on its own config (``config_text`` as its config file), the engine built by
    ``engine_factory`` in the background as the server does; ``wait``: until it is loaded."""
    path = None
    if config_text is not None:
        path = tmp / "config.toml"
        path.write_text(config_text, encoding="utf-8")
    config = load_config(path, env={"XDG_CONFIG_HOME": str(tmp / "xdg")}, overrides={"server.port": PORT})
    client = AppClient(create_app(config, engine_factory, secret=SECRET))
    if wait:
        client.state.engine.wait(120)
    return client
