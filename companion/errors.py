"""JSON errors for the HTTP API: ``{"error": {"code", "message"}}`` and the right status.

Messages are fixed phrases about the request's shape, never its content, so draft text
cannot leak into a response, a log line or a stack trace through an error.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger("secondlook")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    421: "not_here",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}


class APIError(Exception):
    """An error answered to the client as JSON with ``status``."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message


def error_response(status: int, message: str, code: str | None = None):
    response = jsonify({"error": {"code": code or _CODES.get(status, "error"), "message": message}})
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(APIError)
    def _api_error(exc: APIError):
        return error_response(exc.status, exc.message, exc.code)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        # Werkzeug's own descriptions mention no request content; keep them short.
        messages = {
            404: "no such endpoint",
            405: "method not allowed on this endpoint",
            413: "request body too large",
        }
        status = exc.code or 500
        return error_response(status, messages.get(status, exc.name))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # Only the exception's type and where it was raised: its message may quote the draft.
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"
        log.error("internal error: %s at %s", type(exc).__name__, where)
        return error_response(500, "internal error while handling the request")
