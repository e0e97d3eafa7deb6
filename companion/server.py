"""Serve the API with waitress on a loopback address."""

from __future__ import annotations

import errno
import logging
import signal
import sys

from waitress.server import create_server

from .app import create_app, max_body_bytes
from .config import Config

log = logging.getLogger("secondlook")

THREADS = 6


class StartupError(Exception):
    """The server could not start; the message is one line for the user."""


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr only. Waitress's own logger is kept to warnings: it never sees bodies."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("waitress").setLevel(logging.WARNING)


def serve(config: Config) -> None:
    """Start the engine loading, bind, and serve until SIGTERM or Ctrl+C."""
    app = create_app(config)
    host = config.server.host
    try:
        server = create_server(
            app, host=host, port=config.server.port, threads=THREADS,
            max_request_body_size=max_body_bytes(config), ident="SecondLook",
            clear_untrusted_proxy_headers=True, channel_timeout=30,
        )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(f"port {config.server.port} on {host} is already in use "
                               "(another SecondLook or another program); choose another with --port") from None
        raise StartupError(f"cannot listen on {host}:{config.server.port}: {exc.strerror}") from None

    def _stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    log.info("SecondLook listening on http://%s:%d (engine loading)",
             f"[{host}]" if ":" in host else host, config.server.port)
    try:
        server.run()
    except (SystemExit, KeyboardInterrupt):
        log.info("SecondLook stopping")
    finally:
        server.close()
