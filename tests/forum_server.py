"""The fixture forum: serves tests/browser/fixtures (and the editor libraries from npm) and
records every submission, for the Chromium and the Firefox browser tests alike."""

from __future__ import annotations

import functools
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "browser" / "fixtures"

#: The editor libraries (tests/browser/package.json, pinned), installed by `npm ci` in build.py.
NODE_MODULES = Path(__file__).parent / "browser" / "node_modules"
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
                 ".gif": "image/gif", ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf"}
_EXPORT_CONDITIONS = ("development", "browser", "import", "module", "default")


def _export_target(target) -> str | None:
    """The file an ES-module browser import of a package.json "exports" entry resolves to."""
    if isinstance(target, str):
        return target if target.endswith((".js", ".mjs")) else None
    if isinstance(target, dict):
        for condition in _EXPORT_CONDITIONS:
            if condition in target and (found := _export_target(target[condition])):
                return found
    return None


@functools.cache
def import_map() -> bytes:
    """An import map (bare specifier -> /npm/ URL) for every installed package with an ES
    module entry, so fixture pages load ProseMirror and Lexical as published, no bundler."""
    imports: dict[str, str] = {}
    for manifest in sorted([*NODE_MODULES.glob("*/package.json"), *NODE_MODULES.glob("@*/*/package.json")]):
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        base = "/npm/" + manifest.parent.relative_to(NODE_MODULES).as_posix()
        exports = meta.get("exports")
        if isinstance(exports, dict) and any(key.startswith(".") for key in exports):
            entries = {key: value for key, value in exports.items() if "*" not in key}
        else:
            entries = {".": exports or meta.get("module") or meta.get("main")}
        for key, target in entries.items():
            if found := _export_target(target):
                imports[meta["name"] + key[1:]] = f"{base}/{found.removeprefix('./')}"
    return b'<script type="importmap">' + json.dumps({"imports": imports}).encode() + b"</script>"


class ForumServer:
    """Serves tests/browser/fixtures and records every POST to /submit/<page>."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._submissions: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                name = urllib.parse.urlparse(self.path).path.lstrip("/") or "index.html"
                if name.startswith("npm/"):  # the editor libraries, as installed from npm
                    path = (NODE_MODULES / name[4:]).resolve()
                    if not path.is_relative_to(NODE_MODULES.resolve()) or not path.is_file():
                        self.send_error(404)
                        return
                    body = path.read_bytes()
                else:
                    path = (FIXTURES / name).resolve()
                    if path.parent != FIXTURES.resolve() or not path.is_file():
                        self.send_error(404)
                        return
                    body = path.read_bytes().replace(b"<!--IMPORTMAP-->", import_map())
                self.send_response(200)
                self.send_header("Content-Type", CONTENT_TYPES.get(path.suffix, "application/octet-stream"))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                path = urllib.parse.urlparse(self.path).path
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                is_json = self.headers.get("Content-Type", "").startswith("application/json")
                fields = json.loads(raw) if is_json else dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
                with server._lock:
                    server._submissions.append({"page": path.rsplit("/", 1)[-1], "fields": fields})
                body = (b'{"ok":true}' if is_json else
                        '<!doctype html><meta charset="utf-8"><p id="posted">게시되었습니다</p>'.encode())
                self.send_response(200)
                self.send_header("Content-Type", "application/json" if is_json else "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    @property
    def submissions(self) -> list[dict]:
        with self._lock:
            return list(self._submissions)

    def clear(self) -> None:
        with self._lock:
            self._submissions.clear()

    def wait_for_submissions(self, count: int, timeout: float = 10) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.submissions) >= count:
                return self.submissions
            time.sleep(0.02)
        raise AssertionError(f"expected {count} submission(s), got {len(self.submissions)}")

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
