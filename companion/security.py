"""Local-service guards, applied to every request before it reaches a view.

- Host must name a loopback host (or the configured one) with the server's port: a web page
  that rebinds its own DNS name to 127.0.0.1 still sends its own Host and is refused.
- A request carrying an ``Origin`` must come from an allowed extension: the configured
  Chromium extension IDs, or any Firefox extension (Firefox gives each install a random
  origin; the request MAC is what authenticates it). Web pages get 403 and no CORS headers.
- ``/v1/stats``, ``/v1/policy`` and ``/v1/feedback`` need ``Authorization: SecondLook`` with a
  MAC over a fresh single-use server nonce (pairing.py); without it: 401, whoever asks. So do
  ``/v1/analyze`` and ``/v1/redact`` when ``[server] open_analysis = false``; by default they
  answer anyone who passes the other checks, because an answer is only the analysis of the
  caller's own text (nothing of the user's drafts, usage or policy), and evaluation tools and
  scripts speak plain HTTP. Pairing protects the other direction: the extension sends a draft
  only to a companion that proved it holds the user's secret (docs/trust.md).
- POST bodies must be ``application/json``.
"""

from __future__ import annotations

import re

from flask import Flask, request
from flask_cors import CORS

from .config import Config
from .errors import APIError
from .pairing import OPEN_PATHS, PairingState

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_FIREFOX_ORIGIN = re.compile(r"^moz-extension://[0-9a-fA-F-]{36}$")
#: Open without pairing unless ``[server] open_analysis = false``: the caller's own text in, its analysis out.
ANALYSIS_PATHS = ("/v1/analyze", "/v1/redact")


def allowed_origins(config: Config) -> list[str]:
    return [f"chrome-extension://{ext_id}" for ext_id in config.policy.allowed_extension_ids]


def origin_allowed(origin: str, config: Config) -> bool:
    return origin in allowed_origins(config) or bool(_FIREFOX_ORIGIN.match(origin))


def host_allowed(host: str, config: Config) -> bool:
    port = config.server.port
    names = {*LOOPBACK_NAMES, f"[{config.server.host}]" if ":" in config.server.host else config.server.host}
    return host.lower() in {f"{name}:{port}" for name in names}


def install_guards(app: Flask, config: Config, pairing: PairingState) -> None:
    CORS(app, resources={r"/v1/*": {"origins": [*allowed_origins(config), _FIREFOX_ORIGIN]}},
         allow_headers=["Content-Type", "Authorization"], methods=["GET", "POST", "OPTIONS"],
         max_age=600, vary_header=True)
    open_paths = OPEN_PATHS + (ANALYSIS_PATHS if config.server.open_analysis else ())

    @app.before_request
    def _guard():
        if not host_allowed(request.host, config):
            raise APIError(403, "Host header must be a loopback name with the companion's port")
        origin = request.headers.get("Origin")
        if origin is not None and not origin_allowed(origin, config):
            raise APIError(403, "requests from this origin are not allowed")
        if request.method == "OPTIONS":
            return None  # CORS preflight: carries no credentials and no body
        authorization = request.headers.get("Authorization", "")
        # a MAC is checked wherever it is sent (which also gives its pairing back to the rate
        # limit); other schemes (a scorer's bearer token) are never credentials
        mac_sent = authorization.strip()[:11].lower() == "secondlook "
        if (request.path not in open_paths or mac_sent) and not pairing.verify(authorization, request.method,
                                                                             request.path):
            raise APIError(401, "pair first: this request needs a MAC over a fresh server nonce "
                                "(POST /v1/pair, docs/trust.md)")
        if request.method == "POST" and request.mimetype != "application/json":
            raise APIError(415, "request body must be application/json")
        return None
