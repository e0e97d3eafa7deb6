"""A draft too complex to check in the companion's deadline: the extension says it was not
completely checked (badge and dialog), never that it was checked, and still shows what was found."""

from __future__ import annotations

import sys
from pathlib import Path

from test_review_flow import NAME, PHONE, badge_label, dialog

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

from bench_linear_time import FAMILIES  # noqa: E402

#: names chained with 이랑 (the slowest family) after a name and a phone number
SLOW_BODY = f"외과 {NAME} 교수 {PHONE} 진짜 미친놈\n" + FAMILIES["names with 이랑"](15000)


def test_an_incomplete_check_is_said_so_in_badge_and_dialog(hurried_companion, make_forum, forum):
    site = make_forum("script")
    site.write(SLOW_BODY)
    assert "확인하지 못했습니다" in badge_label(site.page) or "not completely checked" in badge_label(site.page)
    site.submit()
    box = dialog(site.page)
    note = box.locator('[data-field="incomplete"]')
    note.wait_visible()
    assert "확인하지 못했습니다" in note.inner_text() or "Not completely checked" in note.inner_text()
    assert not forum.submissions  # held for the user to see, although the post may go out as written
