"""The review on real editor libraries from npm (pinned in tests/browser/package.json, served
from node_modules by the fixture server), each posted the way boards post: a native form the
editor syncs (CKEditor 5, CKEditor 4, Quill), a button that posts by fetch or XHR (TinyMCE,
ProseMirror, Lexical), Ctrl+Enter in the editor (Draft.js). What counts is what the server
receives: a redaction the editor's model did not take would be posted unredacted."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from test_review_flow import CLEAN_BODY, NAME, PHONE, RISKY_BODY, dialog, review

pytestmark = pytest.mark.usefixtures("extension_on")


@dataclass(frozen=True)
class Editor:
    name: str
    editable: str  # selector of the editing host (in `frame` when set)
    frame: str = ""  # iframe holding the editing area
    posts: str = "button"  # "form" (navigates), "button" (fetch/XHR), "ctrl-enter"

    def area(self, page: Page) -> Locator:
        scope = page.frame_locator(self.frame) if self.frame else page
        return scope.locator(self.editable)


EDITORS = [
    Editor("ckeditor5", ".ck-editor__editable", posts="form"),
    Editor("ckeditor4", "body", frame="iframe.cke_wysiwyg_frame", posts="form"),
    Editor("tinymce", "body", frame="#body_ifr"),
    Editor("quill", ".ql-editor", posts="form"),
    Editor("prosemirror", ".ProseMirror"),
    Editor("lexical", "#editor"),
    Editor("draftjs", ".public-DraftEditor-content", posts="ctrl-enter"),
]
IDS = [e.name for e in EDITORS]


def open_editor(page: Page, forum, editor: Editor) -> Locator:
    page.goto(forum.url(f"{editor.name}.html"))
    expect(page.locator("body[data-ready='1']")).to_be_attached()
    area = editor.area(page)
    expect(area).to_be_visible()
    return area


def write(page: Page, area: Locator, text: str) -> None:
    area.click()
    page.keyboard.insert_text(text)  # trusted input, as an IME commit or a paste gives it
    expect(area).to_contain_text(text[-6:])


def submit(page: Page, editor: Editor, area: Locator) -> None:
    if editor.posts == "ctrl-enter":
        area.press("Control+Enter")
    else:
        page.locator("#submit").click()


def received(submission: dict) -> str:
    """The posted body as text (CKEditor and TinyMCE post HTML)."""
    return re.sub(r"<[^>]+>", "", submission["fields"]["body"]).replace("&nbsp;", " ")


def settle(page: Page, editor: Editor) -> None:
    if editor.posts == "form":
        expect(page.locator("#posted")).to_be_visible()


@pytest.mark.parametrize("editor", EDITORS, ids=IDS)
def test_identifying_draft_opens_the_review_and_posts_nothing(page, forum, editor):
    area = open_editor(page, forum, editor)
    write(page, area, RISKY_BODY)
    submit(page, editor, area)
    box = dialog(page)
    box.locator("[data-finding-id]").first.wait_visible()
    page.wait_for_timeout(300)
    assert forum.submissions == []
    box.locator('[data-action="cancel"]').click()
    expect(review(page)).to_have_count(0)
    expect(area).to_contain_text(NAME)  # the draft is untouched
    assert forum.submissions == []


@pytest.mark.parametrize("editor", EDITORS, ids=IDS)
def test_apply_posts_once_redacted_as_the_server_receives_it(page, forum, editor):
    area = open_editor(page, forum, editor)
    write(page, area, RISKY_BODY)
    submit(page, editor, area)
    box = dialog(page)
    row = box.locator("[data-finding-id]", has=".text", has_text=NAME)
    row.locator('[data-field="replacement"]').fill("A 교수님")
    box.locator('[data-action="apply"]').click()
    [submission] = forum.wait_for_submissions(1)
    sent = received(submission)
    assert NAME not in sent and PHONE not in sent, sent
    assert "A 교수님" in sent and " 진짜 " in sent, sent
    settle(page, editor)
    page.wait_for_timeout(400)  # a second post would arrive within this window
    assert len(forum.submissions) == 1


@pytest.mark.parametrize("editor", EDITORS, ids=IDS)
def test_clean_draft_posts_at_once(page, forum, editor):
    area = open_editor(page, forum, editor)
    write(page, area, CLEAN_BODY)
    submit(page, editor, area)
    [submission] = forum.wait_for_submissions(1)
    assert received(submission).strip() == CLEAN_BODY
    expect(review(page)).to_have_count(0)
    settle(page, editor)
