"""Token mode on shared PCs: the extension pairs with the companion on its port (a nonce
answered with an HMAC of the token, docs/deploy.md §5) before it sends any draft or the
token. A process on that port that cannot prove the token gets neither: the companion
counts as unreachable (fail_mode applies) and the user is told the companion is not theirs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import OPTIONS_URL, PAIR_TOKEN
from test_review_flow import NAME, PHONE, RISKY_BODY, RISKY_TITLE, badge_label, dialog, finding_texts, review


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


def assert_held_as_not_yours(site) -> None:
    """Fail closed: the dialog says pairing failed and offers retry; nothing was posted."""
    box = dialog(site.page)  # closed shadow root: reached through the DevTools protocol
    box.locator('[data-state="unpaired"]').wait_visible()
    assert box.locator('[data-field="message"]').inner_text()
    box.locator('[data-action="retry"]').wait_visible()
    assert box.locator('[data-action="post"]').count() == 0
    box.locator('[data-action="retry"]').click()  # pairs again, fails again
    box.locator('[data-state="unpaired"]').wait_visible()
    box.locator('[data-action="cancel"]').click()
    expect(review(site.page)).to_have_count(0)
    assert site.body_text() == RISKY_BODY


def test_paired_companion_reviews_the_draft(token_mode, token_companion, make_forum, forum):
    token_mode.configure(token_companion.port, fail_mode="closed", token=PAIR_TOKEN)
    assert connection_state(token_mode) == "connected"
    before = analyses(token_companion)
    site = make_forum("form")
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    found = finding_texts(site.page)
    assert found.get(NAME) == "name" and found.get(PHONE) == "contact", found
    dialog(site.page).locator('[data-action="cancel"]').click()
    assert analyses(token_companion) > before
    assert forum.submissions == []


def test_token_mismatch_sends_nothing_and_holds_the_post(token_mode, token_companion, make_forum, forum):
    token_mode.configure(token_companion.port, fail_mode="closed", token=PAIR_TOKEN)  # policy: fail closed
    token_mode.configure(token_companion.port, fail_mode="closed", token="someone-elses-token-0123")
    assert connection_state(token_mode, detail="(mismatch)") == "unpaired"
    _, _, stats = token_companion.request("GET", "/v1/stats")
    before = (stats["analyze_latency_ms"]["count"], stats["statuses"].get("401", 0))
    site = make_forum("form")
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    assert_held_as_not_yours(site)
    _, _, stats = token_companion.request("GET", "/v1/stats")
    # no analysis, and the wrong token was never offered (it would have been refused with 401)
    assert (stats["analyze_latency_ms"]["count"], stats["statuses"].get("401", 0)) == before
    assert forum.submissions == []


def assert_impostor_got_nothing(impostor) -> None:
    seen = impostor.requests
    assert any(r["path"] == "/v1/pair" for r in seen), seen  # it was challenged
    for r in seen:
        assert r["path"] in ("/v1/health", "/v1/pair"), (r["method"], r["path"])
        assert not any(k.lower() == "authorization" for k in r["headers"]), r["headers"]
        body = r["body"].decode("utf-8", "replace")
        assert PAIR_TOKEN not in body and NAME not in body and PHONE not in body
        assert PAIR_TOKEN not in str(r["headers"])


def test_impostor_on_the_port_gets_nothing_fail_closed(token_mode, token_companion, impostor, make_forum, forum):
    token_mode.configure(token_companion.port, fail_mode="closed", token=PAIR_TOKEN)  # policy: fail closed
    token_mode.configure(impostor.port, fail_mode="closed")  # another user's process holds the port now
    site = make_forum("form")
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    assert_held_as_not_yours(site)
    assert connection_state(token_mode) == "unpaired"
    assert forum.submissions == []
    assert_impostor_got_nothing(impostor)


@pytest.mark.parametrize("impostor", ["wrong-proof"], indirect=True)
def test_impostor_on_the_port_fail_open_posts_once_skipped(token_mode, site_companion, impostor, make_forum, forum):
    token_mode.configure(site_companion.port, fail_mode="open", token="")  # policy: fail open
    token_mode.configure(impostor.port, fail_mode="open", token=PAIR_TOKEN)
    site = make_forum("script")
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    [submission] = forum.wait_for_submissions(1)
    assert RISKY_BODY in site.submitted(submission)
    assert "확인하지 못했습니다" in badge_label(site.page)  # the badge says skipped (in its closed shadow root)
    assert token_mode.toolbar_badge(forum.url("*")) == "?"
    expect(review(site.page)).to_have_count(0)
    site.page.wait_for_timeout(300)
    assert len(forum.submissions) == 1
    assert_impostor_got_nothing(impostor)
