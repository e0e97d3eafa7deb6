"""Pairing v2: per-request proof that the companion at an exact address holds the user's secret.

Before every request that carries anything (a draft, a policy or stats request, feedback)
a client posts a fresh random nonce with the host and port it connected to::

    POST /v1/pair  {"nonce": <client nonce>, "host": "127.0.0.1", "port": 47900}

The companion answers only when host and port are exactly where it listens (else 421
``not_here``), with ``proof = HMAC-SHA256(secret, "secondlook-pair-v2\\n<host>\\n<port>\\n<nonce>")``
and a single-use ``server_nonce``. The client checks the proof in constant time and then
sends its request with ``Authorization: SecondLook nonce=<server nonce>, mac=<hex>``, where
``mac = HMAC-SHA256(secret, "secondlook-request-v2\\n<server nonce>\\n<METHOD>\\n<path>")``.
The companion accepts each server nonce once, within ``NONCE_TTL_S``. The secret itself
never travels over HTTP, and nothing is cached between requests (no trust window). A
process relaying the challenge to the user's companion on another address (``::1``,
``127.0.0.2``) or port gets a 421, or a proof for that other address that the client
rejects. The model is written out in docs/trust.md.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict

PAIR_CONTEXT = "secondlook-pair-v2"
REQUEST_CONTEXT = "secondlook-request-v2"
AUTH_SCHEME = "SecondLook"
#: Paths open without pairing: health carries nothing, and pair is how pairing starts.
OPEN_PATHS = ("/v1/health", "/v1/pair")
#: 128 to 512 bits of randomness, lowercase hex.
NONCE = re.compile(r"^[0-9a-f]{32,128}$")
_AUTHORIZATION = re.compile(r"^SecondLook nonce=([0-9a-f]{64}), mac=([0-9a-f]{64})$")
#: How long a server nonce may wait for its request (covers a request queued behind busy threads).
NONCE_TTL_S = 30.0
#: Outstanding server nonces kept at most; the oldest is dropped first.
MAX_OUTSTANDING = 1024


def normalise_host(host: str) -> str:
    """The host as compared and signed: lowercase, without IPv6 brackets."""
    return host.strip().strip("[]").lower()


def _mac(secret: str, message: str) -> str:
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def pair_proof(secret: str, host: str, port: int, nonce: str) -> str:
    """The lowercase hex proof the companion answers to a challenge."""
    return _mac(secret, f"{PAIR_CONTEXT}\n{normalise_host(host)}\n{port}\n{nonce}")


def proof_matches(secret: str, host: str, port: int, nonce: str, proof: object) -> bool:
    """Constant-time check of a companion's answer (what the extension, or a CLI client, does)."""
    return isinstance(proof, str) and hmac.compare_digest(proof.encode("ascii", "replace"),
                                                          pair_proof(secret, host, port, nonce).encode("ascii"))


def request_mac(secret: str, server_nonce: str, method: str, path: str) -> str:
    return _mac(secret, f"{REQUEST_CONTEXT}\n{server_nonce}\n{method.upper()}\n{path}")


def authorization(secret: str, server_nonce: str, method: str, path: str) -> str:
    """The ``Authorization`` header value for one request after a verified pairing."""
    return f"{AUTH_SCHEME} nonce={server_nonce}, mac={request_mac(secret, server_nonce, method, path)}"


def parse_authorization(header: str) -> tuple[str, str] | None:
    """(server nonce, mac) of a well-formed header, else None."""
    found = _AUTHORIZATION.match(header.strip())
    return (found.group(1), found.group(2)) if found else None


class ServerNonces:
    """Single-use server nonces with a short expiry; bounded in number."""

    def __init__(self, ttl_s: float = NONCE_TTL_S, limit: int = MAX_OUTSTANDING) -> None:
        self._lock = threading.Lock()
        self._issued: OrderedDict[str, float] = OrderedDict()
        self._ttl = ttl_s
        self._limit = limit

    def issue(self) -> str:
        nonce = secrets.token_hex(32)
        with self._lock:
            self._issued[nonce] = time.monotonic() + self._ttl
            while len(self._issued) > self._limit:
                self._issued.popitem(last=False)
        return nonce

    def redeem(self, nonce: str) -> bool:
        """True once for a nonce issued less than ``ttl_s`` ago; it is gone afterwards."""
        now = time.monotonic()
        with self._lock:
            expires = self._issued.pop(nonce, None)
            while self._issued:  # drop expired ones (issued in order, so the oldest come first)
                oldest, when = next(iter(self._issued.items()))
                if when > now:
                    break
                del self._issued[oldest]
        return expires is not None and expires > now


class TokenBucket:
    """Rate limit for /v1/pair: ``rate`` per second, bursts up to ``capacity``. A pairing
    redeemed by an authenticated request gives its token back, so a client that holds the
    secret is never limited while anyone else gets at most ``rate`` proofs a second."""

    def __init__(self, rate: float = 20.0, capacity: float = 40.0) -> None:
        self._lock = threading.Lock()
        self._rate = rate
        self._capacity = capacity
        self._tokens = capacity
        self._at = time.monotonic()

    def _fill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self._capacity, self._tokens + (now - self._at) * self._rate)
        self._at = now

    def take(self) -> bool:
        with self._lock:
            self._fill()
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True

    def refund(self) -> None:
        with self._lock:
            self._fill()
            self._tokens = min(self._capacity, self._tokens + 1)


class PairingState:
    """What a running companion keeps for pairing: the secret, the server nonces it issued
    and the rate limit of /v1/pair."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.nonces = ServerNonces()
        self.bucket = TokenBucket()

    def verify(self, header: str, method: str, path: str) -> bool:
        """Whether ``header`` authenticates this request; its server nonce is used up either way."""
        parsed = parse_authorization(header)
        if parsed is None:
            return False
        nonce, mac = parsed
        if not self.nonces.redeem(nonce):
            return False
        if not hmac.compare_digest(mac.encode("ascii"), request_mac(self.secret, nonce, method, path).encode("ascii")):
            return False
        self.bucket.refund()
        return True
