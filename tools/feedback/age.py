"""How old a character looks: the ages users say ("in her 40s", "a teenager", "45 ans", "la
quarantaine") and descriptions give ("a nurse in her late twenties", "20s", "a young
photographer"), read as one :class:`Age`, written back in the prompts' language
(:meth:`Age.text`), and moved older or younger by a decade (:meth:`Age.shifted`).

The stored attribute is ``age`` (:data:`AGE`); its value is the age as the prompts say it
("40s", "late 30s", "teenager"; "la quarantaine" in French prompts; "40代" in Japanese).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storycore.tools.feedback.text import fold

#: The element attribute an age is stored under.
AGE = "age"

_DECADE_WORDS = {
    "twenties": 20,
    "thirties": 30,
    "forties": 40,
    "fifties": 50,
    "sixties": 60,
    "seventies": 70,
    "eighties": 80,
    "nineties": 90,
    "vingtaine": 20,
    "trentaine": 30,
    "quarantaine": 40,
    "cinquantaine": 50,
    "soixantaine": 60,
    "soixante-dizaine": 70,
    "trentenaire": 30,
    "quadragenaire": 40,
    "quinquagenaire": 50,
    "sexagenaire": 60,
    "septuagenaire": 70,
    "octogenaire": 80,
}
#: Ages named by a word, in descriptions and in requests.
_STAGES: dict[str, tuple[str, ...]] = {
    "child": ("child", "little girl", "little boy", "enfant", "fillette", "petit garcon"),
    "teenager": ("teenager", "teenage", "teen", "adolescent", "adolescente"),
    "young": ("young", "jeune"),
    "middle-aged": ("middle-aged", "middle aged", "d'age mur", "d'age moyen"),
    "elderly": ("elderly", "agee"),
}
#: Words that name an age in a request ("make him an old man") but too often something else
#: in a description ("her old camera").
_REQUEST_STAGES: dict[str, tuple[str, ...]] = {
    "child": ("kid",),
    "teenager": ("ado",),
    "elderly": ("old", "senior", "vieux", "vieille", "vieil", "age"),
}
_STAGE_YEARS = {"child": 9, "teenager": 16, "young": 25, "middle-aged": 50, "elderly": 75}
_STAGE_TEXT = {
    "en": {s: s for s in _STAGE_YEARS},
    "fr": {
        "child": "enfant",
        "teenager": "adolescent",
        "young": "jeune",
        "middle-aged": "d'âge mûr",
        "elderly": "âgé",
    },
    "ja": {
        "child": "子供",
        "teenager": "十代",
        "young": "若い",
        "middle-aged": "中年",
        "elderly": "高齢",
    },
}
_FR_DECADES = {
    20: "vingtaine",
    30: "trentaine",
    40: "quarantaine",
    50: "cinquantaine",
    60: "soixantaine",
    70: "soixante-dizaine",  # "septantaine" is Belgian and Swiss; past it: "80 ans"
}
_PART_YEARS = {"early": 2, "mid": 5, "late": 8, None: 5}
_PARTS = {"early": "early", "mid": "mid", "late": "late", "debut": "early", "fin": "late"}


@dataclass(frozen=True)
class Age:
    """An age: a decade (``decade`` 40, ``part`` "late"), a number of years, or a stage
    ("teenager", "elderly")."""

    decade: int | None = None
    part: str | None = None
    years: int | None = None
    stage: str | None = None

    @property
    def approximate_years(self) -> int:
        if self.years is not None:
            return self.years
        if self.decade is not None:
            return self.decade + _PART_YEARS[self.part]
        return _STAGE_YEARS[self.stage or "young"]

    def shifted(self, years: int) -> Age | None:
        """This age ``years`` older (younger when negative), or None past a child or an
        elderly person."""
        if self.years is not None:
            new = self.years + years
            return Age(years=new) if 3 <= new <= 110 else None
        if self.decade is not None:
            new = self.decade + years
            if new >= 20:
                return Age(decade=min(new, 90), part=self.part) if new <= 90 else None
            return Age(stage="teenager") if new >= 10 else None
        stage = self.stage or "young"
        order = ["child", "teenager", "young", "middle-aged", "elderly"]
        if stage == "young":  # the twenties
            return Age(decade=30) if years > 0 else Age(stage="teenager")
        if stage == "middle-aged":
            return Age(decade=60) if years > 0 else Age(decade=30)
        index = order.index(stage) + (1 if years > 0 else -1)
        if not 0 <= index < len(order):
            return None
        if order[index] == "young":
            return Age(decade=20)
        return Age(stage=order[index])

    def text(self, language: str) -> str:
        """The age as the prompts of ``language`` say it: "late 30s", "la quarantaine",
        "40代"."""
        if self.stage is not None:
            return _STAGE_TEXT.get(language, _STAGE_TEXT["en"])[self.stage]
        if self.years is not None:
            return {"fr": f"{self.years} ans", "ja": f"{self.years}歳"}.get(
                language, f"{self.years} years old"
            )
        assert self.decade is not None
        if language == "fr":
            noun = _FR_DECADES.get(self.decade, f"{self.decade} ans")
            lead = {"early": "début de la ", "late": "fin de la "}.get(self.part or "", "la ")
            return lead + noun if noun in _FR_DECADES.values() else noun
        if language == "ja":
            lead = {"early": "前半", "mid": "半ば", "late": "後半"}.get(self.part or "", "")
            return f"{self.decade}代{lead}"
        if self.part == "mid":
            return f"mid-{self.decade}s"
        return f"{self.part} {self.decade}s" if self.part else f"{self.decade}s"


def _alternatives(words: list[str]) -> str:
    ordered = sorted(set(words), key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


_STAGE_WORD = {fold(w): stage for stage, words in _STAGES.items() for w in words}
_REQUEST_WORD = _STAGE_WORD | {
    fold(w): stage for stage, words in _REQUEST_STAGES.items() for w in words
}
_PRONOUN = r"(?:(?:in|dans)\s+(?:her|his|their|sa|la)\s+)?"
_DECADE_DIGITS = (
    r"(?:(?P<part>early|mid|late|debut|fin)(?:\s*-\s*|\s+)(?:de\s+la\s+)?)?"
    r"(?P<decade>[1-9]0)\s*'?s(?![\w])"
)
_DECADE_NAMES = (
    r"(?:(?P<wpart>early|mid|late|debut|fin)(?:\s*-\s*|\s+)(?:de\s+la\s+)?)?(?:la\s+)?"
    r"(?P<word>" + _alternatives(list(_DECADE_WORDS)) + r")(?![\w])"
)
_YEARS = (
    r"(?:aged\s+)?(?P<years>\d{1,3})(?:\s*-?\s*(?:years?|yrs?)(?:\s*-?\s*old)?|\s*yo|\s+ans)"
    r"(?![\w])"
)


def _age_phrase(stages: dict[str, str]) -> re.Pattern[str]:
    return re.compile(
        r"(?<![\w-])"
        + _PRONOUN
        + r"(?:"
        + _DECADE_DIGITS
        + r"|"
        + _DECADE_NAMES
        + r"|"
        + _YEARS
        + r"|(?P<stage>"
        + _alternatives(list(stages))
        + r"))(?![\w-])"
    )


#: An age in free text (a description), as a pattern over the folded text.
AGE_PHRASE = _age_phrase(_STAGE_WORD)
_REQUESTED = _age_phrase(_REQUEST_WORD)
#: An age a user gives as the new one: the same, and a bare number ("make Léo 45").
REQUESTED_AGE = (
    r"(?:an?\s+|un\s+|une\s+)?(?P<age>(?:(?:in|dans)\s+(?:her|his|their|sa|la)\s+)?"
    r"(?:(?:early|mid|late|debut|fin)(?:\s*-\s*|\s+)(?:de\s+la\s+)?)?(?:la\s+)?"
    r"(?:[1-9]0\s*'?s|" + _alternatives(list(_DECADE_WORDS)) + r"|\d{1,3}(?:\s*-?\s*"
    r"(?:years?|yrs?)(?:\s*-?\s*old)?|\s*yo|\s+ans)?|" + _alternatives(list(_REQUEST_WORD)) + r")"
    r"(?:\s+(?:man|woman|girl|boy|lady|person|homme|femme|fille|garcon))?)"
)


def _age_of(match: re.Match[str]) -> Age:
    groups = match.groupdict()
    if groups.get("decade"):
        return Age(decade=int(groups["decade"]), part=_PARTS.get(groups.get("part") or ""))
    if groups.get("word"):
        return Age(decade=_DECADE_WORDS[groups["word"]], part=_PARTS.get(groups.get("wpart") or ""))
    if groups.get("years"):
        return Age(years=int(groups["years"]))
    return Age(stage=_REQUEST_WORD[" ".join(groups["stage"].split())])


def read_age(text: str) -> Age | None:
    """The age a requested value says ("in her 40s", "a teenager", "45", "la quarantaine",
    "an old man"), or None."""
    folded = " ".join(fold(text).split())
    folded = re.sub(r"^(?:an?|un|une)\s+", "", folded)
    folded = re.sub(r"\s+(?:man|woman|girl|boy|lady|person|homme|femme|fille|garcon)$", "", folded)
    if re.fullmatch(r"\d{1,3}", folded):
        years = int(folded)
        return Age(years=years) if 3 <= years <= 110 else None
    match = _REQUESTED.fullmatch(folded)
    return _age_of(match) if match else None


def age_spans(text: str) -> list[tuple[int, int, Age]]:
    """Where ``text`` gives an age (start, end, the age), in order."""
    return [(m.start(), m.end(), _age_of(m)) for m in AGE_PHRASE.finditer(fold(text))]


def stated_age(text: str) -> Age | None:
    """The first age ``text`` gives ("a nurse in her late twenties" -> late 20s)."""
    spans = age_spans(text)
    return spans[0][2] if spans else None
