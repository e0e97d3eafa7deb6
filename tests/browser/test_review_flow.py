"""The extension in real Chromium against the real companion, on each fixture forum page:
the review dialog, apply/edit/cancel, clean drafts, the nudge badge."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shadow import ShadowHost, shadow, wait_for

KINDS = ["form", "script", "iframe", "comment", "framed"]
NAME, PHONE = "김성호", "010-1234-5678"
RISKY_TITLE = "외과 교수님 관련"
RISKY_BODY = f"외과 {NAME} 교수 {PHONE} 진짜 미친놈"
CLEAN_BODY = "오늘 날씨 좋네요"
HIGH_RISK = re.compile(r"^(high|critical)$")

pytestmark = pytest.mark.usefixtures("extension_on")


def review(page: Page):
    """The review dialog's host element (its content is in a closed shadow root: see dialog())."""
    return page.locator('[data-secondlook="review"]')


def dialog(page: Page) -> ShadowHost:
    """The review dialog's content, reached through the DevTools protocol (closed shadow root)."""
    return shadow(page, "review")


def finding_texts(page: Page) -> dict[str, str]:
    rows = dialog(page).locator("[data-finding-id]")
    rows.first.wait_visible()
    return {rows.nth(i).locator(".text").inner_text(): rows.nth(i).get_attribute("data-category")
            for i in range(rows.count())}


def badge_label(page: Page, frame_selector: str = "") -> str:
    """The nudge badge's label (count and risk in words; nothing about them is in page-visible attributes)."""
    button = shadow(page, "badge", frame_selector).locator("button")
    return wait_for(lambda: button.get_attribute("aria-label"), message="no badge")


@pytest.mark.parametrize("kind", KINDS)
def test_risky_draft_is_held_for_review_with_its_findings(make_forum, forum, kind):
    site = make_forum(kind)
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    expect(review(site.page)).to_be_visible()
    found = finding_texts(site.page)
    assert found.get(NAME) == "name" and found.get(PHONE) == "contact", found
    box = dialog(site.page)
    for action in ("apply", "edit", "post", "cancel"):
        assert box.locator(f'[data-action="{action}"]').count() == 1, action
    rows = box.locator("[data-finding-id]").count()
    assert box.locator('[data-decision="accept"][aria-pressed="true"]').count() == rows
    assert forum.submissions == []


@pytest.mark.parametrize("kind", KINDS)
def test_apply_posts_once_with_redacted_text(make_forum, forum, kind):
    site = make_forum(kind)
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    box = dialog(site.page)
    row = box.locator("[data-finding-id]", has=".text", has_text=NAME)
    row.locator('[data-field="replacement"]').fill("A 교수님")
    box.locator('[data-action="apply"]').click()
    [submission] = forum.wait_for_submissions(1)
    sent = site.submitted(submission)
    assert NAME not in sent and PHONE not in sent, sent
    assert "A 교수님" in sent and "진짜" in sent, sent
    expect(review(site.page)).to_have_count(0)
    site.page.wait_for_timeout(400)  # a duplicate post would arrive within this window
    assert len(forum.submissions) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_edit_and_cancel_post_nothing_and_keep_the_draft(make_forum, forum, kind):
    site = make_forum(kind)
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    dialog(site.page).locator('[data-action="edit"]').click()
    expect(review(site.page)).to_have_count(0)
    assert site.body_text() == RISKY_BODY
    site.submit()
    dialog(site.page).locator('[data-action="cancel"]').click()
    expect(review(site.page)).to_have_count(0)
    site.submit()
    dialog(site.page).locator('[data-action="cancel"]').wait_visible()
    site.page.keyboard.press("Escape")
    expect(review(site.page)).to_have_count(0)
    assert site.body_text() == RISKY_BODY
    assert forum.submissions == []


@pytest.mark.parametrize("kind", KINDS)
def test_clean_draft_posts_at_once_without_dialog(make_forum, forum, kind):
    site = make_forum(kind)
    site.write(CLEAN_BODY, title="날씨")
    site.submit()
    [submission] = forum.wait_for_submissions(1)
    assert CLEAN_BODY in site.submitted(submission)
    expect(review(site.page)).to_have_count(0)


@pytest.mark.parametrize("kind", KINDS)
def test_badge_appears_while_typing(make_forum, kind):
    site = make_forum(kind)
    site.body().press_sequentially(RISKY_BODY)
    label = badge_label(site.page)
    assert re.search(r"(\d+)건 발견, 위험도 (높음|매우 높음)", label) and int(re.search(r"(\d+)건", label)[1]) >= 2, label
    badge = site.frame.locator('[data-secondlook="badge"]')
    assert badge.get_attribute("data-count") is None and badge.get_attribute("data-level") is None  # nothing for the page
    assert site.body_text() == RISKY_BODY  # the nudge never changes the text
    badge_box, editor_box = badge.bounding_box(), site.body().bounding_box()
    if site.kind not in ("iframe", "framed"):  # the badge sits outside the editor's box: it covers no text
        assert badge_box["y"] + badge_box["height"] <= editor_box["y"] + 1 or badge_box["y"] >= editor_box["y"] + editor_box["height"] - 1


def test_review_dialog_screenshot(make_forum, tmp_path):
    """The dialog on a Korean draft, rendered (Korean UI, CJK fonts). With
    SECONDLOOK_UPDATE_SCREENSHOTS=1 it also refreshes docs/review-dialog.png for the README."""
    site = make_forum("form")
    site.page.set_viewport_size({"width": 1000, "height": 1000})
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    dialog(site.page).locator("[data-finding-id]").first.wait_visible()
    assert dialog(site.page).locator("h2").inner_text() == "게시 전 확인"  # Korean UI from _locales/ko
    shot = site.page.screenshot(path=tmp_path / "review-dialog.png")
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 10_000
    if os.environ.get("SECONDLOOK_UPDATE_SCREENSHOTS") == "1":
        (Path(__file__).resolve().parents[2] / "docs" / "review-dialog.png").write_bytes(shot)
