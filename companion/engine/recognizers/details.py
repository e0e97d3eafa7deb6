"""Facts that narrow a post down to one person: training year, roles, "the only …",
age/sex, rooms, dated events. Kept by the engine only when they point at someone."""
from __future__ import annotations

import re

from ..lexicon import Lexicon
from . import chat_export
from .regex_base import GroupRegexRecognizer, Rule, cue_alternation, cue_alternations, literal_alternation, word_end

_YEAR_HINT = re.compile(r"[Yy]ear|YEAR")
_ORDINAL = r"(?:first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|6th)"


def _dated(lexicon: Lexicon) -> tuple[str, str, str]:
    """The regexes of a dated moment, a dated career step and a life event, from the cue lists."""
    cue = cue_alternations(lexicon, "details")
    relative = cue_alternation(lexicon.cue("details.relative_years") + lexicon.cue("details.relative_times"))
    hour = r"\d{1,2}\s?시(?!간)(?:\s?\d{1,2}\s?분)?"
    when = (rf"(?:\d{{1,2}}\s?월(?:\s?\d{{1,2}}\s?일|\s?{cue('month_parts')})?|\d{{1,2}}\s?일(?!간|\s?동안)|{cue('moments')}"
            rf"|{cue('day_parts')}(?:\s?{hour})?|{hour})")
    event = cue("events")
    # a dated event needs an anchor in time and something specific: 작년 가을, 지난주 목요일, 지난 3월
    # 송별회, 2019년; bare 작년/다음주/회식/4월 are everywhere
    time = (rf"{relative}\s?(?:{when}|{event})(?:\s?(?:{when}|{event}))*(?:\s?{cue('trails')})?"
            rf"|(?<!\d)(?:19|20)\d\d\s?년(?:\s?\d{{1,2}}\s?월(?:\s?\d{{1,2}}\s?일)?)?(?:\s?{event})?")
    career_step = (rf"(?<![가-힣])(?:{cue('relative_years')}|(?<!\d)\d{{1,2}}\s?년\s?전|(?<!\d)\d{{1,2}}\s?월)에?\s"
                   rf"[^\n.!?,]{{1,24}}?{cue('career_verbs')}\s?{cue('career_people')}"
                   rf"(?=[^가-힣]|$|{cue('career_particles')})")
    life_event = rf"(?<![가-힣]){cue('life_events')}|\b{cue('life_events_en')}\b"
    return time, career_step, life_event


def detail_recognizer(lexicon: Lexicon, language: str) -> GroupRegexRecognizer:
    cue = cue_alternations(lexicon, "details")
    person_nouns = literal_alternation(
        w for w in set(lexicon.roles) | set(lexicon.titles) | set(lexicon.cue("details.person_nouns"))
        if re.search(r"[가-힣]", w))
    particles = literal_alternation(lexicon.particles)
    #: the end of a word, a particle glued on or not: 34살에, 305호에
    end = word_end(lexicon)
    korean_roles = literal_alternation(r for r in lexicon.roles if re.search(r"[가-힣]", r))
    sexed_roles = literal_alternation(set(r for r in lexicon.roles if re.search(r"[가-힣]", r)) | set(lexicon.cue("details.sexed_roles")))
    # a training year that names a class of people, not one: "R1 지원자", "3년차 월급", "인턴 때"
    class_of = rf"(?![^\n.!?]{{0,8}}(?:{cue('class_contexts')}|때\b))"
    time, career_step, life_event = _dated(lexicon)
    floor_places = literal_alternation(set(lexicon.cue("details.floor_places")) | {u for u in lexicon.units if re.match(r"[가-힣]", u)})
    english_roles = "|".join(re.escape(r) for r in lexicon.roles if not re.search(r"[가-힣]", r))
    rules = [
        # not a function key pressed (F5 누르면, F5키)
        Rule("TRAINING_YEAR", re.compile(rf"(?<![A-Za-z0-9])(?:R|PGY|F(?!-?[1-5](?:을|를)?\s?{cue('key_words')}))-?[1-5](?![0-9A-Za-z]|들)" + class_of), 0.7,
             name="detail.training_year_code"),
        # … and a medical student's year as students write it: 본2 (본과 2학년), 예1
        Rule("TRAINING_YEAR", re.compile(r"(?:(?<!\d)[1-9]\s?년차(?!들)|(?:본과|예과)\s?[1-4]\s?학년(?!들)|(?<![가-힣])[본예][1-4](?![0-9가-힣]))" + class_of),
             0.7, name="detail.training_year_ko"),
        Rule("TRAINING_YEAR", re.compile(
            rf"\b{_ORDINAL}[- ]year\s+(?:(?:clinical|research|surgical|medical|nursing|PhD|graduate)\s)?"
            r"(?:resident|fellow|intern|student|nurse|trainee)\b(?!s)", re.I), 0.7, hint=_YEAR_HINT, name="detail.training_year_en"),
        # "a third-year at …": the year alone stands for the trainee
        Rule("TRAINING_YEAR", re.compile(rf"\b(?:a|an|the|our|my)\s(?P<v>{_ORDINAL}[- ]year)(?=\s(?:at|in|from|on)\b|,)", re.I), 0.65, hint=_YEAR_HINT, name="detail.training_year_en_bare"),
        # months into the job: 3개월차, 신규 5개월; either not a class of people (3개월차 월급)
        Rule("TRAINING_YEAR", re.compile(r"(?:(?:신규\s?)?(?<!\d)\d{1,2}\s?개월\s?차|신규\s?\d{1,2}\s?개월(?!\s?(?:동안|만에|전|후)))" + class_of), 0.65,
             hint=re.compile("개월"), name="detail.months_in_job"),
        # a role in the plural (펠로우들) is a group, and no shorter role inside it either (펠로)
        # and a noun made a verb (차지하는, 과장된) is no role; a particle may start alike (과장한테,
        # 과장하고), and a role served in is told alike too (R4 치프하셨던, 총무했던 사람)
        Rule("ROLE", re.compile(rf"(?<![가-힣])(?>{korean_roles})(?!들)(?!(?!{particles}|{cue('served_as')}){cue('verb_makers')})"
                                rf"(?=[가-힣]{{0,3}}(?:[^가-힣]|$))"), 0.5, name="detail.role_ko"),
        Rule("ROLE", re.compile(rf"\b(?:{english_roles})\b", re.I), 0.45, name="detail.role_en"),
        Rule("UNIQUE_ROLE", re.compile(rf"유일한\s?(?:[가-힣]{{1,6}}\s)?(?:{person_nouns})|역대\s?최연소|최연소|(?<![가-힣])첫\s여(?:자|성)\s?(?:{person_nouns})"), 0.75, name="detail.unique_role_ko"),
        # a role with the person's sex narrows a unit down to one or two people (여자 임상강사, 남자 간호사)
        Rule("UNIQUE_ROLE", re.compile(
            rf"(?<![가-힣]){cue('sexes')}\s?{sexed_roles}(?!들|분들)"
            rf"(?![^\n.!?]{{0,8}}{cue('group_contexts')})"), 0.6, name="detail.role_with_sex"),
        Rule("UNIQUE_ROLE", re.compile(r"\b(?:the\s)?only\s(?:[a-z-]+\s){0,3}(?:nurse|doctor|fellow|resident|attending|professor|surgeon|man|woman|male|female)\b", re.I), 0.75, name="detail.unique_role_en"),
        Rule("AGE_GENDER", re.compile(r"\b\d{1,3}[- ](?:year|yr)s?[- ]old\b|\baged\s\d{1,3}\b|\b\d{2}\s?(?:y/o|yo)\b", re.I), 0.6, name="detail.age_en"),
        # 12F 회의실 is a floor
        Rule("AGE_GENDER", re.compile(rf"(?<![\d/])(?:\d{{2}}\s?/\s?[FM]|[FM]\s?/\s?\d{{2}}|\d{{2}}[FM](?!(?<=F)\s?{floor_places}))(?![A-Za-z\d])|(?<!\d)\d{{2}}\s?(?:세|살){end}"), 0.6, name="detail.age_sex_ko"),
        Rule("ROOM", re.compile(rf"(?<!\d)\d{{2,4}}\s?호(?:실)?{end}"), 0.5, name="detail.room"),
        # not the time stamp of a chat export's message (2024년 3월 2일 오후 3:12, 정하람 : …)
        Rule("DATED_EVENT", re.compile(time), 0.45, veto=chat_export.in_stamp, name="detail.dated_time"),
        Rule("DATED_EVENT", re.compile(life_event), 0.5,
             hint=re.compile(r"상|퇴임|은퇴|휴가|휴직|복직|passed|leave|retire", re.I), name="detail.life_event"),
        # a dated step in someone's career, told as a clause: 작년에 파트장 단 사람, 재작년에 외과에서
        # 옮겨오신 분, 3년 전 연수 갔던 분
        Rule("DATED_EVENT", re.compile(career_step), 0.5, hint=re.compile(r"작년|올해|지난해|올\s?초|년\s?전|월"), name="detail.career_step"),
        # a nickname is as good as a name to the people who use it
        Rule("NICKNAME", re.compile(
            rf"{cue('nickname_labels')}\s?(?:이|은|는|:|으로|이라고)?\s?(?:다들\s)?[\"'“‘「『]?(?P<v>[^\"'”’」』\n,.!?()]{{1,15}}?)[\"'”’」』]"
            r"|(?:nicknamed|(?:everyone|they|people)\s(?:calls?|called)(?:\s(?:him|her))?)\s[\"'“‘](?P<w>[^\"'”’\n]{1,25})[\"'”’]"), 0.7, name="detail.nickname_labelled"),
        # a quoted word people call someone, without its quotes: '독수리'라고 부릅니다, "불곰"으로 불려요
        Rule("NICKNAME", re.compile(
            rf"[\"'“‘「『](?P<v>[^\"'”’」』\n]{{1,12}})[\"'”’」』]\s?(?=(?:이?라고|으로|로)\s?(?:다들\s|모두\s|다\s)?{cue('calling_verbs')})"), 0.7, name="detail.nickname_quoted"),
    ]
    return GroupRegexRecognizer("DetailRecognizer", rules, supported_language=language)
