"""The review flow in real Firefox ESR, as in Chromium: an identifying draft opens the review
dialog and posts nothing; apply posts once, redacted; a clean draft posts at once. On the
textarea board and on ProseMirror (the real library from npm)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from bidi import Tab, wait_for

NAME, PHONE = "김성호", "010-1234-5678"
RISKY_BODY = f"외과 {NAME} 교수 {PHONE} 진짜 미친놈"
CLEAN_BODY = "오늘 날씨 좋네요"
REVIEW = '[data-secondlook="review"]'
#: the extension reads managed storage and the companion's policy, then registers its content
#: scripts: the first page may be up before that
READY_S = 30


@dataclass(frozen=True)
class Board:
    page: str
    editable: str
    field: str  # the submitted field holding the body

    def open(self, tab: Tab, forum) -> None:
        tab.goto(forum.url(self.page))
        if self.page != "form.html":
            wait_for(lambda: tab.evaluate("document.body.dataset.ready === '1'"), message="editor not ready")

    def write(self, tab: Tab, text: str) -> None:
        tab.click(tab.node(self.editable))
        tab.type(text)
        wait_for(lambda: text[-4:] in tab.evaluate(f"(e => e.value ?? e.innerText)(document.querySelector('{self.editable}'))"),
                 message="the text did not reach the editor")

    def submit(self, tab: Tab) -> None:
        tab.click(tab.node("#submit"))


BOARDS = [Board("form.html", "#content", "content"), Board("prosemirror.html", ".ProseMirror", "body")]
IDS = ["textarea", "prosemirror"]


def dialog_visible(tab: Tab) -> bool:
    return bool(tab.evaluate(f"(h => Boolean(h) && h.getBoundingClientRect().height > 0)(document.querySelector('{REVIEW}'))"))


@pytest.fixture(scope="module")
def extension_ready(firefox, forum, firefox_companion) -> None:
    """Wait once until the extension guards the forum (its badge answers typing)."""
    tab = firefox.new_tab()
    try:
        deadline = time.monotonic() + READY_S
        while True:
            tab.goto(forum.url("form.html"))
            tab.click(tab.node("#content"))
            tab.type("김성호 교수")
            try:
                wait_for(lambda: tab.node('[data-secondlook="badge"]'), timeout=5)
                return
            except AssertionError:
                requests = [line for line in firefox_companion.log().splitlines() if "/v1/health" not in line]
                assert time.monotonic() < deadline, ("the extension never guarded the fixture forum in Firefox; "
                                                     "the companion saw:\n" + "\n".join(requests[-12:]))
    finally:
        tab.close()


pytestmark = pytest.mark.usefixtures("extension_ready")


@pytest.mark.parametrize("board", BOARDS, ids=IDS)
def test_identifying_draft_opens_the_review_and_posts_nothing(tab: Tab, forum, board: Board) -> None:
    board.open(tab, forum)
    board.write(tab, RISKY_BODY)
    board.submit(tab)
    wait_for(lambda: dialog_visible(tab), message="no review dialog")
    rows = wait_for(lambda: tab.texts_in_shadow(REVIEW, "[data-finding-id] .text"), message="no findings listed")
    assert NAME in rows and PHONE in rows, rows
    for action in ("apply", "edit", "post", "cancel"):
        assert tab.in_shadow(REVIEW, f'[data-action="{action}"]'), action
    time.sleep(0.4)
    assert forum.submissions == []


@pytest.mark.parametrize("board", BOARDS, ids=IDS)
def test_apply_posts_once_redacted(tab: Tab, forum, board: Board) -> None:
    board.open(tab, forum)
    board.write(tab, RISKY_BODY)
    board.submit(tab)
    apply = wait_for(lambda: tab.in_shadow(REVIEW, '[data-action="apply"]'), message="no apply button")
    tab.click(apply)
    [submission] = forum.wait_for_submissions(1)
    sent = submission["fields"][board.field]
    assert NAME not in sent and PHONE not in sent, sent
    assert "교수" in sent and "진짜" in sent, sent  # the rest of the draft as written
    wait_for(lambda: not tab.node(REVIEW) or not dialog_visible(tab), message="the dialog stayed open")
    time.sleep(0.4)  # a duplicate post would arrive within this window
    assert len(forum.submissions) == 1


@pytest.mark.parametrize("board", BOARDS, ids=IDS)
def test_clean_draft_posts_at_once(tab: Tab, forum, board: Board) -> None:
    board.open(tab, forum)
    board.write(tab, CLEAN_BODY)
    board.submit(tab)
    [submission] = forum.wait_for_submissions(1)
    assert CLEAN_BODY in submission["fields"][board.field]
    assert tab.node(REVIEW) is None
