"""Browser-test fixtures: a fixture forum that records every submission, real companions
started with `secondlook serve`, and Debian's Chromium with the built extension loaded.

Playwright drives /usr/bin/chromium (never `playwright install`); the extension is the
unpacked build in dist/chromium/, rebuilt once per session by `build.py extension`.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
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
from companion.deploy.native_hosts import chromium_manifest, launcher_script
from companion.native_host import HOST_NAME
from forum_server import ForumServer

ROOT = Path(__file__).resolve().parents[2]
EXTENSION_DIR = ROOT / "dist" / "chromium"
EXTENSION_ID = config.EXTENSION_ID  # fixed by the manifest key; the companion allows it by default
CHROMIUM = "/usr/bin/chromium"
OPTIONS_URL = f"chrome-extension://{EXTENSION_ID}/ui/options/options.html"


# ---------------------------------------------------------------- companions

@pytest.fixture(scope="session")
def user_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """XDG_CONFIG_HOME of "this user": the companions' per-user secret lives here, and the
    browser's `secondlook native-host` reads it from here (nothing is typed into the extension)."""
    return tmp_path_factory.mktemp("user-xdg")


def start_users_companion(tmp: Path, user_home: Path, config_text: str | None, **kwargs):
    """A companion of this user (same secret as the browser's native host)."""
    env = {"XDG_CONFIG_HOME": str(user_home), **kwargs.pop("env", {})}
    return companions.start_companion(tmp, config_text, env=env, **kwargs)


def companion_config(forum: ForumServer, **policy: str) -> str:
    lines = ["[policy]", f'sites = ["http://127.0.0.1:{forum.port}/*"]']
    lines += [f'{key} = "{value}"' for key, value in policy.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def site_companion(tmp_path_factory: pytest.TempPathFactory, forum: ForumServer, user_home: Path) -> Iterator:
    """The companion most tests talk to: warn mode, fail open, the fixture site configured."""
    running = start_users_companion(tmp_path_factory.mktemp("companion-open"), user_home,
                                    companion_config(forum, mode="warn", fail_mode="open"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def strict_companion_factory(tmp_path_factory: pytest.TempPathFactory, forum: ForumServer,
                             user_home: Path) -> Iterator[Callable]:
    """Start (or restart, on the same port) a companion in block mode that fails closed."""
    tmp = tmp_path_factory.mktemp("companion-closed")
    config = companion_config(forum, mode="block", fail_mode="closed")
    state: dict = {}

    def start():
        current = state.get("companion")
        if current and current.process.poll() is None:
            return current
        state["companion"] = start_users_companion(tmp, user_home, config, port=current.port if current else None)
        return state["companion"]

    yield start
    if state.get("companion"):
        state["companion"].stop()


@pytest.fixture
def hurried_companion(browser, tmp_path_factory: pytest.TempPathFactory, forum: ForumServer,
                      user_home: Path) -> Iterator:
    """This user's companion with a deadline (100 ms) that a long draft always exceeds."""
    running = start_users_companion(tmp_path_factory.mktemp("companion-hurried"), user_home,
                                    companion_config(forum, mode="warn", fail_mode="open")
                                    + "[server]\ndeadline_ms = 100\n")
    browser.configure(running.port, fail_mode="open")
    forum.clear()
    yield running
    running.stop()


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

    def configure(self, port: int, fail_mode: str | None = None) -> None:
        """Point the extension at a companion port through its options page (the secret comes from
        the native host)."""
        page = self.context.new_page()
        try:
            page.goto(OPTIONS_URL)
            expect(page.locator('[data-field="secret-source"]')).not_to_have_text("")
            page.fill('[data-setting="port"]', str(port))
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


def register_native_host(profile: Path, launcher_dir: Path) -> Path:
    """Register the real `secondlook native-host` for this Chromium profile with the launcher and
    manifest `service install` writes (Chromium reads <user-data-dir>/NativeMessagingHosts)."""
    launcher = launcher_dir / "native-host"
    launcher.write_bytes(launcher_script("linux", [str(companions.SECONDLOOK), "native-host"]))
    launcher.chmod(0o755)
    manifest = profile / "NativeMessagingHosts" / f"{HOST_NAME}.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps(chromium_manifest(launcher, [EXTENSION_ID])), encoding="utf-8")
    return manifest


@pytest.fixture(scope="session")
def browser(built_extension: Path, tmp_path_factory: pytest.TempPathFactory, user_home: Path) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `python3 build.py test` installs Debian's chromium")
    profile = tmp_path_factory.mktemp("chromium-profile")
    register_native_host(profile, tmp_path_factory.mktemp("native-host"))
    # the native host runs as this user: its environment says where this user's secret is
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECONDLOOK_")}
    env["XDG_CONFIG_HOME"] = str(user_home)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            env=env,
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


# ---------------------------------------------------------------- pairing: impostors

class Impostor:
    """Another user's process on the port the extension uses (127.0.0.1). Records every request
    (method, path, headers, body) it receives.

    kind: "garbage" answers like a companion, with a made-up proof; "relay" forwards every
    request as is to ``target`` (this user's companion on another loopback address); "rewrite"
    relays too, but rewrites the challenge's host to the target's, so that the companion signs."""

    def __init__(self, forum: ForumServer, kind: str, port: int = 0, target: tuple[str, int] | None = None) -> None:
        self._lock = threading.Lock()
        self._requests: list[dict] = []
        impostor = self
        policy = {"sites": ["<all_urls>"], "mode": "warn", "warn_level": "critical", "fail_mode": "open"}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                sent = {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*",
                        "Access-Control-Allow-Headers": "Content-Type, Authorization", **(headers or {})}
                for name, value in sent.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self) -> None:
                path = urllib.parse.urlparse(self.path).path
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with impostor._lock:
                    impostor._requests.append({"method": self.command, "path": path,
                                               "headers": dict(self.headers), "body": raw})
                if kind == "garbage":
                    self._garbage(path, raw)
                else:
                    self._relay(raw)

            def _garbage(self, path: str, raw: bytes) -> None:
                if self.command == "OPTIONS":
                    self._answer(204, b"")
                elif path == "/v1/health":
                    self._answer(200, json.dumps({"status": "ok", "version": "0.1.0", "api": 1}).encode())
                elif path == "/v1/pair":
                    nonce = json.loads(raw or b"{}").get("nonce", "")
                    message = f"secondlook-pair-v2\n127.0.0.1\n{impostor.port}\n{nonce}".encode()
                    proof = hmac.new(b"a-guessed-secret", message, hashlib.sha256).hexdigest()
                    self._answer(200, json.dumps({"proof": proof, "server_nonce": "ab" * 32}).encode())
                elif path == "/v1/policy":
                    self._answer(200, json.dumps(policy).encode())
                elif path == "/v1/analyze":
                    self._answer(200, json.dumps({"findings": [], "risk": {"level": "none", "reasons": []},
                                                  "language": "ko"}).encode())
                else:
                    self._answer(404, b'{"error": {"code": "not_found", "message": "not found"}}')

            def _relay(self, raw: bytes) -> None:
                host, target_port = target
                if kind == "rewrite" and self.path == "/v1/pair" and raw:
                    challenge = json.loads(raw)
                    challenge["host"] = host
                    raw = json.dumps(challenge).encode()
                conn = http.client.HTTPConnection(host, target_port, timeout=30)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in ("content-length", "connection")}
                    conn.request(self.command, self.path, body=raw or None, headers=headers)
                    response = conn.getresponse()
                    body = response.read()
                    passed = {k: v for k, v in response.getheaders()
                              if k.lower() not in ("content-length", "connection", "date", "server")}
                    self._answer(response.status, body, passed)
                finally:
                    conn.close()

            do_GET = do_POST = do_OPTIONS = _handle

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def requests(self) -> list[dict]:
        with self._lock:
            return list(self._requests)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def pairing(browser: Browser, forum: ForumServer) -> Iterator[Browser]:
    """The browser for a pairing test; afterwards the next test's fixture points it at its companion again."""
    forum.clear()
    yield browser
    browser.port = None
