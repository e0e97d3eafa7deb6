"""Facts that narrow a post down to one person: training year, roles, "the only …",
age/sex, rooms, dated events. Kept by the engine only when they point at someone."""
from __future__ import annotations

import re

from ..lexicon import Lexicon
from .regex_base import GroupRegexRecognizer, Rule, literal_alternation

_RELATIVE = r"(?:재작년|작년|올해|지난해|올\s?초|지난달|지난주|저번\s?주|저번\s?달|이번\s?달|다음\s?달|다음\s?주|지난)"
_WHEN = (r"(?:\d{1,2}\s?월(?:\s?\d{1,2}\s?일|\s?(?:초|말|중순))?|\d{1,2}\s?일(?!간|\s?동안)|[월화수목금토일]요일|봄|여름|가을|겨울|(?:첫|첫째|둘째|셋째|넷째|마지막)\s?주"
         r"|(?:새벽|아침|오전|오후|저녁|밤)(?:\s?\d{1,2}\s?시(?!간)(?:\s?\d{1,2}\s?분)?)?|\d{1,2}\s?시(?!간)(?:\s?\d{1,2}\s?분)?"
         r"|설날|설\s?연휴|추석|명절|연휴|크리스마스)")
# what may trail a dated moment: 쯤, 경, 직전, 직후
_TRAIL = r"(?:쯤|경|직전|직후|무렵)"
_EVENT = r"(?:송년회|송별회|신년회|회식|학회|추계학회|춘계학회|워크샵|워크숍|파견|사직|결혼|임용|발령)"
# a dated event needs an anchor in time and something specific: 작년 가을, 지난주 목요일, 지난 3월 송별회,
# 2019년; bare 작년/다음주/회식/4월 are everywhere
_TIME = (rf"{_RELATIVE}\s?(?:{_WHEN}|{_EVENT})(?:\s?(?:{_WHEN}|{_EVENT}))*(?:\s?{_TRAIL})?"
         rf"|(?<!\d)(?:19|20)\d\d\s?년(?:\s?\d{{1,2}}\s?월)?(?:\s?{_EVENT})?")
_CAREER_STEP = (r"(?<![가-힣])(?:재작년|작년|올해|지난해|올\s?초|(?<!\d)\d{1,2}\s?년\s?전|(?<!\d)\d{1,2}\s?월)에?\s"
                r"[^\n.!?,]{1,24}?(?:된|되신|온|오신|들어온|들어오신|넘어온|넘어오신|옮겨온|옮겨오신|단|다신|맡은|맡으신|했던|하셨던|"
                r"하던|하시던|갔던|가셨던|간|발령\s?난|임용된)"
                r"\s?(?:분|사람|선생님|교수님?|간호사|쌤|전공의|대학원생|연구원|직원)"
                r"(?=[^가-힣]|$|이|은|는|을|를|도|한테|께|에게|으로|이라)")
# life events that date a person on their own (부고, 정년퇴임, 육아휴직 복귀)
_LIFE_EVENT = (r"(?<![가-힣])(?:모친상|부친상|빙모상|빙부상|장인상|장모상|조모상|조부상|시모상|시부상|본인상|부군상|부인상|자녀상"
               r"|정년\s?퇴임(?:식)?|퇴임식|은퇴식|출산\s?휴가|육아\s?휴직(?:\s?(?:후\s?)?복귀)?|복직)"
               r"|\b(?:passed away|maternity leave|parental leave|retirement party|retired last)\b")


_YEAR_HINT = re.compile(r"[Yy]ear|YEAR")
_ORDINAL = r"(?:first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|6th)"
# a training year that names a class of people, not one: "R1 지원자", "3년차 월급", "인턴 때"
_CLASS_OF = r"(?![^\n.!?]{0,8}(?:지원자|지원율|모집|정원|티오|월급|연봉|급여|시절|때\b|때는|때도|때부터|되면|되니까))"


def detail_recognizer(lexicon: Lexicon, language: str) -> GroupRegexRecognizer:
    person_nouns = literal_alternation(
        w for w in set(lexicon.roles) | set(lexicon.titles) | {"간호사", "교수", "의사", "직원", "사람", "분", "남자", "여자"}
        if re.search(r"[가-힣]", w))
    korean_roles = literal_alternation(r for r in lexicon.roles if re.search(r"[가-힣]", r))
    english_roles = "|".join(re.escape(r) for r in lexicon.roles if not re.search(r"[가-힣]", r))
    rules = [
        Rule("TRAINING_YEAR", re.compile(r"(?<![A-Za-z0-9])(?:R|PGY|F)-?[1-5](?![0-9A-Za-z]|들)" + _CLASS_OF), 0.7, name="detail.training_year_code"),
        Rule("TRAINING_YEAR", re.compile(r"(?:(?<!\d)[1-9]\s?년차(?!들)|(?:본과|예과)\s?[1-4]\s?학년(?!들))" + _CLASS_OF), 0.7, name="detail.training_year_ko"),
        Rule("TRAINING_YEAR", re.compile(
            rf"\b{_ORDINAL}[- ]year\s+(?:(?:clinical|research|surgical|medical|nursing|PhD|graduate)\s)?"
            r"(?:resident|fellow|intern|student|nurse|trainee)\b(?!s)", re.I), 0.7, hint=_YEAR_HINT, name="detail.training_year_en"),
        # "a third-year at …": the year alone stands for the trainee
        Rule("TRAINING_YEAR", re.compile(rf"\b(?:a|an|the|our|my)\s(?P<v>{_ORDINAL}[- ]year)(?=\s(?:at|in|from|on)\b|,)", re.I), 0.65, hint=_YEAR_HINT, name="detail.training_year_en_bare"),
        # months into the job: 3개월차, 신규 5개월
        Rule("TRAINING_YEAR", re.compile(r"(?:신규\s?)?(?<!\d)\d{1,2}\s?개월\s?차|신규\s?\d{1,2}\s?개월(?!\s?(?:동안|만에|전|후))" + _CLASS_OF), 0.65,
             hint=re.compile("개월"), name="detail.months_in_job"),
        # a role in the plural (펠로우들) is a group
        Rule("ROLE", re.compile(rf"(?<![가-힣])(?:{korean_roles})(?!들)(?=[가-힣]{{0,3}}(?:[^가-힣]|$))"), 0.5, name="detail.role_ko"),
        Rule("ROLE", re.compile(rf"\b(?:{english_roles})\b", re.I), 0.45, name="detail.role_en"),
        Rule("UNIQUE_ROLE", re.compile(rf"유일한\s?(?:[가-힣]{{1,6}}\s)?(?:{person_nouns})|역대\s?최연소|최연소|(?<![가-힣])첫\s여(?:자|성)\s?(?:{person_nouns})"), 0.75, name="detail.unique_role_ko"),
        # a role with the person's sex narrows a unit down to one or two people (여자 임상강사, 남자 간호사)
        Rule("UNIQUE_ROLE", re.compile(
            rf"(?<![가-힣])(?:여자|남자|여성|남성)\s?(?:{korean_roles}|간호사|교수|전공의|인턴|레지던트|의사|약사|선생님|쌤)(?!들|분들)"
            r"(?![^\n.!?]{0,8}(?:우대|모집|채용|구인|구함|구합니다|비율|늘|많|적|부족))"), 0.6, name="detail.role_with_sex"),
        Rule("UNIQUE_ROLE", re.compile(r"\b(?:the\s)?only\s(?:[a-z-]+\s){0,3}(?:nurse|doctor|fellow|resident|attending|professor|surgeon|man|woman|male|female)\b", re.I), 0.75, name="detail.unique_role_en"),
        Rule("AGE_GENDER", re.compile(r"\b\d{1,3}[- ](?:year|yr)s?[- ]old\b|\baged\s\d{1,3}\b|\b\d{2}\s?(?:y/o|yo)\b", re.I), 0.6, name="detail.age_en"),
        Rule("AGE_GENDER", re.compile(r"(?<![\d/])(?:\d{2}\s?/\s?[FM]|[FM]\s?/\s?\d{2}|\d{2}[FM])(?![A-Za-z\d])|(?<!\d)\d{2}\s?(?:세|살)(?![가-힣])"), 0.6, name="detail.age_sex_ko"),
        Rule("ROOM", re.compile(r"(?<!\d)\d{2,4}\s?호(?:실)?(?![가-힣])"), 0.5, name="detail.room"),
        Rule("DATED_EVENT", re.compile(_TIME), 0.45, name="detail.dated_time"),
        Rule("DATED_EVENT", re.compile(_LIFE_EVENT), 0.5,
             hint=re.compile(r"상|퇴임|은퇴|휴가|휴직|복직|passed|leave|retire", re.I), name="detail.life_event"),
        # a dated step in someone's career, told as a clause: 작년에 파트장 단 사람, 재작년에 외과에서
        # 옮겨오신 분, 3년 전 연수 갔던 분
        Rule("DATED_EVENT", re.compile(_CAREER_STEP), 0.5, hint=re.compile(r"작년|올해|지난해|올\s?초|년\s?전|월"), name="detail.career_step"),
        # a nickname is as good as a name to the people who use it
        Rule("NICKNAME", re.compile(
            r"(?:별명|닉네임|별칭|일명|애칭)\s?(?:이|은|는|:|으로|이라고)?\s?(?:다들\s)?[\"'“‘「『]?(?P<v>[^\"'”’」』\n,.!?()]{1,15}?)[\"'”’」』]"
            r"|(?:nicknamed|(?:everyone|they|people)\s(?:calls?|called)(?:\s(?:him|her))?)\s[\"'“‘](?P<w>[^\"'”’\n]{1,25})[\"'”’]"), 0.7, name="detail.nickname_labelled"),
        # a quoted word people call someone: '독수리'라고 부릅니다, "불곰"으로 불려요
        Rule("NICKNAME", re.compile(
            r"[\"'“‘「『][^\"'”’」』\n]{1,12}[\"'”’」』]\s?(?=(?:이?라고|으로|로)\s?(?:다들\s|모두\s|다\s)?(?:부르|부릅|부른|부름|불러|불리|불려|불렀|통하|통해|통한))"), 0.7, name="detail.nickname_quoted"),
    ]
    return GroupRegexRecognizer("DetailRecognizer", rules, supported_language=language)
