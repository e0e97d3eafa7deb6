"""HTTP API v1: health, analyze, redact, feedback, stats, policy (JSON only)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from . import API_VERSION, __version__
from .budget import Abandoned, budget
from .errors import APIError
from .stats import FEEDBACK_ACTIONS

bp = Blueprint("v1", __name__, url_prefix="/v1")

LANGUAGES = ("ko", "en", "auto")
_ENTITY_TYPE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
_MAX_FEEDBACK_ITEMS = 500
_MAX_REPLACEMENT = 200
_MAX_ALLOW_TERMS = 500
_MAX_ALLOW_LENGTH = 100


def _state():
    return current_app.extensions["secondlook"]


def _engine():
    holder = _state().engine
    if not holder.ready:
        raise APIError(503, "the detection engine is still loading" if holder.error is None
                       else "the detection engine failed to load")
    return holder.engine


def _budget():
    """The time budget of this request's analysis: ``[server] deadline_ms``, and whether its client
    is still connected (waitress tells, with ``channel_request_lookahead`` > 0)."""
    seconds = _state().config.server.deadline_ms / 1000
    return budget(seconds, request.environ.get("waitress.client_disconnected"))


def _json_body() -> dict[str, Any]:
    raw = request.get_data(cache=False)
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise APIError(400, "request body is not valid UTF-8") from None
    except (ValueError, RecursionError):
        raise APIError(400, "request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise APIError(400, "request body must be a JSON object")
    return body


_JSON_NAMES = {str: "a string", list: "an array", dict: "an object", bool: "true or false"}


def _field(body: dict[str, Any], name: str, kind: type, required: bool = False) -> Any:
    """``body[name]`` if it has JSON type ``kind``; None when absent or null and optional."""
    if body.get(name) is None:
        if required:
            raise APIError(400, f'missing field "{name}"')
        return None
    value = body[name]
    if not isinstance(value, kind):
        raise APIError(400, f'field "{name}" must be {_JSON_NAMES[kind]}')
    return value


def _text(body: dict[str, Any]) -> str:
    text = _field(body, "text", str, required=True)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise APIError(400, 'field "text" is not valid Unicode (lone surrogate)') from None
    limit = _state().config.server.max_chars
    if len(text) > limit:
        raise APIError(413, f"text is longer than {limit} characters")
    return text


def _language(body: dict[str, Any]) -> str:
    language = _field(body, "language", str) or "auto"
    if language not in LANGUAGES:
        raise APIError(400, 'field "language" must be one of "ko", "en", "auto"')
    return language


def _string_list(body: dict[str, Any], name: str) -> list[str] | None:
    value = _field(body, name, list)
    if value is not None and not all(isinstance(v, str) for v in value):
        raise APIError(400, f'field "{name}" must be an array of strings')
    return value


def _allow(body: dict[str, Any]) -> frozenset[str]:
    """The request's ``allow`` list (the user's own "never flag this term"), applied on top
    of the configured allow list; bounded in count and length."""
    terms = _string_list(body, "allow") or []
    if len(terms) > _MAX_ALLOW_TERMS:
        raise APIError(400, f'field "allow" must have at most {_MAX_ALLOW_TERMS} terms')
    if any(len(t) > _MAX_ALLOW_LENGTH for t in terms):
        raise APIError(400, f'a term in "allow" must be at most {_MAX_ALLOW_LENGTH} characters')
    return frozenset(t.strip() for t in terms if t.strip())


@bp.get("/health")
def health():
    holder = _state().engine
    if not holder.ready:
        status = "starting" if holder.error is None else "failed"
        response = jsonify({"status": status})
        response.status_code = 503
        return response
    return jsonify({
        "status": "ok",
        "version": __version__,
        "api": API_VERSION,
        "engine": {"ready": True, "languages": list(holder.engine.languages), "load_ms": holder.load_ms},
    })


@bp.post("/analyze")
def analyze():
    body = _json_body()
    text = _text(body)
    language = _language(body)
    redacted_text = bool(_field(body, "redacted_text", bool))  # computed only when asked for
    allow = _allow(body)
    engine = _engine()
    started = time.perf_counter()
    with _budget():
        try:
            result = engine.analyze(text, language, allow=allow, redacted_text=redacted_text)
        except Abandoned:
            raise APIError(408, "the client went away before the analysis ended", "abandoned") from None
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    _state().stats.record_analysis(elapsed_ms)
    return jsonify({**result, "elapsed_ms": elapsed_ms})


@bp.post("/redact")
def redact():
    from .engine import UnknownFindingError

    body = _json_body()
    text = _text(body)
    language = _language(body)
    accept = _string_list(body, "accept")
    replacements = _field(body, "replacements", dict)
    if replacements is not None:
        for value in replacements.values():
            if not isinstance(value, str):
                raise APIError(400, 'field "replacements" must map finding ids to strings')
            if len(value) > _MAX_REPLACEMENT:
                raise APIError(400, f"a replacement must be at most {_MAX_REPLACEMENT} characters")
    allow = _allow(body)
    engine = _engine()
    try:
        with _budget():
            result = engine.redact(text, accept=accept, replacements=replacements, allow=allow, language=language)
    except Abandoned:
        raise APIError(408, "the client went away before the redaction ended", "abandoned") from None
    except UnknownFindingError as exc:
        if not exc.complete:
            raise APIError(503, f"the draft is too complex to check completely in time: {len(exc.ids)} finding id(s) "
                                "were not found again", "incomplete") from None
        raise APIError(400, f"{len(exc.ids)} finding id(s) are not findings of this text",
                       "unknown_finding") from None
    return jsonify(result)


@bp.post("/feedback")
def feedback():
    """Decision counts: ``{"items": [{"entity_type", "action"}, …]}`` (one review's decisions), or
    one decision as the body itself. All or nothing: one bad item and none is counted."""
    body = _json_body()
    items = _field(body, "items", list)
    if items is None:
        items, where = [body], ""
    else:
        if not 1 <= len(items) <= _MAX_FEEDBACK_ITEMS:
            raise APIError(400, f'field "items" must have 1 to {_MAX_FEEDBACK_ITEMS} decisions')
        where = "items[{}]: "
    decisions = [_decision(item, where.format(i)) for i, item in enumerate(items)]
    if not _state().stats.record_feedback(decisions):
        raise APIError(400, "too many distinct entity types")
    return jsonify({"ok": True})


def _decision(item: Any, where: str) -> tuple[str, str]:
    """One feedback decision (entity type, action); ``where`` names it in an error."""
    if not isinstance(item, dict):
        raise APIError(400, f"{where}a decision must be an object")
    try:
        entity_type = _field(item, "entity_type", str, required=True)
        action = _field(item, "action", str, required=True)
    except APIError as exc:
        raise APIError(400, where + exc.message) from None
    if not _ENTITY_TYPE.match(entity_type):
        raise APIError(400, f'{where}field "entity_type" must be an entity type such as "PERSON"')
    if action not in FEEDBACK_ACTIONS:
        raise APIError(400, f'{where}field "action" must be one of "accepted", "edited", "dismissed"')
    return entity_type, action


@bp.get("/stats")
def stats():
    return jsonify(_state().stats.snapshot())


@bp.get("/policy")
def policy():
    return jsonify(_state().config.policy.as_json())


@bp.post("/pair")
def pair():
    """Prove the secret for the exact address asked, with a single-use server nonce (pairing.py)."""
    from .pairing import NONCE, NONCE_TTL_S, normalise_host, pair_proof

    state = _state()
    if not state.pairing.bucket.take():
        raise APIError(429, "too many pairing requests; try again in a moment", "rate_limited")
    body = _json_body()
    nonce = _field(body, "nonce", str, required=True)
    if not NONCE.match(nonce):
        raise APIError(400, 'field "nonce" must be 32 to 128 lowercase hexadecimal characters')
    host = _field(body, "host", str, required=True)
    port = body.get("port")
    if isinstance(port, bool) or not isinstance(port, int):
        raise APIError(400, 'field "port" must be an integer')
    server = state.config.server
    if normalise_host(host) != normalise_host(server.host) or port != server.port:
        raise APIError(421, "this companion does not listen at the address asked", "not_here")
    return jsonify({"proof": pair_proof(state.pairing.secret, server.host, server.port, nonce),
                    "server_nonce": state.pairing.nonces.issue(), "expires_in_s": NONCE_TTL_S,
                    "version": __version__})
