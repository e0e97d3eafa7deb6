"""One redaction path in real Chromium: the extension applies the accepted findings itself, by
the companion's overlap rule, never asks /v1/redact, and sends a review's decisions in one request."""

from __future__ import annotations

import time

import pytest

from test_review_flow import NAME, PHONE, dialog

pytestmark = pytest.mark.usefixtures("extension_on")


def test_apply_is_local_gives_the_companions_redaction_and_one_feedback_request(make_forum, forum, site_companion):
    title = f"{NAME} 교수 건"
    body = f"어제 {NAME} 교수가 {PHONE}로 연락함. 이수진 미친년 진짜"
    combined = f"{title}\n\n{body}"

    def requests() -> dict:
        return site_companion.request("GET", "/v1/stats")[2]["requests"]

    before = requests()
    site = make_forum("form")
    site.write(body, title=title)
    site.submit()
    box = dialog(site.page)
    rows = box.locator("[data-finding-id]")
    rows.first.wait_visible()
    ids = [rows.nth(i).get_attribute("data-finding-id") for i in range(rows.count())]
    assert len(ids) >= 4, ids
    edited = rows.nth(0)
    edited.locator('[data-field="replacement"]').fill("[편집함]")
    box.locator('[data-action="apply"]').click()
    [submission] = forum.wait_for_submissions(1)

    # what the companion itself gives for the same accepted ids and replacements
    status, _, expected = site_companion.request("POST", "/v1/redact", {
        "text": combined, "accept": ids, "replacements": {ids[0]: "[편집함]"}})
    assert status == 200
    expected_title, expected_body = expected["redacted_text"].split("\n\n", 1)
    assert submission["fields"]["subject"] == expected_title and submission["fields"]["content"] == expected_body
    assert NAME not in expected["redacted_text"] and PHONE not in expected["redacted_text"]

    deadline = time.monotonic() + 5  # feedback is sent after the post, without waiting for it
    while requests().get("/v1/feedback", 0) == before.get("/v1/feedback", 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # a request per finding would have arrived by now
    after = requests()
    assert after.get("/v1/feedback", 0) == before.get("/v1/feedback", 0) + 1, "one request for the review"
    assert after.get("/v1/redact", 0) == before.get("/v1/redact", 0) + 1, "only this test's own /v1/redact"
