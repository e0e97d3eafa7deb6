"""Browser-test fixtures: a fixture forum that records every submission, real companions
started with `secondlook serve`, and Debian's Chromium with the built extension loaded.

Playwright drives /usr/bin/chromium (never `playwright install`); the extension is the
unpacked build in dist/chromium/, rebuilt once per session by `build.py extension`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, ClassVar, Iterator

import pytest
from playwright.sync_api import BrowserContext, Frame, FrameLocator, Locator, Page, expect, sync_playwright

import companion_process as companions
from companion import config
from forum_server import ForumServer

ROOT = Path(__file__).resolve().parents[2]
EXTENSION_DIR = ROOT / "dist" / "chromium"
EXTENSION_ID = config.EXTENSION_ID  # fixed by the manifest key; the companion allows it by default
CHROMIUM = "/usr/bin/chromium"
OPTIONS_URL = f"chrome-extension://{EXTENSION_ID}/ui/options/options.html"


# ---------------------------------------------------------------- fixture forum server

@pytest.fixture(scope="session")
def forum() -> Iterator[ForumServer]:
    server = ForumServer()
    yield server
    server.close()


# ---------------------------------------------------------------- companions

def companion_config(forum: ForumServer, **policy: str) -> str:
    lines = ["[policy]", f'sites = ["http://127.0.0.1:{forum.port}/*"]']
    lines += [f'{key} = "{value}"' for key, value in policy.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def site_companion(tmp_path_factory: pytest.TempPathFactory, forum: ForumServer) -> Iterator:
    """The companion most tests talk to: warn mode, fail open, the fixture site configured."""
    running = companions.start_companion(tmp_path_factory.mktemp("companion-open"),
                                         companion_config(forum, mode="warn", fail_mode="open"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def strict_companion_factory(tmp_path_factory: pytest.TempPathFactory, forum: ForumServer) -> Iterator[Callable]:
    """Start (or restart, on the same port) a companion in block mode that fails closed."""
    tmp = tmp_path_factory.mktemp("companion-closed")
    config = companion_config(forum, mode="block", fail_mode="closed")
    state: dict = {}

    def start():
        current = state.get("companion")
        if current and current.process.poll() is None:
            return current
        state["companion"] = companions.start_companion(tmp, config, port=current.port if current else None)
        return state["companion"]

    yield start
    if state.get("companion"):
        state["companion"].stop()


# ---------------------------------------------------------------- browser with the extension

@pytest.fixture(scope="session")
def built_extension() -> Path:
    subprocess.run([sys.executable, str(ROOT / "build.py"), "extension"], check=True, cwd=ROOT)
    assert (EXTENSION_DIR / "manifest.json").is_file()
    return EXTENSION_DIR


@dataclass
class Browser:
    context: BrowserContext
    port: int | None = None

    def configure(self, port: int, fail_mode: str | None = None, token: str | None = None) -> None:
        """Point the extension at a companion port (and, given one, set its token) through its options page."""
        page = self.context.new_page()
        try:
            page.goto(OPTIONS_URL)
            expect(page.locator('[data-setting="port"]')).not_to_have_value("")
            page.fill('[data-setting="port"]', str(port))
            if token is not None:
                page.fill('[data-setting="token"]', token)
            page.click('[data-action="save"]')
            expect(page.locator('[data-field="status"]')).to_have_attribute("data-state", "saved")
            if fail_mode:
                expect(page.locator('[data-field="fail-mode"]')).to_have_attribute("data-value", fail_mode)
        finally:
            page.close()
        self.port = port

    def extension_eval(self, script: str, arg=None):
        """Evaluate in an extension page (which has the chrome.* APIs); a page rather than the
        service worker, which may have been stopped and restarted since Playwright saw it."""
        page = self.context.new_page()
        try:
            page.goto(OPTIONS_URL)
            return page.evaluate(script, arg)
        finally:
            page.close()

    def toolbar_badge(self, url: str) -> str | None:
        """The extension's toolbar badge text on the tab matching the URL pattern."""
        return self.extension_eval(
            "async (url) => { const [tab] = await chrome.tabs.query({ url });"
            " return tab ? chrome.action.getBadgeText({ tabId: tab.id }) : null; }", url)


@pytest.fixture(scope="session")
def browser(built_extension: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `python3 build.py test` installs Debian's chromium")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            locale="ko-KR",
            viewport={"width": 1000, "height": 760},
            args=[
                f"--load-extension={built_extension}",
                f"--disable-extensions-except={built_extension}",
                "--lang=ko",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context.set_default_timeout(15_000)  # no wait in these tests should come near this
        worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
        assert worker.url.startswith(f"chrome-extension://{EXTENSION_ID}/"), worker.url
        yield Browser(context)
        context.close()


@pytest.fixture
def extension_on(browser: Browser, site_companion, forum: ForumServer) -> Browser:
    """The extension talking to the site companion (warn mode, fail open); a clean submission log."""
    if browser.port != site_companion.port:
        browser.configure(site_companion.port, fail_mode="open")
    forum.clear()
    return browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    tab = browser.context.new_page()
    yield tab
    tab.goto("about:blank")  # closing a tab right after a post can hang Chromium's close
    tab.close()


# ---------------------------------------------------------------- the fixture forum pages

@dataclass
class Forum:
    """One fixture page kind: where its title and body editors are and how it posts."""

    kind: str
    page: Page
    server: ForumServer

    PAGES: ClassVar[dict[str, str]] = {
        "form": "form.html",
        "script": "script-editor.html",
        "iframe": "iframe-editor.html",
        "comment": "comment.html",
        "framed": "framed.html",
    }

    def open(self) -> "Forum":
        self.page.goto(self.server.url(self.PAGES[self.kind]))
        return self

    @property
    def scope(self) -> Page | FrameLocator:
        return self.page.frame_locator("#cafe_main") if self.kind == "framed" else self.page

    @property
    def frame(self) -> Page | Frame:
        """The document that holds the body editor's badge (an iframe editor's badge is beside
        the iframe, in the page)."""
        return self.scope

    def title(self) -> Locator | None:
        selector = {"form": "#subject", "script": "#title", "iframe": "#subject", "framed": "#subject"}.get(self.kind)
        return self.scope.locator(selector) if selector else None

    def body(self) -> Locator:
        return {
            "form": self.page.locator("#content"),
            "script": self.page.locator("#editor"),
            "iframe": self.page.frame_locator("#se-frame").locator("body"),
            "comment": self.page.locator("#comment"),
            "framed": self.scope.locator("#content"),
        }[self.kind]

    def write(self, body: str, title: str = "") -> None:
        if title and self.title() is not None:
            self.title().fill(title)
        self.body().fill(body)

    def body_text(self) -> str:
        body = self.body()
        return body.input_value() if self.kind in ("form", "comment", "framed") else body.inner_text().strip()

    #: pages whose post is a browser form submission, which navigates to the server's answer
    NAVIGATING: ClassVar[dict[str, str]] = {"form": "form", "iframe": "iframe", "framed": "form"}

    def settle(self) -> None:
        """Wait for the navigation of a recorded form post to finish."""
        if any(s["page"] == self.NAVIGATING.get(self.kind) for s in self.server.submissions):
            expect(self.scope.locator("#posted")).to_be_visible()

    def submit(self) -> None:
        if self.kind == "comment":
            self.body().press("Enter")
        else:
            self.scope.locator({"script": "#publish"}.get(self.kind, "#submit")).click()

    def submitted(self, submission: dict) -> str:
        """Title and body as the site received them."""
        fields = submission["fields"]
        if self.kind == "comment":
            return fields["comment"]
        if self.kind == "script":
            return f"{fields['title']}\n{fields['body']}"
        return f"{fields['subject']}\n{fields['content']}"


@pytest.fixture
def make_forum(page: Page, forum: ForumServer) -> Iterator[Callable[[str], Forum]]:
    made: list[Forum] = []

    def make(kind: str) -> Forum:
        made.append(Forum(kind, page, forum).open())
        return made[-1]

    yield make
    for site in made:
        site.settle()


# ---------------------------------------------------------------- pairing (token mode)

#: The token of ``token_companion``; the extension gets it through its options page.
PAIR_TOKEN = "pair-token-0123456789abcdef"


@pytest.fixture(scope="module")
def token_companion(tmp_path_factory: pytest.TempPathFactory, forum: ForumServer) -> Iterator:
    """A companion with ``PAIR_TOKEN``, the fixture site, warn mode, failing closed."""
    running = companions.start_companion(tmp_path_factory.mktemp("companion-token"),
                                         companion_config(forum, mode="warn", fail_mode="closed"),
                                         env={"SECONDLOOK_TOKEN": PAIR_TOKEN})
    yield running
    running.stop()


@pytest.fixture
def token_mode(browser: Browser, forum: ForumServer) -> Iterator[Browser]:
    """The browser for a test that sets a token; afterwards the token is cleared and the next
    test's fixture points the extension at its companion again."""
    forum.clear()
    yield browser
    browser.extension_eval("() => chrome.storage.local.set({ token: '' })")
    browser.port = None


class Impostor:
    """Another user's process on the expected port: answers like a companion but cannot prove
    the token. Records every request (method, path, headers, body) it receives.

    pair: "wrong-proof" (a well-formed proof made with another token) or "no-token" (409)."""

    def __init__(self, forum: ForumServer, pair: str) -> None:
        self._lock = threading.Lock()
        self._requests: list[dict] = []
        impostor = self
        policy = {"sites": [f"http://127.0.0.1:{forum.port}/*"], "mode": "warn", "warn_level": "critical",
                  "fail_mode": "open"}

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: dict) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Headers", "Content-Type, Authorization")
                self.end_headers()
                self.wfile.write(raw)

            def _record(self) -> tuple[str, bytes]:
                path = urllib.parse.urlparse(self.path).path
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with impostor._lock:
                    impostor._requests.append({"method": self.command, "path": path,
                                               "headers": dict(self.headers), "body": raw})
                return path, raw

            def do_OPTIONS(self) -> None:  # noqa: N802
                self._record()
                self._answer(204, {})

            def do_GET(self) -> None:  # noqa: N802
                path, _ = self._record()
                if path == "/v1/health":
                    self._answer(200, {"status": "ok", "version": "0.1.0", "api": 1})
                elif path == "/v1/policy":
                    self._answer(200, policy)
                else:
                    self._answer(404, {"error": {"code": "not_found", "message": "not found"}})

            def do_POST(self) -> None:  # noqa: N802
                path, raw = self._record()
                if path == "/v1/pair":
                    nonce = json.loads(raw or b"{}").get("nonce", "")
                    if pair == "no-token":
                        self._answer(409, {"error": {"code": "no_token", "message": "pairing needs a token"}})
                    else:
                        message = f"secondlook-pair-v1\n{impostor.port}\n{nonce}".encode()
                        proof = hmac.new(b"another-users-token", message, hashlib.sha256).hexdigest()
                        self._answer(200, {"proof": proof, "port": impostor.port, "version": "0.1.0"})
                elif path == "/v1/analyze":
                    self._answer(200, {"findings": [], "risk": {"level": "none", "reasons": []},
                                       "redacted_text": "", "language": "ko"})
                else:
                    self._answer(404, {"error": {"code": "not_found", "message": "not found"}})

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def requests(self) -> list[dict]:
        with self._lock:
            return list(self._requests)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(params=["wrong-proof", "no-token"])
def impostor(request: pytest.FixtureRequest, forum: ForumServer) -> Iterator[Impostor]:
    server = Impostor(forum, request.param)
    yield server
    server.close()
