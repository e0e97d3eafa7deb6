"""Korean word lists shipped as data files under ``companion/engine/data``.

Every list is read once at engine build time into frozensets; recognizers hold references.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_DATA = "companion.engine.data"
#: surnames.txt is ordered by frequency; the first ones cover ~98% of people and alone may
#: start a name that has no title or particle to confirm it
COMMON_SURNAMES = 60


def read_list(name: str) -> tuple[str, ...]:
    """Lines of a data file, comments (#) and blanks skipped; whitespace-separated items allowed."""
    text = resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")
    items: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        items.append(line)
    return tuple(items)


def read_words(name: str) -> frozenset[str]:
    """Like :func:`read_list` but splits each line on whitespace (for syllable tables)."""
    return frozenset(w for line in read_list(name) for w in line.split())


def read_sections(text: str, source: str) -> dict[str, tuple[str, ...]]:
    """``[section]`` headers, each followed by one entry per line (comments and blanks skipped)."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        header = re.fullmatch(r"\[([a-z_]+)\]", line)
        if header:
            if header.group(1) in sections:
                raise ValueError(f"{source}:{number}: section [{header.group(1)}] appears twice")
            current = sections[header.group(1)] = []
        elif current is None:
            raise ValueError(f"{source}:{number}: an entry before the first [section]")
        else:
            current.append(line)
    return {name: tuple(entries) for name, entries in sections.items()}


def read_cues() -> dict[str, tuple[str, ...]]:
    """Every ``data/cues/<recognizer>.txt`` section as ``"<recognizer>.<section>"`` -> entries."""
    cues: dict[str, tuple[str, ...]] = {}
    for file in sorted(resources.files(_DATA).joinpath("cues").iterdir(), key=lambda f: f.name):
        if file.name.endswith(".txt"):
            stem = file.name.removesuffix(".txt")
            for section, entries in read_sections(file.read_text(encoding="utf-8"), f"cues/{file.name}").items():
                cues[f"{stem}.{section}"] = entries
    return cues


def read_generalisations(name: str) -> dict[str, dict[str, tuple[str, str]]]:
    """type -> word or ending -> (Korean, English) replacement, from a tab-separated data file."""
    table: dict[str, dict[str, tuple[str, str]]] = {}
    for line in read_list(name):
        kind, word, ko, en = line.split("\t")
        table.setdefault(kind, {})[word] = (ko, en)
    return table


@dataclass(frozen=True)
class Lexicon:
    surnames: frozenset[str]
    common_surnames: frozenset[str]
    given_syllables: frozenset[str]
    titles: tuple[str, ...]
    weak_titles: frozenset[str]
    particles: tuple[str, ...]
    common_words: frozenset[str]
    public_figures: frozenset[str]
    public_titles: tuple[str, ...]
    hospitals: tuple[str, ...]
    #: drugs in Hangul (반코마이신, 미다졸람): no name-like piece of one is a person's
    drugs: tuple[str, ...]
    departments: tuple[str, ...]
    units: tuple[str, ...]
    roles: tuple[str, ...]
    unique_roles: frozenset[str]
    clinic_roles: frozenset[str]
    romanized_surnames: frozenset[str]
    chat_abbreviations: frozenset[str]
    verb_endings: frozenset[str]
    function_syllables: frozenset[str]
    ambiguous_before_title: frozenset[str]
    generalisations: dict[str, dict[str, tuple[str, str]]]
    #: words before 병원/의원 that make a generic phrase (우리 병원), and town names
    generic_place_words: frozenset[str]
    towns: frozenset[str]
    #: what may follow a hospital's name inside its word without being part of it (출신, 쪽)
    not_place_tails: frozenset[str]
    western_given_names: frozenset[str]
    eponyms_en: frozenset[str]
    public_figures_en: frozenset[str]
    #: the words a recognizer's rules are built from (``details.relative_times``), one file per
    #: recognizer under ``data/cues`` with a section per list; see ``data/cues/README.md``
    cues: dict[str, tuple[str, ...]]

    def cue(self, key: str) -> tuple[str, ...]:
        """One cue list; a missing one is a build error naming it."""
        try:
            return self.cues[key]
        except KeyError:
            raise KeyError(f"no cue list {key!r} in companion/engine/data/cues") from None


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    return Lexicon(
        surnames=frozenset(read_list("surnames.txt")),
        common_surnames=frozenset(read_list("surnames.txt")[:COMMON_SURNAMES]),
        given_syllables=read_words("given_syllables.txt"),
        titles=tuple(sorted(set(read_list("titles.txt")) | set(read_list("weak_titles.txt")), key=len, reverse=True)),
        weak_titles=frozenset(read_list("weak_titles.txt")),
        particles=tuple(sorted(set(read_list("particles.txt")), key=len, reverse=True)),
        common_words=frozenset(read_list("common_words.txt")) | read_words("places.txt"),
        public_figures=frozenset(read_list("public_figures.txt")),
        public_titles=tuple(sorted(set(read_list("public_titles.txt")), key=len, reverse=True)),
        hospitals=tuple(sorted(set(read_list("hospitals.txt")), key=len, reverse=True)),
        drugs=tuple(sorted(set(read_list("drugs.txt")), key=len, reverse=True)),
        departments=tuple(sorted(set(read_list("departments.txt")), key=len, reverse=True)),
        units=tuple(sorted(set(read_list("units.txt")), key=len, reverse=True)),
        unique_roles=frozenset(read_list("unique_roles.txt")),
        clinic_roles=frozenset(read_list("clinic_roles.txt")),
        roles=tuple(sorted(set(read_list("roles.txt")), key=len, reverse=True)),
        romanized_surnames=read_words("romanized_surnames.txt"),
        chat_abbreviations=read_words("chat_abbreviations.txt"),
        verb_endings=read_words("verb_endings.txt"),
        function_syllables=read_words("function_syllables.txt"),
        ambiguous_before_title=read_words("ambiguous_before_title.txt"),
        generalisations=read_generalisations("generalisations.tsv"),
        generic_place_words=read_words("generic_place_words.txt"),
        towns=read_words("places.txt"),
        not_place_tails=read_words("not_place_tails.txt"),
        western_given_names=read_words("western_given_names.txt"),
        eponyms_en=read_words("eponyms_en.txt"),
        public_figures_en=frozenset(read_list("public_figures_en.txt")),
        cues=read_cues(),
    )
