"""The prose reader (issue 11, Languages): phrasings that rule out cloud models mean local
only; a title in guillemets or announced quotes is the title, dialogue in quotes is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storycore.tools.brief import parse_brief

STORY = " A fisherman mends his nets on the quay at dawn while gulls circle."


@pytest.mark.parametrize(
    "wish",
    [
        "Nothing leaves my machine.",
        "Everything runs on my own GPU.",
        "Aucun modèle en ligne, tout chez moi.",
        "Rien ne sort de mon ordinateur.",
        "Je veux tout générer sur ma carte graphique.",
        "No hosted models, please.",
    ],
)
def test_phrasings_that_rule_out_cloud_models_mean_local_only(wish: str) -> None:
    assert parse_brief("A 20 second film. " + wish + STORY).technical_specs.models.local_only


@pytest.mark.parametrize(
    "text",
    [
        "A 20 second film about an online bookshop." + STORY,
        "A 20 second film; clouds drift over the machine shop." + STORY,
    ],
)
def test_words_near_those_phrasings_do_not(text: str) -> None:
    assert not parse_brief(text).technical_specs.models.local_only


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Un court métrage « Marée Basse » de 20 secondes." + STORY, "Marée Basse"),
        ('A short film called "The Last Net", 20 seconds.' + STORY, "The Last Net"),
        ("Un clip intitulé “Les Mouettes”, 20 secondes." + STORY, "Les Mouettes"),
    ],
)
def test_a_quoted_title_is_the_title(text: str, title: str) -> None:
    assert parse_brief(text, source_name="brief.md").title == title


def test_quoted_dialogue_is_not_a_title() -> None:
    text = "A 20 second film. He shouts «Come back!» to the boat." + STORY
    assert parse_brief(text, source_name="harbour.md").title == "Harbour"


@pytest.mark.parametrize(
    ("text", "seconds", "aspect", "fps"),
    [
        (
            "Un anuncio de 35 segundos en formato vertical, a 25 fps. Un pescador remienda la red.",
            35.0,
            "9:16",
            "25",
        ),
        (
            "Ein Spot von 35 Sekunden im Hochformat mit 25 fps. Ein Fischer flickt sein Netz.",
            35.0,
            "9:16",
            "25",
        ),
        (
            "Uno spot di 2 minuti, formato verticale. Un pescatore ripara la rete al porto.",
            120.0,
            "9:16",
            "24",
        ),
        (
            "Um anúncio de 35 segundos: um pescador conserta a rede no cais ao amanhecer.",
            35.0,
            "16:9",
            "24",
        ),
    ],
)
def test_specs_in_other_languages(text: str, seconds: float, aspect: str, fps: str) -> None:
    brief = parse_brief(text)
    assert brief.duration_seconds == seconds
    assert brief.technical_specs.aspect_ratio == aspect
    assert brief.technical_specs.fps == fps


# ---------------------------------------------------------------------------------------
# Japanese, Chinese, Korean, and the other European languages: duration, frame, frame rate,
# answer and prompt language. Texts written for these tests (no example says them).
# ---------------------------------------------------------------------------------------

OTHER_LANGUAGE_BRIEFS = [
    # (brief, seconds, aspect, fps, answer language, prompt language)
    (
        "1分30秒の縦長 9:16 の広告。毎秒25フレーム。日本語で答えて。プロンプトも日本語で。"
        "港の朝、漁師が網を繕い、カモメが空を回る。",
        90.0,
        "9:16",
        "25",
        "ja",
        "ja",
    ),
    (
        "長さは四十五秒、正方形、フレームレートは30。回答は日本語で。老人が庭で盆栽を切る。",
        45.0,
        "1:1",
        "30",
        "ja",
        "en",
    ),
    (
        "一段两分钟的竖屏短片，每秒25帧。请用中文回答。提示词用法语。渔夫在码头上补网，海鸥盘旋。",
        120.0,
        "9:16",
        "25",
        "zh",
        "fr",
    ),
    (
        "75초짜리 가로 영상, 초당 30프레임. 한국어로 대답해 주세요. 프롬프트는 일본어로. "
        "어부가 부두에서 그물을 고친다.",
        75.0,
        "16:9",
        "30",
        "ko",
        "ja",
    ),
    (
        "Un anuncio de un minuto y medio, formato cuadrado, a 30 imágenes por segundo. "
        "Contéstame en francés y escribe los prompts en italiano. Un pescador remienda la red.",
        90.0,
        "1:1",
        "30",
        "fr",
        "it",
    ),
    (
        "Ein Werbefilm von anderthalb Minuten im Querformat mit 50 Bildern pro Sekunde. "
        "Antworte bitte auf Französisch, die Prompts auf Englisch. Ein Fischer flickt sein Netz.",
        90.0,
        "16:9",
        "50",
        "fr",
        "en",
    ),
    (
        "Uno spot di un minuto e mezzo, 25 fotogrammi al secondo. Rispondimi in spagnolo. "
        "Un pescatore ripara la rete mentre i gabbiani girano sul porto.",
        90.0,
        "16:9",
        "25",
        "es",
        "en",
    ),
    (
        "Um filme de um minuto e 20 segundos em modo retrato, 30 quadros por segundo. "
        "Responda em alemão. Um pescador conserta a rede no cais.",
        80.0,
        "9:16",
        "30",
        "de",
        "en",
    ),
]


@pytest.mark.parametrize(
    ("text", "seconds", "aspect", "fps", "answers", "prompts"), OTHER_LANGUAGE_BRIEFS
)
def test_specs_in_japanese_chinese_korean_and_european_languages(
    text: str, seconds: float, aspect: str, fps: str, answers: str, prompts: str
) -> None:
    specs = parse_brief(text).technical_specs
    assert (specs.duration_seconds, specs.aspect_ratio, specs.fps) == (seconds, aspect, fps)
    assert (specs.language, specs.prompt_language) == (answers, prompts)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("夕暮れの公園で、少年がひとりでブランコをこいでいる。母親が遠くから呼ぶ。", "ja"),
        ("黄昏时分的公园里，一个男孩独自荡着秋千。母亲在远处叫他。", "zh"),
        ("해 질 녘 공원에서 소년이 혼자 그네를 탄다. 엄마가 멀리서 부른다.", "ko"),
        ("En el parque al atardecer, un niño se columpia solo mientras su madre lo llama.", "es"),
        (
            "Im Park am Abend schaukelt ein Junge allein, und seine Mutter ruft ihn von weitem.",
            "de",
        ),
    ],
)
def test_a_brief_with_no_answer_language_answers_in_its_own(text: str, language: str) -> None:
    assert parse_brief(text).technical_specs.language == language


@pytest.mark.parametrize(
    ("phrase", "seconds"),
    [
        ("90秒", 90.0),
        ("1分30秒", 90.0),
        ("一分半", 90.0),
        ("九十秒", 90.0),
        ("两个小时", 7200.0),
        ("1時間半", 5400.0),
        ("1분 30초", 90.0),
        ("un minuto y medio", 90.0),
        ("1 Minute und 30 Sekunden", 90.0),
        ("noventa segundos", 90.0),
    ],
)
def test_durations_in_other_languages_parse(phrase: str, seconds: float) -> None:
    from storycore.tools.brief import parse_duration

    assert parse_duration(phrase) == seconds


@pytest.mark.parametrize(
    "text",
    [
        "十分な光の中で、少女が三分の一のケーキを食べる。猫が見ている。",  # enough / a third
        "这个故事十分感人：老人在海边等了很久。",  # very
        "1秒あたり24フレームで撮る。少女が走る。",  # per second
    ],
)
def test_words_with_time_units_that_are_not_durations(text: str) -> None:
    assert parse_brief(text).duration_seconds is None


def test_japanese_and_chinese_sentences_split_without_spaces() -> None:
    from storycore.tools.text import split_sentences, word_count

    assert split_sentences("少女が駅で待つ。電車が来た！猫は？") == [
        "少女が駅で待つ。",
        "電車が来た！",
        "猫は？",
    ]
    # a quotation the sentence goes on from is not cut
    assert split_sentences("「行こう。」と彼は言った。雨が降る。") == [
        "「行こう。」と彼は言った。",
        "雨が降る。",
    ]
    assert word_count("少女が駅で猫を待つ") > 3


def test_what_a_cjk_brief_does_not_say_in_a_readable_way_is_reported() -> None:
    brief = parse_brief("90秒の動画。予算は300ドル。少女が駅で猫を待つ。")
    assert brief.duration_seconds == 90.0
    assert any("予算は300ドル" in item for item in brief.not_understood)
    assert any("Japanese" in item and "Characters" in item for item in brief.not_understood)


def test_the_spec_sentences_of_a_korean_brief_are_not_story() -> None:
    from storycore.tools.brief import story_text

    brief = parse_brief("60초 세로 영상. 한국어로 답해 주세요. 소년이 비 오는 거리를 달린다.")
    assert story_text(brief.text) == "소년이 비 오는 거리를 달린다."


@pytest.mark.parametrize(
    "brief",
    [
        "# 夕立\n\n45秒の縦長動画、毎秒24フレーム。日本語で答えて。\n\n"
        "夕立の商店街で、少年が傘を忘れて走る。古本屋の店主が軒先から手招きする。\n",
        "四十秒的横屏短片，每秒30帧。用中文回答。\n\n雨中的小巷里，一个男孩忘了带伞在奔跑。\n",
        "50초 세로 영상, 초당 25프레임. 한국어로 답해.\n\n소나기 내리는 골목에서 소년이 달린다.\n",
    ],
)
def test_a_cjk_brief_plans_offline(tmp_path: Path, brief: str) -> None:
    from storycore.agent.cli.main import main

    source = tmp_path / "brief.md"
    source.write_text(brief, encoding="utf-8")
    out = tmp_path / "project"
    assert main(["plan", str(source), "--out", str(out), "--offline", "--yes"]) == 0
    stored = json.loads((out / "creative_brief.json").read_text(encoding="utf-8"))
    specs = stored["technical_specs"]
    assert specs["language"] in {"ja", "zh", "ko"}
    assert specs["duration_seconds"] in {45.0, 40.0, 50.0}
    assert stored["not_understood"]  # the story's language is reported
    scenes = json.loads((out / "scenes.json").read_text(encoding="utf-8"))
    beats = " ".join(b["text"] for scene in scenes for b in scene["beats"])
    assert "秒" not in beats and "초" not in beats  # the spec sentences are not story
