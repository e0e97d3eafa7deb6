"""Serve the API with waitress on a loopback address."""

from __future__ import annotations

import errno
import json
import logging
import select
import signal
import sys
import time

from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask

from .app import create_app, max_body_bytes
from .config import Config

log = logging.getLogger("secondlook")

#: Connection settings (issue 12). Measured by tools/bench_connections.py: with 6 slow drafts
#: and 100 idle half-open connections held by another local process, an ordinary draft is
#: answered within 2 s.
#: - more worker threads than the slow drafts one client can usefully keep busy (each analysis
#:   is bounded by ``[server] deadline_ms``), so an ordinary draft rarely waits for a thread;
THREADS = 8
#: - idle connections cost a socket, not a thread: far more of them than waitress's 100 before
#:   it stops accepting (poll, not select, so file descriptors above 1024 work);
CONNECTION_LIMIT = 1000
#: - a connection that sends nothing is closed after this many seconds (checked every
#:   ``CLEANUP_INTERVAL_S``); the extension reconnects at once when it needs to;
CHANNEL_TIMEOUT_S = 10
CLEANUP_INTERVAL_S = 2
#: - a request must arrive in full within this many seconds of its first byte (a client that
#:   trickles a request byte by byte keeps the connection "active" forever otherwise);
REQUEST_ARRIVAL_S = 10
#: - one request read ahead, so waitress notices a client that went away while its analysis
#:   runs (``waitress.client_disconnected``) and the analysis is dropped (companion/budget.py).
REQUEST_LOOKAHEAD = 1
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
    """Our JSON errors, and a deadline for a request to arrive in full (``REQUEST_ARRIVAL_S``)."""

    error_task_class = JSONErrorTask
    #: when the first byte of the request being received arrived (None: no partial request)
    arriving_since: float | None = None

    def received(self, data: bytes) -> bool:
        if self.request is None and self.arriving_since is None:
            self.arriving_since = time.monotonic()
        result = super().received(data)
        if self.request is None:  # nothing partial left: the request is complete (or none started)
            self.arriving_since = None
        return result

    def readable(self) -> bool:
        # asked by the event loop at least once a second for every channel
        if self.arriving_since is not None and time.monotonic() - self.arriving_since > REQUEST_ARRIVAL_S:
            self.will_close = True
        return super().readable()


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
            clear_untrusted_proxy_headers=True, connection_limit=CONNECTION_LIMIT,
            channel_timeout=CHANNEL_TIMEOUT_S, cleanup_interval=CLEANUP_INTERVAL_S,
            channel_request_lookahead=REQUEST_LOOKAHEAD, asyncore_use_poll=hasattr(select, "poll"),
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
