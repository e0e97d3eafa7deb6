"""``secondlook native-host``: how the extension learns this user's secret without the network.

Chrome, Edge, Whale and Firefox start this program for the extension (registered per user
by ``secondlook service install``, see deploy/native_hosts.py) and talk to it over its
standard input and output: each message is a 4-byte little-endian length followed by that
many bytes of UTF-8 JSON. To ``{"type": "hello"}`` it answers
``{"type": "hello", "secret", "host", "port", "version"}`` for the user it runs as (the
secret is created if this user has none yet). Only the browser of the same user can start
it, and only for the extension origins in its manifest; nothing of it goes over HTTP.
"""

from __future__ import annotations

import json
import struct
import sys
from typing import Any, BinaryIO

from . import __version__
from .config import ConfigError, load_config
from .secret import resolve_secret

HOST_NAME = "org.secondlook.companion"
#: Browsers send at most 4 GB in theory and 64 MiB in practice; a hello is tiny.
MAX_MESSAGE = 64 * 1024


class ProtocolError(Exception):
    """The browser side did not speak the native-messaging framing."""


def read_message(stream: BinaryIO) -> Any | None:
    """The next message, or None at the end of the input."""
    header = stream.read(4)
    if not header:
        return None
    if len(header) < 4:
        raise ProtocolError("truncated length")
    (length,) = struct.unpack("<I", header)
    if length > MAX_MESSAGE:
        raise ProtocolError(f"message of {length} bytes is larger than {MAX_MESSAGE}")
    data = stream.read(length)
    if len(data) < length:
        raise ProtocolError("truncated message")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError("message is not UTF-8 JSON") from None


def write_message(stream: BinaryIO, message: dict[str, Any]) -> None:
    data = json.dumps(message, ensure_ascii=False).encode("utf-8")
    stream.write(struct.pack("<I", len(data)) + data)
    stream.flush()


def answer(message: Any, config_file: str | None, policy: str | None) -> dict[str, Any]:
    if not isinstance(message, dict) or message.get("type") != "hello":
        return {"type": "error", "error": "unknown_message", "message": 'send {"type": "hello"}'}
    try:
        config = load_config(config_file, policy=policy)
        secret, _ = resolve_secret(config)
    except ConfigError as exc:
        return {"type": "error", "error": "config", "message": str(exc)}
    return {"type": "hello", "secret": secret, "host": config.server.host, "port": config.server.port,
            "version": __version__}


def serve_stdio(stdin: BinaryIO, stdout: BinaryIO, config_file: str | None = None,
                policy: str | None = None) -> int:
    """Answer messages until the browser closes the pipe; 1 on a framing error."""
    while True:
        try:
            message = read_message(stdin)
        except ProtocolError as exc:
            print(f"secondlook native-host: {exc}", file=sys.stderr)
            return 1
        if message is None:
            return 0
        write_message(stdout, answer(message, config_file, policy))


def main(config_file: str | None, policy: str | None) -> int:
    if sys.platform == "win32":  # no newline translation on the binary pipe
        import msvcrt
        import os
        for stream in (sys.stdin, sys.stdout):
            msvcrt.setmode(stream.fileno(), os.O_BINARY)
    return serve_stdio(sys.stdin.buffer, sys.stdout.buffer, config_file, policy)
