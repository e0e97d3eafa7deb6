"""Protection that never lies: tabs opened before the content scripts were registered are
guarded; block mode cannot be bypassed from the dialog; a draft that was not checked says so
in the page (companion down, too slow, refused) and what can be checked is checked (lone
surrogates, over-long drafts in windows); untrusted clicks do nothing; the dialog fits a
1366×650 screen; "never flag this term" is personal, local and manageable."""

from __future__ import annotations

import json
import secrets
import select
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest
from playwright.sync_api import expect

import companion_process as companions
from companion.pairing import pair_proof
from conftest import OPTIONS_URL, companion_config, start_users_companion
from shadow import shadow, wait_for
from test_review_flow import NAME, PHONE, RISKY_BODY, RISKY_TITLE, dialog, review


class StubCompanion:
    """A misbehaving companion of this user: it holds the user's secret, so it passes pairing
    (the proof for 127.0.0.1:<its port>), and answers the policy (the given sites), but hangs on
    every analysis ("hang") or refuses it with 400 ("refuse")."""

    def __init__(self, sites: list[str], analysis: str, secret: str) -> None:
        policy = {"sites": sites, "mode": "warn", "warn_level": "medium", "fail_mode": "open"}
        stub = self
        self.analyses: list[dict] = []  # hang: {"seconds": how long until the client gave up}

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: dict) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:  # noqa: N802
                path = urllib.parse.urlparse(self.path).path
                if path == "/v1/policy":
                    self._answer(200, policy)
                else:
                    self._answer(200, {"status": "ok", "version": "0.1.0", "api": 1})

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if urllib.parse.urlparse(self.path).path == "/v1/pair":
                    nonce = json.loads(raw)["nonce"]
                    self._answer(200, {"proof": pair_proof(secret, "127.0.0.1", stub.port, nonce),
                                       "server_nonce": secrets.token_hex(32)})
                    return
                if analysis == "hang":  # longer than the extension's 2 s timeout; notes when the client closes
                    started = time.monotonic()
                    while time.monotonic() - started < 4:
                        if select.select([self.connection], [], [], 0.02)[0] and not self.connection.recv(1, socket.MSG_PEEK):
                            break
                    stub.analyses.append({"seconds": time.monotonic() - started})
                    return
                self._answer(400, {"error": {"code": "bad_request", "message": "refused"}})

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def stub(request, forum, site_companion) -> Iterator[StubCompanion]:
    server = StubCompanion([f"http://127.0.0.1:{forum.port}/*"], request.param, site_companion.secret)
    yield server
    server.close()


@pytest.fixture(scope="module")
def block_companion(tmp_path_factory, forum, user_home) -> Iterator:
    running = start_users_companion(tmp_path_factory.mktemp("companion-block"), user_home,
                                    companion_config(forum, mode="block", fail_mode="open"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def short_companion(tmp_path_factory, forum, user_home) -> Iterator:
    """A companion that accepts at most 600 characters per draft."""
    config = "[server]\nmax_chars = 600\n" + companion_config(forum, mode="warn", fail_mode="open")
    running = start_users_companion(tmp_path_factory.mktemp("companion-short"), user_home, config)
    yield running
    running.stop()


@pytest.fixture
def on(browser, forum):
    """Point the extension at a companion (or stub) port for one test; the next test's
    fixture points it back."""
    def use(port: int) -> None:
        browser.configure(port)
        forum.clear()
    yield use
    browser.port = None


def test_a_tab_opened_before_registration_is_guarded(browser, on, site_companion, make_forum, forum):
    elsewhere = StubCompanion(["http://example.invalid/*"], "refuse", site_companion.secret)
    try:
        on(elsewhere.port)  # the policy's sites no longer include the fixture forum
        site = make_forum("script")
        site.write(RISKY_BODY, title=RISKY_TITLE)
        site.submit()
        forum.wait_for_submissions(1)  # not a watched site: posted without a look
        on(site_companion.port)  # the forum is watched again; the tab is not reloaded
        site.submit()
        dialog(site.page).locator("[data-finding-id]").first.wait_visible()
        site.page.wait_for_timeout(300)
        assert forum.submissions == []
        dialog(site.page).locator('[data-action="cancel"]').click()
        # injected once: one badge, one dialog per submit
        site.body().press("End")
        site.body().press_sequentially(" 이상")
        expect(site.page.locator('[data-secondlook="badge"]')).to_have_count(1)
    finally:
        elsewhere.close()


def test_block_mode_cannot_be_bypassed_from_the_dialog(on, block_companion, make_forum, forum):
    on(block_companion.port)
    site = make_forum("script")
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    box = dialog(site.page)
    box.locator('[data-field="blocked"]').wait_visible()
    assert box.locator('[data-action="post"]').count() == 0
    # keep every finding, then "apply and post": the service worker refuses, the reason is shown
    box.locator('[data-bulk="dismiss"]').click()
    box.locator('[data-action="apply"]').click()
    box.locator('[data-field="notice"][data-notice="blocked"]').wait_visible()
    assert forum.submissions == [] and NAME in site.body_text()
    # replacements edited back to the original words: refused as well
    rows = box.locator("[data-finding-id]")
    for i in range(rows.count()):
        rows.nth(i).locator('[data-field="replacement"]').fill(rows.nth(i).locator(".text").inner_text())
    box.locator('[data-action="apply"]').click()
    site.page.wait_for_timeout(300)
    box.locator('[data-field="notice"][data-notice="blocked"]').wait_visible()
    assert forum.submissions == [] and NAME in site.body_text()
    # accepting the suggestions posts once, redacted
    box.locator('[data-bulk="accept"]').click()
    box.locator('[data-action="apply"]').click()
    [submission] = forum.wait_for_submissions(1)
    assert NAME not in site.submitted(submission) and PHONE not in site.submitted(submission)


@pytest.mark.parametrize(("stub", "reason"), [("hang", "timeout"), ("refuse", "refused")], indirect=["stub"])
def test_unchecked_draft_shows_why_in_the_page(browser, on, site_companion, stub, make_forum, forum, reason):
    on(site_companion.port)
    on(stub.port)
    site = make_forum("script")
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    [submission] = forum.wait_for_submissions(1, timeout=15)
    assert RISKY_BODY in site.submitted(submission)
    notice = shadow(site.page, "notice").locator('[role="alert"]')
    assert wait_for(lambda: notice.get_attribute("data-reason")) == reason
    text = notice.inner_text()
    assert "IT" in text and "확인하지 못했습니다" in text, text
    site.page.wait_for_timeout(300)
    assert len(forum.submissions) == 1


def test_companion_down_notice_says_start_secondlook(browser, on, site_companion, make_forum, forum):
    on(site_companion.port)
    on(companions.free_port())
    site = make_forum("comment")
    site.write(RISKY_BODY)
    site.submit()
    forum.wait_for_submissions(1)
    notice = shadow(site.page, "notice").locator('[role="alert"]')
    assert wait_for(lambda: notice.get_attribute("data-reason")) == "unreachable"
    assert notice.is_visible() and "SecondLook을 시작하세요" in notice.inner_text()


@pytest.mark.usefixtures("extension_on")
def test_lone_surrogate_is_checked_not_skipped(make_forum, forum):
    site = make_forum("comment")
    site.body().evaluate("(el, body) => { el.value = body + ' ' + String.fromCharCode(0xd800); }", RISKY_BODY)
    site.body().press("End")
    site.body().press("Enter")
    box = dialog(site.page)
    box.locator("[data-finding-id] .text", has_text=NAME).wait_visible()
    expect(site.page.locator('[data-secondlook="notice"]')).to_have_count(0)
    assert forum.submissions == []
    box.locator('[data-action="apply"]').click()
    [submission] = forum.wait_for_submissions(1)
    assert NAME not in submission["fields"]["comment"]


def test_over_long_draft_is_checked_in_windows(on, short_companion, make_forum, forum):
    on(short_companion.port)
    site = make_forum("script")
    filler = "오늘 병동 회의는 길었습니다. " * 40  # ~700 characters before the identifying part
    site.write(filler + RISKY_BODY + " " + filler, title="회의 후기")
    site.submit()
    box = dialog(site.page)
    box.locator("[data-finding-id] .text", has_text=NAME).wait_visible()
    box.locator('[data-action="apply"]').click()
    [submission] = forum.wait_for_submissions(1)
    sent = site.submitted(submission)
    assert NAME not in sent and PHONE not in sent and sent.count("병동 회의") == 80


@pytest.mark.usefixtures("extension_on")
def test_untrusted_click_on_post_as_written_is_ignored(make_forum, forum):
    site = make_forum("script")
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    box = dialog(site.page)
    post = box.locator('[data-action="post"]').wait_visible()
    # the page sees no way in: the shadow root is closed, the host holds no finding data
    host = review(site.page)
    assert site.page.evaluate("() => document.querySelector('[data-secondlook=\"review\"]').shadowRoot") is None
    assert host.evaluate("(el) => [...el.attributes].map((a) => a.name)") == ["data-secondlook", "data-mode"]
    # a script holding the button (as a page script might if it got hold of it) clicks it: untrusted, ignored
    post.script_click()
    site.page.wait_for_timeout(500)
    assert forum.submissions == []
    expect(host).to_be_visible()
    post.click()  # the user's own click posts
    forum.wait_for_submissions(1)


@pytest.mark.usefixtures("extension_on")
def test_dialog_fits_a_small_laptop_screen(make_forum, forum):
    site = make_forum("script")
    site.page.set_viewport_size({"width": 1366, "height": 650})
    people = " ".join(f"{n} 교수 010-{1000 + i}-{5678 + i}" for i, n in enumerate(["김성호", "이민준", "박서연", "최지훈"]))
    site.write(f"외과 {people} 진짜 미친놈", title=RISKY_TITLE)
    site.submit()
    box = dialog(site.page)
    box.locator("[data-finding-id]").first.wait_visible()
    assert box.locator("[data-finding-id]").count() >= 6

    def on_screen(locator) -> bool:
        b = locator.bounding_box()
        return bool(b) and b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= 1366 and b["y"] + b["height"] <= 650

    for action in ("apply", "edit", "post", "cancel"):
        assert on_screen(box.locator(f'[data-action="{action}"]')), action
    last = box.locator("[data-finding-id]").last
    assert not on_screen(last)  # more findings than fit: the list scrolls ...
    last.locator('[data-field="replacement"]').click()  # (scrolled into view, clicked by the mouse)
    assert on_screen(last)
    assert on_screen(box.locator('[data-action="apply"]'))  # ... and the action bar stays
    box.locator('[data-action="cancel"]').click()


@pytest.mark.usefixtures("extension_on")
def test_never_flag_this_term_is_personal_local_and_manageable(browser, make_forum, forum):
    site = make_forum("script")
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    box = dialog(site.page)
    row = box.locator("[data-finding-id]", has=".text", has_text=NAME)
    row.locator('[data-decision="never"]').click()
    # checked again at once without the term; the rest is still found
    box.locator("[data-finding-id] .text", has_text=PHONE).wait_visible()
    box.locator("[data-finding-id] .text", has_text=NAME).wait_count(0)
    box.locator('[data-action="cancel"]').click()
    stored = browser.extension_eval("async () => [await chrome.storage.local.get('allowTerms'), await chrome.storage.sync.get(null)]")
    assert stored == [{"allowTerms": [NAME]}, {}]
    options = browser.context.new_page()
    try:
        options.goto(OPTIONS_URL)
        term = options.locator(f'[data-field="allow"] li[data-term="{NAME}"]')
        expect(term).to_be_visible()
        term.locator('[data-action="allow-remove"]').click()
        expect(term).to_have_count(0)
    finally:
        options.close()
    site.submit()
    box.locator("[data-finding-id] .text", has_text=NAME).wait_visible()
    box.locator('[data-action="cancel"]').click()


@pytest.mark.usefixtures("extension_on")
def test_back_to_editing_selects_each_finding_in_turn(make_forum, forum):
    site = make_forum("comment")
    site.write(RISKY_BODY)
    site.submit()
    box = dialog(site.page)
    box.locator("[data-finding-id]").first.wait_visible()
    found = box.locator("[data-finding-id] .text").all_inner_texts()
    box.locator('[data-action="edit"]').click()
    selected = "(el) => el.value.slice(el.selectionStart, el.selectionEnd)"
    pill = shadow(site.page, "cursor").locator("button").wait_visible()
    seen = [site.body().evaluate(selected)]
    for _ in range(len(found) - 1):
        pill.click()
        seen.append(site.body().evaluate(selected))
    assert seen == sorted(found, key=RISKY_BODY.index), (seen, found)
    box, editor = pill.bounding_box(), site.body().bounding_box()
    assert box["y"] + box["height"] <= editor["y"] + 1  # above the editor: covers no text
    assert forum.submissions == []


@pytest.mark.parametrize("stub", ["hang"], indirect=True)
def test_a_superseded_nudge_is_aborted_not_left_running(browser, on, site_companion, stub, make_forum, forum):
    on(site_companion.port)
    on(stub.port)
    site = make_forum("script")
    for word in ("외과 ", "김성호 ", "교수 "):
        site.body().press_sequentially(word)
        site.page.wait_for_timeout(700)  # the nudge goes out 400 ms after the last key
    wait_for(lambda: len(stub.analyses) >= 2, message="no nudge reached the stub")
    # each nudge was given up when the next one started, well before the 2 s timeout
    assert all(a["seconds"] < 1.5 for a in stub.analyses[:2]), stub.analyses


@pytest.mark.usefixtures("extension_on")
def test_an_editor_that_refuses_the_redaction_gets_nothing_posted_and_nothing_recorded(page, forum, site_companion):
    def accepted() -> int:
        feedback = site_companion.request("GET", "/v1/stats")[2]["feedback"]
        return sum(c["accepted"] + c["edited"] for c in feedback.values())

    before = accepted()
    page.goto(forum.url("strict-editor.html"))
    page.locator("#editor").click()
    page.keyboard.insert_text(RISKY_BODY)
    expect(page.locator("#editor")).to_have_text(RISKY_BODY)
    page.locator("#publish").click()
    box = dialog(page)
    box.locator('[data-action="apply"]').click()
    # the editor reverted every edit: not posted, and the dialog says why
    box.locator('[data-field="notice"][data-notice="not-applied"]').wait_visible()
    assert "받아들이지 않아" in box.locator('[data-field="notice"]').inner_text()
    page.wait_for_timeout(500)
    assert forum.submissions == []
    assert page.locator("#editor").inner_text() == RISKY_BODY
    box.locator('[data-action="cancel"]').click()
    page.wait_for_timeout(300)
    assert accepted() == before  # no redaction recorded as accepted
