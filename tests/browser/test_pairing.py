"""Pairing for everyone, nothing to type (docs/trust.md): the extension gets this user's secret from
the real `secondlook native-host` (registered in the Chromium profile) and, before every request
that carries anything, makes the program on its port prove the secret for exactly 127.0.0.1:<port>.
An impostor on the port, a relay to this user's companion on ::1 or 127.0.0.2, and a takeover
right after a successful pairing get no draft, no secret and no policy request; the extension
says "companion not verified" and fail_mode applies."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from companion_process import free_port
from conftest import OPTIONS_URL, Impostor, companion_config, start_users_companion
from test_review_flow import NAME, PHONE, RISKY_BODY, RISKY_TITLE, badge_label, dialog, finding_texts, review

NOT_VERIFIED = "컴패니언 확인 안 됨"  # statusUnpaired / unchecked_unpaired / failClosedBodyUnpaired (ko)


def analyses(companion) -> int:
    status, _, stats = companion.request("GET", "/v1/stats")
    assert status == 200, stats
    return stats["analyze_latency_ms"]["count"]


def connection_state(browser, detail: str = "") -> str:
    """The options page's "test connection" result (data-state); ``detail`` must appear in its text."""
    page = browser.context.new_page()
    try:
        page.goto(OPTIONS_URL)
        page.click('[data-action="test"]')
        status = page.locator('[data-field="status"]')
        expect(status).not_to_have_attribute("data-state", "testing")
        expect(status).to_contain_text(detail)
        return status.get_attribute("data-state")
    finally:
        page.close()


def assert_held_as_not_verified(site) -> None:
    """Fail closed: the dialog says the companion is not verified and offers retry; nothing was posted."""
    box = dialog(site.page)  # closed shadow root: reached through the DevTools protocol
    box.locator('[data-state="unpaired"]').wait_visible()
    assert NOT_VERIFIED in box.locator('[data-field="message"]').inner_text()
    box.locator('[data-action="retry"]').wait_visible()
    assert box.locator('[data-action="post"]').count() == 0
    box.locator('[data-action="retry"]').click()  # challenges again, fails again
    box.locator('[data-state="unpaired"]').wait_visible()
    box.locator('[data-action="cancel"]').click()
    expect(review(site.page)).to_have_count(0)
    assert site.body_text() == RISKY_BODY


def assert_got_nothing(impostor: Impostor, secret: str) -> None:
    """Challenged, and nothing else: no draft, no secret, no MAC'd request, no policy request."""
    seen = impostor.requests
    assert any(r["path"] == "/v1/pair" for r in seen), seen
    for r in seen:
        assert r["path"] in ("/v1/health", "/v1/pair"), (r["method"], r["path"])
        assert not any(k.lower() == "authorization" for k in r["headers"]), r["headers"]
        text = r["body"].decode("utf-8", "replace") + str(r["headers"])
        assert secret not in text and NAME not in text and PHONE not in text and RISKY_TITLE not in text


@pytest.fixture(scope="module")
def own_companion(tmp_path_factory, forum, user_home):
    """This user's companion: warn mode, failing closed, the fixture site."""
    running = start_users_companion(tmp_path_factory.mktemp("companion-own"), user_home,
                                    companion_config(forum, mode="warn", fail_mode="closed"))
    yield running
    running.stop()


def cache_fail_closed_policy(browser, companion) -> None:
    """The policy comes only from a verified companion: learn "fail closed" from this user's first."""
    browser.configure(companion.port, fail_mode="closed")


def test_verified_companion_reviews_the_draft_with_nothing_typed(pairing, own_companion, make_forum, forum):
    pairing.configure(own_companion.port, fail_mode="closed")
    page = pairing.context.new_page()
    page.goto(OPTIONS_URL)
    expect(page.locator('[data-field="secret-source"]')).to_have_attribute("data-value", "native")
    page.close()
    assert connection_state(pairing) == "connected"
    before = analyses(own_companion)
    site = make_forum("form")
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    found = finding_texts(site.page)
    assert found.get(NAME) == "name" and found.get(PHONE) == "contact", found
    dialog(site.page).locator('[data-action="cancel"]').click()
    assert analyses(own_companion) > before
    assert forum.submissions == []


def test_another_users_companion_gets_nothing(pairing, own_companion, tmp_path, forum, make_forum):
    """A real SecondLook with another user's secret on the port: challenged, never sent a request."""
    cache_fail_closed_policy(pairing, own_companion)
    other = start_users_companion(tmp_path, tmp_path / "other-user", companion_config(forum, fail_mode="open"),
                                  env={"SECONDLOOK_TOKEN": "another-users-secret-0123456789"})
    try:
        pairing.configure(other.port)
        assert connection_state(pairing, detail="(mismatch)") == "unpaired"
        _, _, stats = other.request("GET", "/v1/stats")
        before = (stats["analyze_latency_ms"]["count"], stats["statuses"].get("401", 0), stats["requests"])
        site = make_forum("form")
        site.write(RISKY_BODY, title=RISKY_TITLE)
        site.submit()
        assert_held_as_not_verified(site)
        _, _, stats = other.request("GET", "/v1/stats")
        after = (stats["analyze_latency_ms"]["count"], stats["statuses"].get("401", 0), stats["requests"])
        assert after[:2] == before[:2], "no analysis, and no MAC'd request was even tried"
        assert {k for k, v in after[2].items() if v != before[2].get(k)} <= {"/v1/pair", "/v1/health", "/v1/stats"}
        assert forum.submissions == []
    finally:
        other.stop()


@pytest.mark.parametrize("kind,address", [("garbage", None), ("relay", "127.0.0.2"), ("rewrite", "::1")])
def test_impostor_or_relay_on_the_port_gets_nothing_fail_closed(pairing, own_companion, tmp_path, forum, make_forum,
                                                                user_home, kind, address):
    cache_fail_closed_policy(pairing, own_companion)
    target = None
    if address:  # this user's own companion, listening on another loopback address on the same port
        port = free_port()
        mine = start_users_companion(tmp_path, user_home, companion_config(forum), port=port, host=address)
        target = (address, port)
    impostor = Impostor(forum, kind, port=target[1] if target else 0, target=target)
    try:
        pairing.configure(impostor.port)
        expected = {"garbage": "(mismatch)", "relay": "(not_here)", "rewrite": "(mismatch)"}[kind]
        assert connection_state(pairing, detail=expected) == "unpaired"
        site = make_forum("form")
        site.write(RISKY_BODY, title=RISKY_TITLE)
        site.submit()
        assert_held_as_not_verified(site)
        assert forum.submissions == []
        assert_got_nothing(impostor, own_companion.secret)
        if address:
            assert analyses(mine) == 0, "nothing reached this user's companion through the relay"
    finally:
        impostor.close()
        if address:
            mine.stop()


def test_takeover_right_after_a_successful_pairing_gets_nothing(pairing, tmp_path, forum, make_forum, user_home):
    mine = start_users_companion(tmp_path, user_home, companion_config(forum, mode="warn", fail_mode="closed"))
    pairing.configure(mine.port, fail_mode="closed")
    site = make_forum("form")
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    assert finding_texts(site.page).get(NAME) == "name"  # paired, reviewed
    dialog(site.page).locator('[data-action="cancel"]').click()
    expect(review(site.page)).to_have_count(0)
    port, secret = mine.port, mine.secret
    mine.stop()
    impostor = Impostor(forum, "garbage", port=port)  # takes the port at once
    try:
        site.submit()  # the same draft again, now to whoever holds the port
        assert_held_as_not_verified(site)
        assert forum.submissions == []
        assert_got_nothing(impostor, secret)
    finally:
        impostor.close()


def test_impostor_fail_open_posts_once_and_says_skipped(pairing, site_companion, forum, make_forum):
    pairing.configure(site_companion.port, fail_mode="open")  # policy: fail open
    impostor = Impostor(forum, "garbage")
    try:
        pairing.configure(impostor.port, fail_mode="open")
        site = make_forum("script")
        site.write(RISKY_BODY, title=RISKY_TITLE)
        site.submit()
        [submission] = forum.wait_for_submissions(1)
        assert RISKY_BODY in site.submitted(submission)
        assert "확인하지 못했습니다" in badge_label(site.page)  # the badge says skipped (in its closed shadow root)
        assert pairing.toolbar_badge(forum.url("*")) == "?"
        expect(review(site.page)).to_have_count(0)
        site.page.wait_for_timeout(300)
        assert len(forum.submissions) == 1
        assert_got_nothing(impostor, site_companion.secret)
    finally:
        impostor.close()
