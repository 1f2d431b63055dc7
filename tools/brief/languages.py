"""The languages of a brief: the one it is written in, and the ones it asks for.

:func:`_language_of_text` tells the language of the text (by script for Japanese, Chinese
and Korean, by common words for French, Spanish, German, Italian, Portuguese, else English);
:func:`_scan_languages` finds the language asked for the prompts ("prompts in English",
"プロンプトは英語で") and for the answers ("réponds en français", "用中文回答").
"""

from __future__ import annotations

import re

from storycore.tools.brief.findings import _Found, _Prose
from storycore.tools.brief.vocabulary import _CJK_LANGUAGE_WORDS, _LANGUAGE_WORDS
from storycore.tools.text import word_set

_LANG_ALTERNATION = "|".join(sorted(_LANGUAGE_WORDS, key=len, reverse=True))
_PROMPT_LANGUAGE = re.compile(
    rf"\bprompts?\b(?:[^.\n;]{{0,40}}?)\b(?:in|en|em|auf)\s+({_LANG_ALTERNATION})\b"
    rf"|\b(?:prompt language|langue des prompts|prompt sprache|sprache der prompts|"
    rf"idioma de los prompts|lingua dei prompt|idioma dos prompts)\W+({_LANG_ALTERNATION})\b"
)
# The verbs of "answer me in ..." in English, French, Spanish, German, Italian, Portuguese
# (folded: accents off, hyphens and apostrophes to spaces).
_ANSWER_VERBS = (
    r"answer|answers|answer me|reply|replies|respond|talk to me|speak to me|write to me|"
    r"chat with me|reponds|repondez|reponse|reponses|parle moi|parlez moi|parle avec moi|"
    r"parlez avec moi|ecris moi|ecrivez moi|discutons|dialoguons|"
    r"responde|respondeme|responda|respondame|respondan|respuestas?|contesta|contestame|"
    r"contesteme|hablame|escribeme|antworte|antworten|antwortet|antworte mir|antworten sie|"
    r"sprich mit mir|schreib mir|rispondi|rispondimi|risponda|rispondete|risposte|parlami|"
    r"scrivimi|respondam|respostas|fale comigo|fala comigo|escreva me|escreve me"
)
_ANSWER_LANGUAGE = re.compile(
    rf"\b(?:{_ANSWER_VERBS})"
    r"(?:\s+(?:moi|me|mir|bitte|siempre|sempre|immer|por favor|per favore|s il te plait|"
    r"s il vous plait))*"
    rf"\s+(?:in|en|em|auf)\s+({_LANG_ALTERNATION})\b"
    rf"|\b(?:assistant|interface)\s+(?:in|en|em|auf)\s+({_LANG_ALTERNATION})\b"
    rf"|\b(?<!prompt )(?:antwortsprache|sprache|idioma|lingua)\s*:\s*({_LANG_ALTERNATION})\b"
)
_CJK_LANG = "|".join(sorted(_CJK_LANGUAGE_WORDS, key=len, reverse=True))
# "日本語で答えて", "用中文回答", "한국어로 답해", "回答は日本語で", "답변은 한국어로".
_CJK_ANSWER_LANGUAGE = re.compile(
    rf"({_CJK_LANG})\s*で\s*(?:お?答え|こたえ|回答|返事|返答|返信|話して|はなして|お願い|"
    r"おねがい|応答|対応|やり取り|会話|説明)"
    rf"|(?:回答|返答|返事|応答|答え|会話)\s*(?:は|を)\s*({_CJK_LANG})"
    rf"|(?:用|以|使用)\s*({_CJK_LANG})\s*(?:来)?\s*(?:回答|回复|回覆|答复|答覆|交流|对话|對話|沟通|"
    r"溝通|和我|跟我|与我|與我|解释|說明|说明)"
    rf"|(?:回答|回复|回覆|答复)\s*(?:请|請)?\s*(?:用|使用|以)\s*({_CJK_LANG})"
    rf"|({_CJK_LANG})\s*로\s*(?:답|대답|응답|대화|말|이야기|얘기|소통|회신|설명)"
    rf"|(?:답변|대답|응답|답|대화)\s*(?:은|는|을|를)\s*({_CJK_LANG})"
)
# "プロンプトは英語で", "英語のプロンプト", "提示词用英文", "프롬프트는 영어로".
_CJK_PROMPT_LANGUAGE = re.compile(
    rf"(?:プロンプト|提示词|提示詞|提示语|提示語|프롬프트|prompts?)\s*(?:の言語|言語|语言|語言|언어)?"
    rf"\s*(?:は|も|を|が|:|请|請|也|为|為|是|는|은|를|을|도)?\s*(?:用|使用|以)?\s*({_CJK_LANG})"
    rf"|({_CJK_LANG})\s*(?:の|的|로\s*된|로\s*쓴)?\s*(?:プロンプト|提示词|提示詞|提示语|프롬프트|prompts?)"
    rf"|(?:用|以)\s*({_CJK_LANG})\s*(?:写|寫|编写|撰写)\s*(?:提示词|提示詞|prompts?)"
)


# Common words of the other languages a brief may be written in (words French and English
# share with them are left out, so that French briefs stay French).
_COMMON_WORDS = {
    "es": word_set(
        "el los las y con para por del que es su sus muy pero como está esta al hay donde "
        "cuando una se lo mientras bajo sobre entre"
    ),
    "de": word_set(
        "der die das und ist mit ein eine einen dem den des nicht auf sich im zu von für "
        "wird sie er wir ihr ihre sein seine unter über bei nach"
    ),
    "it": word_set(
        "lo gli di che con per una nel nella della sono è non al alla del dei suo sua sulla "
        "mentre dove quando tra"
    ),
    "pt": word_set(
        "o os e do da dos das com para uma um em no na não é ao seu sua que enquanto onde "
        "quando sob entre"
    ),
}


def _script_language(text: str) -> str | None:
    """ "ja", "zh" or "ko" when most letters of ``text`` are Japanese, Chinese or Korean."""
    kana = len(re.findall(r"[\u3040-\u30ff]", text))
    hangul = len(re.findall(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]", text))
    han = len(re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[a-zA-Zà-ÿ]", text))
    if kana + hangul + han < max(4, latin // 2):
        return None
    if hangul >= kana and hangul >= han / 2:
        return "ko"
    return "ja" if kana else "zh"


def _language_of_text(text: str) -> str:
    """The language a brief is written in, by script (ja, zh, ko) or by common words (fr,
    es, de, it, pt, else en): decides which ambiguous words count and the answer language
    when none is asked for."""
    by_script = _script_language(text)
    if by_script:
        return by_script
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    french = {
        "le",
        "la",
        "les",
        "des",
        "une",
        "est",
        "et",
        "dans",
        "avec",
        "pour",
        "qui",
        "sur",
        "du",
        "au",
        "aux",
        "pas",
        "elle",
        "il",
        "nous",
        "vous",
        "sont",
        "cette",
        "ce",
        "se",
        "ne",
        "je",
        "où",
        "très",
        "plus",
        "puis",
    }
    english = {
        "the",
        "and",
        "is",
        "with",
        "for",
        "of",
        "in",
        "to",
        "an",
        "she",
        "he",
        "we",
        "you",
        "are",
        "this",
        "that",
        "it",
        "be",
        "by",
        "her",
        "his",
        "from",
        "at",
        "into",
        "then",
    }
    fr = sum(word in french for word in words)
    en = sum(word in english for word in words)
    others = {code: sum(word in common for word in words) for code, common in _COMMON_WORDS.items()}
    best = max(others, key=lambda code: others[code])
    if others[best] > fr and others[best] >= 3 and others[best] > en:
        return best
    return "fr" if fr >= 3 and fr > en else "en"


def _scan_languages(prose: _Prose, folded: str, lower: str) -> None:
    """The language of the prompts ("prompts in English", "プロンプトは英語で") and of the
    answers ("réponds en français", "responde en español", "用中文回答")."""
    for pattern, target in (
        (_PROMPT_LANGUAGE, prose.prompt_language),
        (_ANSWER_LANGUAGE, prose.answer_language),
    ):
        for match in pattern.finditer(folded):
            word = next(g for g in match.groups() if g)
            target.append(_Found(_LANGUAGE_WORDS[word], match.group(0)))
    for pattern, target in (
        (_CJK_PROMPT_LANGUAGE, prose.prompt_language),
        (_CJK_ANSWER_LANGUAGE, prose.answer_language),
    ):
        for match in pattern.finditer(lower):
            word = next(g for g in match.groups() if g)
            target.append(_Found(_CJK_LANGUAGE_WORDS[word], match.group(0)))
