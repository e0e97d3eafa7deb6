"""Local-service guards, applied to every request before it reaches a view.

- Host must name a loopback host with the server's port: a web page that rebinds its own
  DNS name to 127.0.0.1 still sends its own Host and is refused (DNS rebinding).
- A request carrying an ``Origin`` must come from an allowed extension: the configured
  Chromium extension IDs, or any Firefox extension when a token is set (Firefox gives each
  install a random origin, so the token is what authenticates it). Web pages get 403 and
  no CORS headers.
- With a token configured, everything but ``/v1/health`` and ``/v1/pair`` (whose challenge must
  not carry the token, see pairing.py) needs ``Authorization: Bearer``.
- POST bodies must be ``application/json``.
"""

from __future__ import annotations

import hmac
import re

from flask import Flask, request
from flask_cors import CORS

from .config import Config
from .errors import APIError

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_FIREFOX_ORIGIN = re.compile(r"^moz-extension://[0-9a-fA-F-]{36}$")
OPEN_PATHS = ("/v1/health", "/v1/pair")


def allowed_origins(config: Config) -> list[str]:
    return [f"chrome-extension://{ext_id}" for ext_id in config.policy.allowed_extension_ids]


def origin_allowed(origin: str, config: Config) -> bool:
    if origin in allowed_origins(config):
        return True
    return bool(config.server.token) and bool(_FIREFOX_ORIGIN.match(origin))


def host_allowed(host: str, port: int) -> bool:
    return host.lower() in {f"{name}:{port}" for name in LOOPBACK_NAMES}


def bearer_matches(header: str, token: str) -> bool:
    scheme, _, value = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())


def install_guards(app: Flask, config: Config) -> None:
    origins: list[str | re.Pattern] = list(allowed_origins(config))
    if config.server.token:
        origins.append(_FIREFOX_ORIGIN)
    CORS(app, resources={r"/v1/*": {"origins": origins}},
         allow_headers=["Content-Type", "Authorization"], methods=["GET", "POST", "OPTIONS"],
         max_age=600, vary_header=True)

    @app.before_request
    def _guard():
        if not host_allowed(request.host, config.server.port):
            raise APIError(403, "Host header must be a loopback name with the companion's port")
        origin = request.headers.get("Origin")
        if origin is not None and not origin_allowed(origin, config):
            raise APIError(403, "requests from this origin are not allowed")
        if request.method == "OPTIONS":
            return None  # CORS preflight: carries no credentials and no body
        token = config.server.token
        if token and request.path not in OPEN_PATHS:
            if not bearer_matches(request.headers.get("Authorization", ""), token):
                raise APIError(401, "missing or wrong bearer token")
        if request.method == "POST" and request.mimetype != "application/json":
            raise APIError(415, "request body must be application/json")
        return None
