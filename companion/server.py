"""Serve the API with waitress on a loopback address."""

from __future__ import annotations

import errno
import json
import logging
import signal
import sys

from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask

from .app import create_app, max_body_bytes
from .config import Config

log = logging.getLogger("secondlook")

THREADS = 6
#: Responses are held in memory up to this size; waitress would spill larger ones into a
#: temporary file, and a response carries draft text.
OUTBUF_IN_MEMORY = 256 * 1024 * 1024


class JSONErrorTask(ErrorTask):
    """Errors waitress answers itself (body over the limit, malformed HTTP) as our JSON errors."""

    MESSAGES = {413: ("too_large", "request body too large"),
                400: ("bad_request", "malformed HTTP request")}

    def execute(self) -> None:
        code = self.request.error.code
        kind, message = self.MESSAGES.get(code, ("error", "the request could not be handled"))
        body = json.dumps({"error": {"code": kind, "message": message}}).encode()
        self.status = f"{code} {self.request.error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class JSONErrorChannel(HTTPChannel):
    error_task_class = JSONErrorTask


class StartupError(Exception):
    """The server could not start; the message is one line for the user."""


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr only; library loggers are kept to warnings."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    for noisy in ("waitress", "presidio-analyzer", "presidio-anonymizer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def serve(config: Config) -> None:
    """Bind, start the engine loading, and serve until SIGTERM or Ctrl+C."""
    app = create_app(config, load_engine=False)  # bind first: a busy port fails fast and quietly
    host = config.server.host
    try:
        server = create_server(
            app, host=host, port=config.server.port, threads=THREADS,
            max_request_body_size=max_body_bytes(config), ident="SecondLook",
            clear_untrusted_proxy_headers=True, channel_timeout=30,
            # Keep request and response bodies (draft text) in memory, never in temp files.
            inbuf_overflow=max_body_bytes(config) + 1, outbuf_overflow=OUTBUF_IN_MEMORY,
        )
        server.channel_class = JSONErrorChannel
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(f"port {config.server.port} on {host} is already in use "
                               "(another SecondLook or another program); choose another with --port") from None
        raise StartupError(f"cannot listen on {host}:{config.server.port}: {exc.strerror}") from None

    def _stop(signum, frame):
        raise SystemExit(0)

    app.extensions["secondlook"].engine.load_in_background()
    signal.signal(signal.SIGTERM, _stop)
    log.info("SecondLook listening on http://%s:%d (engine loading)",
             f"[{host}]" if ":" in host else host, config.server.port)
    try:
        server.run()
    except (SystemExit, KeyboardInterrupt):
        log.info("SecondLook stopping")
    finally:
        server.close()
