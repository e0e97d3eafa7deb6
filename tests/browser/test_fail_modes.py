"""Companion stopped: fail open posts once unchanged and marks the check as skipped;
fail closed holds the post with a message and a retry. Block mode hides "post as written"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from test_review_flow import KINDS, NAME, PHONE, RISKY_BODY, RISKY_TITLE, badge_label, dialog, review


@pytest.fixture
def companion_gone(browser, site_companion, forum):
    """The extension knows the fail-open policy, then its companion port stops answering."""
    browser.configure(site_companion.port, fail_mode="open")
    browser.configure(companions_free_port(), fail_mode="open")  # cached policy stays in force
    forum.clear()
    return browser


@pytest.fixture
def strict_companion(browser, strict_companion_factory, forum):
    """The extension on a companion in block mode that fails closed."""
    running = strict_companion_factory()
    browser.configure(running.port, fail_mode="closed")
    forum.clear()
    return running


def companions_free_port() -> int:
    from conftest import companions  # the shared helpers loaded by this directory's conftest

    return companions.free_port()


@pytest.mark.parametrize("kind", KINDS)
def test_fail_open_posts_once_unchanged_and_badge_says_skipped(companion_gone, make_forum, forum, kind):
    site = make_forum(kind)
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    [submission] = forum.wait_for_submissions(1)
    assert RISKY_BODY in site.submitted(submission)
    if kind in ("script", "comment"):  # pages that stay after posting show it by the editor
        assert "확인하지 못했습니다" in badge_label(site.page)
    assert companion_gone.toolbar_badge(forum.url("*")) == "?"  # and the toolbar badge of the tab
    expect(review(site.page)).to_have_count(0)
    site.page.wait_for_timeout(400)
    assert len(forum.submissions) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_fail_closed_holds_the_post_with_a_message(strict_companion, make_forum, forum, kind):
    strict_companion.stop()
    site = make_forum(kind)
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    box = dialog(site.page)
    box.locator('[data-action="retry"]').wait_visible()
    assert box.locator('[data-field="message"]').inner_text()
    assert box.locator('[data-action="post"]').count() == 0
    box.locator('[data-action="cancel"]').click()
    expect(review(site.page)).to_have_count(0)
    assert site.body_text() == RISKY_BODY
    assert forum.submissions == []


def test_retry_after_companion_restart_then_block_mode_review(strict_companion, strict_companion_factory, make_forum, forum):
    strict_companion.stop()
    site = make_forum("form")
    site.write(RISKY_BODY, title=RISKY_TITLE)
    site.submit()
    box = dialog(site.page)
    box.locator('[data-action="retry"]').click()  # still down: explained again, nothing posted
    box.locator('[data-action="retry"]').wait_visible()
    assert forum.submissions == []
    strict_companion_factory()  # back on the same port
    box.locator('[data-action="retry"]').click()
    box.locator("[data-finding-id] .text", has_text=NAME).wait_visible()
    box.locator('[data-field="blocked"]').wait_visible()
    assert box.locator('[data-action="post"]').count() == 0  # block mode, high risk
    box.locator('[data-action="apply"]').click()
    [submission] = forum.wait_for_submissions(1)
    assert NAME not in site.submitted(submission) and PHONE not in site.submitted(submission)
