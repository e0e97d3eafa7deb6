"""The word lists as data: cue files are read by section, and every list is used by the code."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from companion.engine.lexicon import load_lexicon, read_sections
from companion.engine.recognizers.regex_base import cue_alternation

ENGINE = Path(__file__).resolve().parent.parent / "companion" / "engine"


def test_sections_keep_their_entries_in_order():
    assert read_sections("# c\n[a]\nx\n\ny z\n[b]\nw\n", "t.txt") == {"a": ("x", "y z"), "b": ("w",)}


@pytest.mark.parametrize("text, message", [
    ("x\n[a]\n", "t.txt:1: an entry before the first [section]"),
    ("[a]\nx\n[a]\ny\n", "t.txt:3: section [a] appears twice"),
])
def test_a_malformed_cue_file_names_the_line(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        read_sections(text, "t.txt")


def test_a_space_in_a_cue_is_optional_and_the_longest_cue_wins():
    regex = re.compile(cue_alternation(("올 초", "올", "정년 퇴임식")))
    assert [m.group() for m in regex.finditer("올초 올 초 정년퇴임식 올")] == ["올초", "올 초", "정년퇴임식", "올"]


def test_a_missing_cue_list_is_named():
    with pytest.raises(KeyError, match="details.nothing"):
        load_lexicon().cue("details.nothing")


def test_every_cue_list_is_read_by_its_recognizer():
    """A list nobody reads is dead data: each ``<file>.<section>`` is named in the engine's code
    (as the full key, or as the section inside the recognizer's own ``cue("…")``)."""
    code = {p.stem: p.read_text(encoding="utf-8") for p in ENGINE.rglob("*.py")}
    everything = "\n".join(code.values())
    unused = [key for key in load_lexicon().cues
              if not re.search(rf"""['"]{re.escape(key)}['"]""", everything)
              and not re.search(rf"""cue\(['"]{re.escape(key.split('.', 1)[1])}['"]\)""", code.get(key.split(".")[0], ""))]
    assert unused == []
