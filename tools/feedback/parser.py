"""The parser: a feedback cut into clauses, each clause read by the rules, the result as a
:class:`ParsedFeedback`.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, ValidationError

from storycore.tools.domain import format_validation_error
from storycore.tools.domain.modifications import Modification
from storycore.tools.errors import InvalidInput
from storycore.tools.feedback.patterns import _ATTR, _shots
from storycore.tools.feedback.reader import _Reader
from storycore.tools.feedback.rules import _RULES
from storycore.tools.feedback.text import _words, fold
from storycore.tools.project import Project
from storycore.tools.registry import AssetRegistry


class ParsedFeedback(BaseModel):
    """What :func:`parse_feedback` read: the modifications, and the clauses it could not read
    (``understood`` is False when there are any: the LLM layer then takes over)."""

    modifications: list[Modification] = Field(default_factory=list)
    understood: bool
    unparsed: list[str] = Field(default_factory=list)
    remarks: list[str] = Field(
        default_factory=list,
        description="Clauses with nothing to do ('quality is low') next to ones that had.",
    )


_COMMAND_WORDS = _words(
    "make set change turn switch use remove delete drop cut kill add insert move put place redo "
    "regenerate rerender re-render render remake retry reshoot shorten lengthen extend trim lock "
    "unlock freeze unfreeze give replace mets mettre passe change changer utilise utiliser "
    "supprime supprimer enleve enlever retire retirer coupe couper ajoute ajouter rajoute insere "
    "inserer deplace deplacer bouge refais refaire regenere regenerer relance raccourcis rallonge "
    "allonge verrouille deverrouille bloque debloque donne fais fait rends teins dye"
)
_SPLIT_BEFORE = (
    r"(?:" + "|".join(sorted(set(_COMMAND_WORDS), key=len, reverse=True)) + r")"
    r"(?:(?![\w-])|-(?=(?:le|la|les)(?!\w)))"
    r"|(?:the\s+|le\s+)?(?:shot|plan)\s*\d{1,4}[a-z]{0,2}(?![\w])(?=\s*\S)(?!\s*(?:,|and|et)\s)"
    r"|(?:les?|la|l')\s*" + _ATTR + r"\s+(?:de|d')\s"
    # "... and Marc's coat should be red", "... and her eyes green"
    r"|(?:[a-z][\w.-]*\s+)?[a-z][\w.-]*'s?\s+" + _ATTR + r"(?![\w])"
    r"|(?:her|his|their|its|son|sa|ses)\s+" + _ATTR + r"(?![\w])"
    # "... and the vibe is off", "... et la lumière est trop froide": a clause of its own
    r"|(?:the|this|that|la|le|les|ce|cette|l')\s*[\w-]+\s+(?:is|are|looks|seems|feels|est|sont|"
    r"semble|parait)(?![\w])"
    # "... and she should look older", "... et il doit paraître plus jeune"
    r"|(?:she|he|they|elle|il)\s+(?:should|must|needs|has|will|could|doit|devrait|va)(?![\w])"
)
_SOFT_SPLIT = re.compile(
    r"(?:\s*,\s*(?:and\s+|then\s+|et\s+|puis\s+|also\s+|aussi\s+)?(?:then\s+|puis\s+)?"
    r"|\s+(?:and|et|then|puis|also|ensuite|plus)\s+(?:then\s+|puis\s+|also\s+)?)"
    r"(?=(?:please\s+|also\s+|aussi\s+)?(?:" + _SPLIT_BEFORE + r"))"
)
_ABBREVIATIONS = _words("dr mr mrs ms st jr sr prof mme mlle m no vs")

_LEAD_FILLER = re.compile(
    r"^(?:(?:please|pls|ok|okay|so|now|also|and|then|but|et|puis|alors|aussi|ensuite|"
    r"hey|hi|bon|ah|oh|enfin|"
    r"can you|could you|would you|will you|can we|could we|let's|lets|let us|"
    r"i want you to|i'd like you to|i would like you to|i need you to|"
    r"i want|i'd like|i would like|i need|we need to|we need|"
    r"peux-tu|peux tu|pourrais-tu|pourrais tu|tu peux|pouvez-vous|pouvez vous|"
    r"merci de|il faut|il faudrait|je veux que tu|je voudrais que tu|je veux que|"
    r"je voudrais que|j'aimerais que|je veux|je voudrais|j'aimerais|"
    r"s'il te plait|s'il vous plait|stp|svp|que|qu')[\s,:]+)+"
)
_TRAIL_FILLER = re.compile(
    r"(?:[\s,]+(?:please|pls|thanks|thank you|thx|merci|stp|svp|s'il te plait|"
    r"s'il vous plait|again|instead|aussi|too|as well)|[\s!,.:;?]+)+$"
)
_REMARK = re.compile(
    r"^(?:(?:the|la|le|les|l')\s*)?(?:quality|result|results|render|rendering|image|images|"
    r"video|videos|output|it|this|that|everything|qualite|resultat|rendu|video|ca|c'|tout)"
    r"\s*(?:is|looks|seems|'s|s|are|est|semble|a l'air|sont)\s+(?:too\s+|very\s+|really\s+|"
    r"pretty\s+|a bit\s+|quite\s+|so\s+|vraiment\s+|trop\s+|tres\s+|un peu\s+|assez\s+)?"
    r"(?:low|bad|poor|terrible|awful|wrong|off|ugly|blurry|weird|not good|not great|meh|"
    r"mauvaise|mauvais|basse|bas|faible|nulle|nul|moche|rate|ratee|flou|floue|bof|"
    r"pas terrible|pas top|pas bien|pas bon|pas bonne)$"
)
_SHOT_REMARK = re.compile(
    r"^" + _shots("s") + r"\s*(?:is|looks|seems|'s|est|a l'air|semble)\s+.{1,40}$"
)
_NEGATION = re.compile(
    # Written French always negates with "ne"/"n'": "plus" or "pas" alone are not enough
    # ("plan 2 plus large" is a request).
    r"(?<![\w])(?:don't|do not|dont|never|not|no longer|ne|n')(?![\w])"
)


# "black, not navy", "green (not red)": the old value of a correction, not a negation.
_OLD_VALUE = re.compile(r"\s*(?:,|\()\s*(?:and\s+|but\s+)?not\s+[^,()]+\)?\s*$")


def _clauses(text: str) -> list[tuple[int, int]]:
    """Spans of the clauses of a feedback: sentences, then parts joined by "and"/"et"/","
    where the next part starts a new command."""
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(r"[.;!?\n]+", folded):
        end = match.start()
        piece = folded[start:end]
        if match.group().startswith("."):
            # "4.5 s", "Dr. Marsh", "v.o." are not sentence ends.
            after = folded[match.end() : match.end() + 1]
            before = re.search(r"(\w+)$", piece)
            if (before and before.group(1).isdigit() and after.isdigit()) or (
                before and before.group(1) in _ABBREVIATIONS
            ):
                continue
            if before and len(before.group(1)) == 1 and after and after.isalpha():
                continue
        spans.append((start, end))
        start = match.end()
    spans.append((start, len(folded)))
    out: list[tuple[int, int]] = []
    for begin, end in spans:
        piece = folded[begin:end]
        cuts = [begin]
        for match in _SOFT_SPLIT.finditer(piece):
            cuts.append(begin + match.start())
            cuts.append(begin + match.end())
        cuts.append(end)
        for i in range(0, len(cuts), 2):
            a, b = cuts[i], cuts[i + 1]
            if folded[a:b].strip(" ,"):
                out.append((a, b))
    return out


def _trim(folded: str, start: int, end: int) -> tuple[int, int]:
    """The span of a clause without leading and trailing politeness and punctuation."""
    while start < end and folded[start] in " ,:-":
        start += 1
    lead = _LEAD_FILLER.match(folded[start:end])
    if lead and lead.end() < end - start:
        start += lead.end()
    trail = _TRAIL_FILLER.search(folded[start:end])
    if trail and trail.start() > 0:
        end = start + trail.start()
    while end > start and folded[end - 1] in " ,":
        end -= 1
    return start, end


def _read_clause(reader: _Reader, folded: str, original: str) -> list[Modification] | None:
    for rule in _RULES:
        match = rule.pattern.fullmatch(folded)
        if match is None:
            continue
        try:
            found = rule.handler(reader, match, original)
        except ValidationError as exc:
            raise InvalidInput(format_validation_error(exc, subject="feedback")) from None
        if found:
            return found
    return None


def parse_feedback(text: str, project: Project) -> ParsedFeedback:
    """Read a user's feedback (English or French) into typed modifications.

    Clauses are read one by one ("make shot 3 a close-up and remove shot 7" is two).
    Shot numbers map to ids (``shot 3`` -> ``shot_03``; ``shot 4`` -> both ``shot_04a`` and
    ``shot_04b`` when it was split); names to element ids through the asset registry; model
    names through the model registry. An unknown shot, element or model raises
    :class:`NotFound` naming it. Clauses the rules cannot read are returned in ``unparsed``
    (``understood=False``); a remark such as "quality is low" next to a readable request is
    kept in ``remarks``. A negated clause ("don't remove shot 7") is never guessed at.
    """
    if not text or not text.strip():
        raise InvalidInput("the feedback is empty; say what to change")
    if len(text) > 10_000:
        raise InvalidInput("the feedback is too long to read; keep it under 10000 characters")
    specs = project.manifest.technical_specs
    reader = _Reader(
        project=project,
        shot_ids=[ref.shot_id for ref in project.manifest.shots],
        registry=AssetRegistry(project),
        prompt_language=specs.prompt_language,
        text=text,
    )
    folded_text = fold(text)
    modifications: list[Modification] = []
    unparsed: list[str] = []
    remarks: list[str] = []
    for start, end in _clauses(text):
        a, b = _trim(folded_text, start, end)
        folded, original = folded_text[a:b], text[a:b]
        if not folded.strip():
            continue
        if _NEGATION.search(_OLD_VALUE.sub("", folded)) and not _REMARK.match(folded):
            unparsed.append(original.strip())
            continue
        remark = _SHOT_REMARK.fullmatch(folded)
        if _REMARK.fullmatch(folded) or (remark and _read_clause(reader, folded, original) is None):
            if remark:
                reader.shot_group(remark, "s")  # "shot 4 looks bad, redo it": "it" is shot 4
            remarks.append(original.strip())
            continue
        found = _read_clause(reader, folded, original)
        if found is None:
            unparsed.append(original.strip())
        else:
            modifications.extend(found)
    if not modifications and remarks:
        # Only remarks: there is something to do, but not something these rules can say.
        unparsed = [*remarks, *unparsed]
        remarks = []
    return ParsedFeedback(
        modifications=modifications,
        understood=not unparsed and bool(modifications),
        unparsed=unparsed,
        remarks=remarks,
    )
