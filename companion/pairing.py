"""Pairing: proving to the extension that the companion on its port is this user's.

On a shared or remote-desktop PC another user's process may hold the port the extension
expects. Before it sends any draft (or the token), the extension posts a fresh random
nonce to ``/v1/pair`` without credentials; only a companion that knows the user's token
can answer with ``HMAC-SHA256(token, "secondlook-pair-v1\\n<port>\\n<nonce>")``. The port
in the message binds the proof to the port the companion itself listens on, so a process
relaying the challenge to a companion on another port gets a proof the extension rejects.
The protocol is written out for the extension in docs/deploy.md.
"""

from __future__ import annotations

import hashlib
import hmac
import re

PAIR_CONTEXT = "secondlook-pair-v1"
#: 128 to 512 bits of randomness, lowercase hex.
NONCE = re.compile(r"^[0-9a-f]{32,128}$")


def pair_message(port: int, nonce: str) -> bytes:
    return f"{PAIR_CONTEXT}\n{port}\n{nonce}".encode("ascii")


def pair_proof(token: str, port: int, nonce: str) -> str:
    """The lowercase hex HMAC-SHA256 the companion answers to a challenge."""
    return hmac.new(token.encode("utf-8"), pair_message(port, nonce), hashlib.sha256).hexdigest()


def proof_matches(token: str, port: int, nonce: str, proof: object) -> bool:
    """Constant-time check of a companion's answer (what the extension, or doctor, does)."""
    return isinstance(proof, str) and hmac.compare_digest(proof.encode("ascii", "replace"),
                                                          pair_proof(token, port, nonce).encode("ascii"))
