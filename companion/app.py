"""Flask application factory for the companion's HTTP API."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable

from flask import Flask, g, request

from .api import bp as api_v1
from .config import Config, DetectionConfig
from .engine_holder import EngineHolder, default_engine_factory
from .errors import register_error_handlers
from .pairing import PairingState
from .secret import resolve_secret
from .security import install_guards
from .stats import Stats

access_log = logging.getLogger("secondlook.access")

#: Bytes of request body allowed per permitted character (UTF-8 needs at most 4) plus room
#: for the JSON around the text.
BYTES_PER_CHAR = 4
BODY_SLACK = 64 * 1024


@dataclass
class AppState:
    config: Config
    engine: EngineHolder
    stats: Stats
    pairing: PairingState


def max_body_bytes(config: Config) -> int:
    return config.server.max_chars * BYTES_PER_CHAR + BODY_SLACK


def create_app(
    config: Config,
    engine_factory: Callable[[DetectionConfig], object] = default_engine_factory,
    load_engine: bool = True,
    secret: str | None = None,
) -> Flask:
    """Build the app; the engine loads in a background thread unless ``load_engine`` is False.
    ``secret`` defaults to the configured token, else this user's secret (created if needed)."""
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=max_body_bytes(config), JSON_AS_ASCII=False)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    holder = EngineHolder(config.detection, engine_factory)
    pairing = PairingState(secret if secret is not None else resolve_secret(config)[0])
    app.extensions["secondlook"] = AppState(config=config, engine=holder, stats=Stats(), pairing=pairing)
    register_error_handlers(app)
    install_guards(app, config, pairing)
    app.register_blueprint(api_v1)
    _install_access_log(app)
    if load_engine:
        holder.load_in_background()
    return app


def _install_access_log(app: Flask) -> None:
    """One line per request: method, path, status, size and duration; never a body or query."""

    @app.before_request
    def _start_timer():
        g.started = time.perf_counter()

    @app.after_request
    def _log(response):
        started = g.get("started")
        duration_ms = (time.perf_counter() - started) * 1000 if started else 0.0
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        app.extensions["secondlook"].stats.record_request(endpoint, response.status_code)
        access_log.info("%s %s %d %s %.1fms", request.method, endpoint, response.status_code,
                        response.calculate_content_length() or 0, duration_ms)
        return response
