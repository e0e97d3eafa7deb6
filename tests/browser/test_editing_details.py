"""Details of the extension's behaviour: keyboard posting, IME, UTF-16 offsets, title and
body redacted in their own fields, decisions and feedback, privacy, popup and options."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect

from conftest import EXTENSION_ID, ForumServer
from shadow import shadow, wait_for
from test_review_flow import CLEAN_BODY, NAME, PHONE, RISKY_BODY, RISKY_TITLE, badge_label, dialog, review

pytestmark = pytest.mark.usefixtures("extension_on")


def test_ctrl_enter_in_a_rich_editor_is_held_then_posts_once(make_forum, forum):
    site = make_forum("script")
    site.write(RISKY_BODY, title="당직")
    site.body().press("Control+Enter")
    dialog(site.page).locator('[data-action="apply"]').click()
    [submission] = forum.wait_for_submissions(1)
    assert submission["fields"]["body"] == site.body_text()  # the site's own editor model saw the edit
    assert NAME not in submission["fields"]["body"] and PHONE not in submission["fields"]["body"]
    site.page.wait_for_timeout(400)
    assert len(forum.submissions) == 1


def test_enter_ending_an_ime_composition_is_not_a_submit(make_forum, forum):
    site = make_forum("comment")
    site.write(RISKY_BODY)
    site.body().dispatch_event("keydown", {"key": "Enter", "keyCode": 229, "isComposing": True})
    # the nudge badge comes 400 ms after the last input; a held submit would have opened the dialog by then
    assert "위험도 높음" in badge_label(site.page) or "위험도 매우 높음" in badge_label(site.page)
    expect(review(site.page)).to_have_count(0)
    assert site.body_text() == RISKY_BODY and forum.submissions == []
    site.submit()  # a real Enter afterwards is held for review
    expect(review(site.page)).to_be_visible()


def test_double_click_on_a_script_post_button_posts_once(make_forum, forum):
    site = make_forum("script")
    site.write(CLEAN_BODY, title="날씨")
    site.page.locator("#publish").dblclick()
    forum.wait_for_submissions(1)
    expect(site.page.locator("#status")).to_have_text("게시되었습니다")
    site.page.wait_for_timeout(400)
    assert len(forum.submissions) == 1


def test_emoji_before_a_finding_keeps_highlights_and_redaction_aligned(make_forum, forum):
    site = make_forum("form")
    body = f"😀👍 오늘 {NAME} 교수 {PHONE} 진짜 미친놈"
    site.write(body, title="🙂 후기")
    site.submit()
    rows = dialog(site.page).locator("[data-finding-id] .text")
    rows.first.wait_visible()
    assert {NAME, PHONE} <= set(rows.all_inner_texts())
    # the live preview is the post as it would go out: emoji kept, each finding replaced in place
    preview = dialog(site.page).locator('[data-field="preview"]').inner_text()
    assert preview.startswith("🙂 후기\n\n😀👍 오늘 ") and " 진짜 " in preview, preview
    assert NAME not in preview and PHONE not in preview, preview
    dialog(site.page).locator('[data-action="apply"]').click()
    [submission] = forum.wait_for_submissions(1)
    assert submission["fields"]["subject"] == "🙂 후기"
    content = submission["fields"]["content"]
    assert content.startswith("😀👍 오늘 ") and " 진짜 " in content and NAME not in content and PHONE not in content


@pytest.mark.parametrize("kind", ["form", "script", "iframe"])
def test_title_and_body_are_analysed_together_and_redacted_in_their_own_fields(make_forum, forum, kind):
    site = make_forum(kind)
    title = f"{NAME} 교수 건"
    site.write(f"어제 {NAME} 교수가 {PHONE}로 연락함", title=title)
    site.submit()
    dialog(site.page).locator("[data-finding-id]").first.wait_visible()
    texts = dialog(site.page).locator("[data-finding-id] .text").all_inner_texts()
    assert texts.count(NAME) == 2, texts  # the name in the title and in the body
    dialog(site.page).locator('[data-action="apply"]').click()
    [submission] = forum.wait_for_submissions(1)
    new_title, new_body = site.submitted(submission).split("\n", 1)
    assert new_title.endswith(" 교수 건") and NAME not in new_title
    assert new_body.startswith("어제 ") and new_body.endswith("로 연락함") and NAME not in new_body and PHONE not in new_body


def test_dismissed_finding_stays_and_decisions_reach_feedback_as_counts(make_forum, forum, site_companion):
    before = site_companion.request("GET", "/v1/stats")[2]["feedback"]
    site = make_forum("form")
    site.write(RISKY_BODY, title="당직")
    site.submit()
    box = dialog(site.page)
    phone_row = box.locator("[data-finding-id]", has=".text", has_text=PHONE)
    phone_row.locator('[data-decision="dismiss"]').click()
    wait_for(lambda: phone_row.get_attribute("data-state") == "dismissed")
    name_row = box.locator("[data-finding-id]", has=".text", has_text=NAME)
    name_row.locator('[data-field="replacement"]').fill("모 교수")
    phone_type = phone_row.get_attribute("data-category")
    box.locator('[data-action="apply"]').click()
    [submission] = forum.wait_for_submissions(1)
    assert PHONE in submission["fields"]["content"] and NAME not in submission["fields"]["content"]
    assert "모 교수" in submission["fields"]["content"] and phone_type == "contact"

    def counts(action: str) -> int:
        feedback = site_companion.request("GET", "/v1/stats")[2]["feedback"]
        return sum(c[action] for c in feedback.values())

    before_dismissed = sum(c["dismissed"] for c in before.values())
    before_edited = sum(c["edited"] for c in before.values())
    deadline = time.monotonic() + 5  # feedback is sent after the post, without waiting for it
    while (counts("dismissed") <= before_dismissed or counts("edited") <= before_edited) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert counts("dismissed") > before_dismissed and counts("edited") > before_edited
    stats_text = json.dumps(site_companion.request("GET", "/v1/stats")[2], ensure_ascii=False)
    assert NAME not in stats_text and PHONE not in stats_text


def test_inactive_on_sites_outside_the_policy(page, forum):
    other = ForumServer()  # same pages on another port: not in the companion's sites
    try:
        page.goto(other.url("form.html"))
        page.fill("#content", RISKY_BODY)
        page.click("#submit")
        [submission] = other.wait_for_submissions(1)
        assert submission["fields"]["content"] == RISKY_BODY
        expect(page.locator("#posted")).to_be_visible()
        assert page.locator('[data-secondlook]').count() == 0
    finally:
        other.close()


def test_no_draft_text_in_extension_storage_or_console(make_forum, forum, extension_on):
    messages: list[str] = []
    site = make_forum("script")
    site.page.on("console", lambda m: messages.append(m.text))
    extension_on.context.on("console", lambda m: messages.append(m.text))
    marker = "표식XQ7"
    site.write(f"{RISKY_BODY} {marker}", title=RISKY_TITLE)
    site.submit()
    dialog(site.page).locator('[data-action="apply"]').click()
    forum.wait_for_submissions(1)
    stored = extension_on.extension_eval(
        "async () => JSON.stringify([await chrome.storage.local.get(null), await chrome.storage.session.get(null),"
        " await chrome.storage.sync.get(null)])")
    for secret in (marker, NAME, PHONE):
        assert secret not in stored
        assert not any(secret in m for m in messages)


@pytest.mark.parametrize("when", ["submit-after-write", "submit-during-write"])
def test_badge_opens_the_review_panel_which_applies_without_posting(make_forum, forum, when):
    """The panel writes into the draft and posts nothing; a submit pressed while it is still
    writing is held until the write is done and then checks (and posts) the redacted text."""
    site = make_forum("script")
    site.body().press_sequentially(RISKY_BODY)
    assert "위험도 높음" in badge_label(site.page) or "위험도 매우 높음" in badge_label(site.page)
    shadow(site.page, "badge").locator("button").click()
    expect(site.page.locator('[data-secondlook="review"][data-mode="panel"]')).to_be_attached()
    panel = dialog(site.page)
    panel.locator("[data-finding-id]").first.wait_visible()
    assert panel.locator('[data-action="post"]').count() == 0
    panel.locator('[data-action="apply"]').click()
    if when == "submit-during-write":
        site.page.evaluate("document.querySelector('#publish').click()")  # the page's own post button, at once
    else:
        expect(review(site.page)).to_have_count(0)
        expect(site.body()).not_to_contain_text(NAME)
        expect(site.body()).not_to_contain_text("외과")  # every accepted redaction has landed before the next submit
        assert PHONE not in site.body_text() and forum.submissions == []
        site.submit()  # what is left may still be flagged (the insult): then post it as written
    posted = site.page.locator("#status", has_text="게시되었습니다")
    submit_review = site.page.locator('[data-secondlook="review"][data-mode="submit"]')
    expect(submit_review.or_(posted)).to_be_visible()
    if submit_review.count():
        dialog(site.page).locator('[data-action="post"]').click()
    [submission] = forum.wait_for_submissions(1)
    assert submission["fields"]["body"] == site.body_text()  # the site's editor model saw the redaction
    for secret in (NAME, PHONE, "외과"):
        assert secret not in submission["fields"]["body"]


def test_popup_shows_companion_status_and_pause_lets_posts_through(extension_on, make_forum, forum, site_companion):
    popup = extension_on.context.new_page()
    try:
        popup.goto(f"chrome-extension://{EXTENSION_ID}/ui/popup/popup.html")
        expect(popup.locator('[data-field="companion"]')).to_have_attribute("data-state", "connected")
        expect(popup.locator('[data-field="version"]')).not_to_have_text("–")
        expect(popup.locator('[data-field="latency"]')).to_contain_text("ms")
        popup.locator('[data-setting="pause"]').check()
        expect(popup.locator('[data-field="paused"]')).not_to_be_empty()
        site = make_forum("form")
        site.write(RISKY_BODY, title=RISKY_TITLE)
        site.submit()
        forum.wait_for_submissions(1)  # paused: posted without review
        popup.locator('[data-setting="pause"]').uncheck()
        expect(popup.locator('[data-field="paused"]')).to_be_empty()
    finally:
        popup.close()


def test_options_show_policy_sites_and_reject_a_bad_port(extension_on, forum):
    options = extension_on.context.new_page()
    try:
        options.goto(f"chrome-extension://{EXTENSION_ID}/ui/options/options.html")
        expect(options.locator('[data-field="sites"] li')).to_have_text([f"http://127.0.0.1:{forum.port}/*"])
        expect(options.locator('[data-field="mode"]')).to_have_attribute("data-value", "warn")
        options.fill('[data-setting="port"]', "70000")
        options.click('[data-action="save"]')
        expect(options.locator('[data-field="status"]')).to_have_attribute("data-state", "error")
        options.click('[data-action="test"]')
        expect(options.locator('[data-field="status"]')).to_have_attribute("data-state", "connected")
    finally:
        options.close()


def test_redaction_inside_formatted_rich_text_keeps_the_rest(make_forum, forum):
    site = make_forum("script")
    site.page.fill("#title", "당직")
    site.body().evaluate(
        """(editor, html) => { editor.innerHTML = html;
             editor.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertFromPaste" })); }""",
        f"<p>어제 <b>{NAME}</b> 교수 건</p><p>연락처 <i>{PHONE}</i> 입니다</p>")
    site.submit()
    dialog(site.page).locator('[data-action="apply"]').click()
    [submission] = forum.wait_for_submissions(1)
    body = submission["fields"]["body"]
    assert NAME not in body and PHONE not in body and body == submission["fields"]["dom"]
    lines = body.replace("\u00a0", " ").split("\n")
    assert lines[0].startswith("어제 ") and lines[0].endswith(" 교수 건") and lines[1].startswith("연락처 ")
    assert site.body().locator("p").count() == 2  # paragraphs kept, edits made inside them


def test_dialog_traps_focus_and_esc_cancels(make_forum, forum):
    site = make_forum("form")
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    dialog(site.page).locator('[data-action="apply"]').wait_visible()
    assert wait_for(lambda: dialog(site.page).locator('[data-action="apply"]:focus').count() == 1)
    focus_in_dialog = "() => document.activeElement && document.activeElement.dataset.secondlook === 'review'"
    for key in ["Tab"] * 25 + ["Shift+Tab"] * 25:  # more stops than the dialog has, both ways
        site.page.keyboard.press(key)
        assert site.page.evaluate(focus_in_dialog), key
    site.page.keyboard.press("Escape")
    expect(review(site.page)).to_have_count(0)
    assert site.body_text() == RISKY_BODY and forum.submissions == []
