"""The brief parser: structured and prose briefs in English and French, the specs found in
prose, contradiction rules, the not-understood report, and the errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from storycore.tools.brief import (
    FRONT_MATTER_KEYS,
    parse_brief,
    parse_duration,
    read_brief_text,
    story_text,
)
from storycore.tools.domain import CreativeBrief, Resolution
from storycore.tools.errors import BriefError, StoryCoreError

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def brief(text: str, known_models: dict[str, str] | None = None) -> CreativeBrief:
    return parse_brief(text, known_models=known_models)


# --------------------------------------------------------------------------- examples


def test_structured_english_ad_brief() -> None:
    text, name = read_brief_text(str(EXAMPLES / "ad_brief.md"))
    result = parse_brief(text, source_name=name)
    specs = result.technical_specs
    assert result.title == "GaBy — Night Shift Cold Brew"
    assert result.source_format == "brief"
    assert result.duration_seconds == 30
    assert specs.duration_seconds == 30
    assert specs.aspect_ratio == "9:16"
    assert specs.resolution == Resolution(width=1080, height=1920)
    assert specs.fps == "24"
    assert specs.style == "cinematic, neon, high contrast, film grain"
    assert result.style_words == ["cinematic", "neon", "high contrast", "film grain"]
    assert specs.models.prefer == ["wan22_14b", "kling_25"]
    assert specs.models.avoid == ["sora2"]
    assert specs.models.local_only is False
    assert specs.budget_usd == 150
    assert "no subtitles" in specs.required_prompt_elements
    assert specs.camera_movement_rule == "dynamic except on cuts"
    assert specs.cut_marker == "[cut]"
    assert specs.pace == "ad"  # "A 30-second vertical spot"
    assert [c.name for c in result.characters] == ["GaBy", "Dr. Marsh"]
    assert result.characters[0].description.startswith("a nurse in her late twenties")
    # The description's continuation line belongs to the entry.
    assert result.characters[0].description.endswith("expressive tired eyes that light up")
    assert (
        result.characters[1].description == "a grey-haired night doctor in a white coat, dry humour"
    )
    assert [loc.name for loc in result.locations] == ["Hospital corridor", "Break room"]
    # Both "- **Name**: ..." and "- Name: ..." entries.
    assert [p.name for p in result.props] == ["Cold brew can", "Vending machine"]
    assert [s.title for s in result.scenes] == [
        "Slump",
        "The can",
        "First sip",
        "Back on the floor",
        "Pack shot",
    ]
    assert [s.duration_seconds for s in result.scenes] == [6, 5, 7, 7, 5]
    assert "(6s)" not in result.scenes[0].title + result.scenes[0].description
    assert result.warnings == []
    assert result.not_understood == []
    assert "GaBy, a night-shift" in result.text  # the free text is kept for the LLM layer


def test_french_prose_brief() -> None:
    text, name = read_brief_text(str(EXAMPLES / "french_prose_brief.md"))
    result = parse_brief(text, source_name=name)
    specs = result.technical_specs
    assert result.source_format == "prose"
    assert result.duration_seconds == 90
    assert specs.aspect_ratio == "9:16"
    assert specs.resolution == Resolution(width=1080, height=1920)  # "1080p" turned vertical
    assert specs.fps == "24"
    assert specs.language == "fr"
    assert specs.prompt_language == "en"
    assert specs.pace == "music_video"
    assert specs.models.local_only is True
    assert specs.models.prefer == ["wan22_14b"]
    assert specs.models.avoid == ["sora2"]
    assert result.style_words == ["dreamy", "pastel", "film grain"]
    assert [c.name for c in result.characters] == ["Nour", "Léo"]
    assert "batteur" in result.characters[1].description
    assert [loc.name for loc in result.locations] == ["Marseille"]
    assert result.warnings == []


def test_seed_example_in_prose() -> None:
    result = brief(
        "A 4:27 music video for the band Ashes. GaBy sings on a rooftop while Marco plays "
        "drums. GaBy wears a red coat. Marco has a beard. Use Wan 2.2 for the dance scene."
    )
    assert result.duration_seconds == 267
    assert result.technical_specs.pace == "music_video"
    assert result.technical_specs.models.prefer == ["wan22_14b"]
    # Recurring names become characters (GaBy only ever starts a sentence: its inner capital
    # says it is a name); "Ashes", seen once, does not.
    assert [c.name for c in result.characters] == ["GaBy", "Marco"]
    # A look is appearance only: what the text says each one has or wears, never an action.
    assert result.characters[0].description == "a red coat"
    assert result.characters[1].description == "a beard"


def test_names_in_french_prose() -> None:
    result = brief(
        "Un court métrage à Paris. Camille marche dans Paris sous la pluie. Camille rencontre "
        "Hugo au café. Puis la nuit tombe. Puis rien."
    )
    assert [c.name for c in result.characters] == ["Camille"]
    assert [loc.name for loc in result.locations] == ["Paris"]


def test_prose_names_are_not_added_when_the_brief_has_sections() -> None:
    result = brief(
        "## Characters\n- **Ana**: a pilot\n\nAna flies. Later Ana lands. Bo waves, Bo runs."
    )
    assert [c.name for c in result.characters] == ["Ana"]


def test_structured_french_sections() -> None:
    result = brief(
        "# Le Phare\n\n"
        "## Personnages\n"
        "- **Anouk** — gardienne de phare, ciré jaune, cheveux gris courts\n"
        "- Marin : un chien noir\n\n"
        "## Lieux\n"
        "- **Le phare** : tour blanche battue par les vagues\n\n"
        "## Accessoires\n"
        "- **Lampe tempête** — laiton cabossé\n\n"
        "## Scènes\n"
        "1. **Tempête** (12s) — Anouk monte l'escalier.\n"
        "2. **Aube** (0:08) : la mer se calme.\n"
    )
    assert result.title == "Le Phare"
    assert [(c.name, c.description) for c in result.characters] == [
        ("Anouk", "gardienne de phare, ciré jaune, cheveux gris courts"),
        ("Marin", "un chien noir"),
    ]
    assert [loc.name for loc in result.locations] == ["Le phare"]
    assert [p.name for p in result.props] == ["Lampe tempête"]
    assert [(s.title, s.duration_seconds) for s in result.scenes] == [("Tempête", 12), ("Aube", 8)]
    assert result.duration_seconds == 20  # no duration given: the sum of the scenes


@pytest.mark.parametrize(
    "labels",
    [
        ("Characters:", "Locations:", "Story:"),
        ("**Cast**", "**Settings:**", "**Synopsis**"),
        ("CHARACTERS:", "LOCATIONS :", "PLOT:"),
    ],
)
def test_label_lines_open_sections_as_headings_do(labels: tuple[str, str, str]) -> None:
    cast, places, story = labels
    result = brief(
        "A 20-second clip.\n\n"
        f"{cast}\n- Iris: the singer, silver bob\n- Theo: the guitarist, freckles\n\n"
        f"{places}\n- Rooftop garden: fairy lights at dusk\n\n"
        f"{story}\nIris sings on the rooftop. Theo plays a riff.\n- a list after the story\n"
    )
    assert [(c.name, c.description) for c in result.characters] == [
        ("Iris", "the singer, silver bob"),
        ("Theo", "the guitarist, freckles"),
    ]
    assert [loc.name for loc in result.locations] == ["Rooftop garden"]
    assert "Iris sings on the rooftop." in result.text
    assert "the singer" not in result.text  # the lists are not story
    assert story not in result.text.splitlines()  # a label, not a sentence of the story
    assert "a list after the story" in result.text  # the story's own list stays story


def test_french_label_lines_and_prose_after_a_labelled_list() -> None:
    result = brief(
        "Personnages :\n- Anouk : gardienne de phare\n\n"
        "Anouk monte l'escalier du phare.\n- Elle allume la lampe.\n"
    )
    assert [c.name for c in result.characters] == ["Anouk"]
    # the prose after the list closes the labelled section: its list is story
    assert "Elle allume la lampe." in result.text


def test_key_value_lines_and_a_bare_label_before_a_list() -> None:
    result = brief(
        "Project: Harbour Lights\nDuration: 15 seconds\n\n"
        "Characters\n- Mei — a girl of eight, two braids\n- Li — white beard\n\n"
        "Mei and Li walk along the harbour. Li buys her a lantern.\n"
    )
    assert result.title == "Harbour Lights"
    assert result.duration_seconds == 15
    assert [c.name for c in result.characters] == ["Mei", "Li"]
    assert "white beard" not in result.text and "Characters" not in result.text


@pytest.mark.parametrize(
    "first_line",
    [
        "Project: a teaser for the harbour festival, shot at night with drones.",
        "Characters are the heart of this film.",
    ],
)
def test_a_sentence_is_neither_a_title_nor_a_label(first_line: str) -> None:
    result = brief(f"{first_line}\nMei and Li walk along the harbour. Li waves at Mei.\n")
    assert result.title != first_line.split(": ", 1)[-1]
    assert first_line in result.text


@pytest.mark.parametrize(
    ("framing", "story"),
    [
        ("An ad for a bakery chain.", "Tom kneads dough in the kitchen. Tom smiles."),
        ("A 15-second promo for a bike shop in Gent.", "Lore fixes a wheel. Lore rides off."),
        ("Une publicité pour une fromagerie.", "Paul coupe le comté. Paul sourit."),
    ],
)
def test_a_sentence_saying_what_the_film_is_is_not_story(framing: str, story: str) -> None:
    result = brief(f"{framing} {story}")
    assert framing not in story_text(result.text)
    assert story in story_text(result.text)


def test_a_film_word_inside_the_story_stays_story() -> None:
    text = "A film camera lies on the table. Marc picks it up. A short walk to the station."
    assert story_text(text) == text


def test_a_sentence_ending_in_a_colon_is_not_a_label() -> None:
    result = brief("Iris has three wishes:\n- a moon\n- a song\n")
    assert result.characters == [] or all(c.name != "a moon" for c in result.characters)
    assert "a moon" in result.text


def test_sub_heading_items_with_their_own_lists() -> None:
    result = brief(
        "## Characters\n\n### GaBy\nA singer.\n- hair: blonde curly\n- eyes: green\n\n"
        "### Tom\nHer brother.\n"
    )
    assert [c.name for c in result.characters] == ["GaBy", "Tom"]
    assert "hair: blonde curly" in result.characters[0].description
    assert "A singer." in result.characters[0].description


def test_title_from_source_name_when_the_brief_has_none() -> None:
    assert parse_brief("A quiet film.", source_name="briefs/night_walk.md").title == "Night walk"
    assert brief("A quiet film.").title == "Untitled"


def test_duplicate_entry_is_reported() -> None:
    result = brief("## Characters\n- **GaBy**: blonde\n- **Gaby**: brunette\n")
    assert [c.description for c in result.characters] == ["blonde"]
    assert any("listed twice" in w for w in result.warnings)


# --------------------------------------------------------------------------- prose patterns


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("The music video runs 4:27 and tells a love story.", 267),
        ("We need 90 seconds of footage.", 90),
        ("Une vidéo de 90 secondes.", 90),
        ("Keep it to 2 min.", 120),
        ("Total length 1m30s.", 90),
        ("It's a 30-second spot for a bank.", 30),
        ("Un clip de 1 min 30 sur la mer.", 90),
        ("A ninety seconds teaser.", 90),
        ("Runtime: 1:02:30.", 3750),
        ("Un clip de quatre-vingt-dix secondes.", 90),
        ("Une vidéo d'une minute.", 60),
    ],
)
def test_durations_in_prose(text: str, seconds: float) -> None:
    assert brief(text).duration_seconds == seconds


def test_aspect_ratio_is_not_a_duration() -> None:
    result = brief("A 16:9 music video of 4:27, shot at dusk.")
    assert result.technical_specs.aspect_ratio == "16:9"
    assert result.duration_seconds == 267
    result = brief("Deliver it in 9:16 for phones.")
    assert result.technical_specs.aspect_ratio == "9:16"
    assert result.duration_seconds is None


def test_decades_and_times_of_day_are_not_durations() -> None:
    result = brief("An 80s synthwave vibe, like the 90s shows. She wakes at 7:30 am.")
    assert result.duration_seconds is None
    assert "synthwave" in result.style_words


def test_absurd_duration_in_prose_is_reported() -> None:
    result = brief("The edit lasts 500 hours.")
    assert result.duration_seconds is None
    assert any("500 hours" in item for item in result.not_understood)


def test_absurd_scene_duration_is_refused() -> None:
    with pytest.raises(BriefError, match="duration"):
        brief("## Scenes\n- **Intro** (0s): nothing\n")


def test_thirty_second_spot_sets_the_ad_pace() -> None:
    specs = brief("A 30-second spot for a running shoe.").technical_specs
    assert specs.pace == "ad"
    assert specs.duration_seconds == 30


@pytest.mark.parametrize(
    ("text", "ratio", "size"),
    [
        ("A vertical video for phones.", "9:16", (1080, 1920)),
        ("Square format please.", "1:1", (1080, 1080)),
        ("Shot in 2.39:1 like a western.", "2.39:1", (2582, 1080)),
        ("Full cinemascope, epic.", "2.39:1", (2582, 1080)),
        ("Format carré pour Instagram.", "1:1", (1080, 1080)),
    ],
)
def test_aspect_ratios_in_prose(text: str, ratio: str, size: tuple[int, int]) -> None:
    specs = brief(text).technical_specs
    assert specs.aspect_ratio == ratio
    assert (specs.resolution.width, specs.resolution.height) == size


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("A 20-second ad, format 10:1, for a bus shelter.", "10:1"),
        ("Un clip de 20 secondes au format 3:1 pour un écran de vitrine.", "3:1"),
        ("A teaser in a 5:4 aspect ratio.", "5:4"),
        ("Deliver it at a ratio of 2:1.", "2:1"),
    ],
)
def test_a_ratio_no_frame_has_is_reported_with_the_ratios_that_can_be(text: str, said: str) -> None:
    result = brief(text)
    report = "\n".join(result.not_understood)
    assert f"'{said}' cannot be planned" in report
    assert "16:9" in report and "9:16" in report and "2.39:1" in report


@pytest.mark.parametrize(
    ("text", "ratio"),
    [
        ("A western trailer, shot at a 2.38:1 ratio like the old ones.", "2.39:1"),
        ("A music video, aspect ratio: 21:9, of 4:27.", "21:9"),
        ("Un film au format 4/3 comme une vieille télé.", "4:3"),
    ],
)
def test_a_ratio_said_as_one_is_read(text: str, ratio: str) -> None:
    result = brief(text)
    assert result.technical_specs.aspect_ratio == ratio
    assert result.not_understood == []


def test_a_score_is_no_ratio() -> None:
    result = brief("They lead 3:1 at half time. A 20-second ad for the final.")
    assert result.technical_specs.aspect_ratio == "16:9"
    assert result.not_understood == []


@pytest.mark.parametrize(
    ("text", "ratio", "size"),
    [
        ("Deliver in 1080p.", "16:9", (1920, 1080)),
        ("Master in 4K.", "16:9", (3840, 2160)),
        ("Render at 1280x720.", "16:9", (1280, 720)),
        ("A vertical clip in 4K.", "9:16", (2160, 3840)),
        ("Render at 1080x1920.", "9:16", (1080, 1920)),
    ],
)
def test_resolutions_in_prose(text: str, ratio: str, size: tuple[int, int]) -> None:
    specs = brief(text).technical_specs
    assert specs.aspect_ratio == ratio
    assert (specs.resolution.width, specs.resolution.height) == size


def test_budget_is_not_a_resolution() -> None:
    specs = brief("We have a $4k budget for this.").technical_specs
    assert specs.resolution == Resolution(width=1920, height=1080)
    assert specs.budget_usd == 4000


@pytest.mark.parametrize(
    ("text", "fps", "drop"),
    [
        ("Shoot it at 24fps.", "24", None),
        ("Conform to 23.976 for the cinema.", "24000/1001", None),
        ("Broadcast master: 29.97 drop-frame.", "30000/1001", True),
        ("En 25 images par seconde.", "25", None),
        ("Everything in 50p.", "50", None),
    ],
)
def test_frame_rates_in_prose(text: str, fps: str, drop: bool | None) -> None:
    specs = brief(text).technical_specs
    assert specs.fps == fps
    assert specs.drop_frame is drop


def test_unsupported_frame_rate_in_prose_is_reported() -> None:
    result = brief("Animate it at 12fps.")
    assert result.technical_specs.fps == "24"
    assert any("12fps" in item for item in result.not_understood)


@pytest.mark.parametrize(
    ("text", "language", "prompt_language"),
    [
        ("A short film about bees. Write the prompts in Japanese.", "en", "ja"),
        ("Un film sur les abeilles. Réponds en français.", "fr", "en"),
        (
            "Un film sur les abeilles, avec les prompts en anglais. Réponds-moi en anglais.",
            "en",
            "en",
        ),
        ("Un court métrage sur la mer et les phares dans la brume.", "fr", "en"),
    ],
)
def test_languages_in_prose(text: str, language: str, prompt_language: str) -> None:
    specs = brief(text).technical_specs
    assert specs.language == language
    assert specs.prompt_language == prompt_language


def test_a_character_speaking_a_language_is_not_an_answer_language() -> None:
    specs = brief("Un film où Léa parle en anglais avec Léa et son frère.").technical_specs
    assert specs.language == "fr"


@pytest.mark.parametrize(
    ("text", "prefer", "avoid", "local_only"),
    [
        ("Please use Wan 2.2 for everything.", ["wan22_14b"], [], False),
        ("No cloud models, everything on my GPU.", [], [], True),
        ("Avoid Sora, it drifts.", [], ["sora2"], False),
        ("Avoid Sora, Kling and Veo.", [], ["sora2", "kling_25", "veo3"], False),
        ("Je veux tout faire uniquement en local, avec LTX.", ["ltx_video"], [], True),
        ("Use Kling 2.5 rather than Sora.", ["kling_25"], ["sora2"], False),
        ("Pas de Sora, utilise Hunyuan.", ["hunyuanvideo_15"], ["sora2"], False),
    ],
)
def test_model_wishes_in_prose(
    text: str, prefer: list[str], avoid: list[str], local_only: bool
) -> None:
    models = brief(text).technical_specs.models
    assert models.prefer == prefer
    assert models.avoid == avoid
    assert models.local_only is local_only


def test_model_mentioned_without_a_wish_is_reported_not_guessed() -> None:
    result = brief("Sora is what my friend used. A wan smile. Fashion on the runway.")
    assert result.technical_specs.models.prefer == []
    assert result.technical_specs.models.avoid == []
    assert any("sora" in item.lower() for item in result.not_understood)
    assert not any("wan" in item or "runway" in item for item in result.not_understood)


def test_unknown_model_version_is_reported() -> None:
    result = brief("Use Veo 9 for the chase.")
    assert result.technical_specs.models.prefer == []
    assert any("veo 9" in item for item in result.not_understood)


def test_known_models_from_the_caller() -> None:
    registry = {"Wan 2.2": "wan-2.2", "Sora": "sora-2", "Sora 2": "sora-2", "Mochi": "mochi-1"}
    models = brief(
        "Use Wan 2.2 or Mochi, never Sora.", known_models=registry
    ).technical_specs.models
    assert models.prefer == ["wan-2.2", "mochi-1"]
    assert models.avoid == ["sora-2"]
    front = brief("---\nmodels:\n  prefer: [mochi-1]\n---\n", known_models=registry)
    assert front.technical_specs.models.prefer == ["mochi-1"]


def test_style_words() -> None:
    result = brief("A noir, cinematic piece with pastel tones and some anime inserts.")
    assert result.style_words == ["noir", "cinematic", "pastel", "anime"]
    assert result.technical_specs.style == "noir, cinematic, pastel, anime"
    # In French "noir" is the colour black.
    french = brief("Un chat noir traverse la rue dans la nuit, style documentaire.")
    assert french.style_words == ["documentary"]


@pytest.mark.parametrize(
    ("text", "pace"),
    [
        ("A music video for a techno track.", "music_video"),
        ("A trailer for our game.", "trailer"),
        ("A short film about grief.", "short_film"),
        ("Un clip musical pour la chanson de Léa.", "music_video"),
        ("La bande-annonce du festival.", "trailer"),
        ("Un court métrage sur la mer.", "short_film"),
        ("Une pub de 30 secondes pour un yaourt.", "ad"),
        ("Episode 3 of our web series.", "series"),
    ],
)
def test_pace_words(text: str, pace: str) -> None:
    assert brief(text).technical_specs.pace == pace


def test_a_pub_in_english_is_a_bar_not_an_ad() -> None:
    assert brief("Two friends talk in a pub.").technical_specs.pace == "short_film"


# --------------------------------------------------------------------------- front matter


def test_unquoted_ratio_and_clock_duration_stay_text() -> None:
    # YAML 1.1 would read 16:9 as the number 969.
    result = brief("---\naspect_ratio: 16:9\nduration: 4:27\n---\nA video.")
    assert result.technical_specs.aspect_ratio == "16:9"
    assert result.duration_seconds == 267


def test_front_matter_accepts_spellings() -> None:
    result = brief("---\nTitle: Rain\nFrame-Rate: 25\nAspect: vertical\n---\n")
    assert result.title == "Rain"
    assert result.technical_specs.fps == "25"
    assert result.technical_specs.aspect_ratio == "9:16"


# --------------------------------------------------------------------------- contradictions


def test_vertical_aspect_with_landscape_resolution() -> None:
    result = brief('---\naspect_ratio: "9:16"\nresolution: 1920x1080\n---\nA clip.')
    specs = result.technical_specs
    assert specs.aspect_ratio == "9:16"
    assert specs.resolution == Resolution(width=1080, height=1920)
    assert any("1920x1080" in w and "9:16" in w for w in result.warnings)


def test_front_matter_fps_wins_over_prose() -> None:
    result = brief("---\nfps: 25\n---\nShoot at 24fps.")
    assert result.technical_specs.fps == "25"
    assert any("25 fps" in w and "24fps" in w for w in result.warnings)


def test_front_matter_duration_wins_over_scene_sum() -> None:
    result = brief(
        "---\nduration: 30s\n---\n## Scenes\n- **A** (10s): one\n- **B** (8s): two\n"
        "- **C** (10s): three\n"
    )
    assert result.duration_seconds == 30
    assert any("28 s" in w and "30 s" in w for w in result.warnings)


def test_front_matter_duration_wins_over_prose() -> None:
    result = brief("---\nduration: 45\n---\nA 30-second spot.")
    assert result.duration_seconds == 45
    assert any("30-second" in w for w in result.warnings)


def test_front_matter_resolution_wins_over_prose_aspect() -> None:
    result = brief("---\nresolution: 1920x1080\n---\nA vertical video.")
    assert result.technical_specs.aspect_ratio == "16:9"
    assert any("front matter wins" in w for w in result.warnings)


def test_prose_with_two_aspect_ratios_keeps_the_first() -> None:
    result = brief("A 16:9 master, and a vertical version later.")
    assert result.technical_specs.aspect_ratio == "16:9"
    assert any("several aspect ratios" in w for w in result.warnings)


def test_model_both_preferred_and_avoided_is_avoided() -> None:
    result = brief("---\nmodels:\n  prefer: [Sora, Wan]\n  avoid: [Sora]\n---\n")
    assert result.technical_specs.models.prefer == ["wan22_14b"]
    assert result.technical_specs.models.avoid == ["sora2"]
    assert any("sora2" in w for w in result.warnings)


def test_local_only_drops_a_preferred_cloud_model() -> None:
    result = brief("---\nmodels:\n  prefer: [Kling, Wan]\n  local_only: true\n---\n")
    assert result.technical_specs.models.prefer == ["wan22_14b"]
    assert any("kling_25" in w and "cloud" in w for w in result.warnings)


def test_front_matter_local_only_false_wins_over_prose() -> None:
    result = brief("---\nmodels:\n  local_only: false\n---\nNo cloud models please.")
    assert result.technical_specs.models.local_only is False
    assert any("local_only" in w for w in result.warnings)


def test_drop_frame_at_a_rate_without_it() -> None:
    result = brief("---\nfps: 25\ndrop_frame: true\n---\n")
    assert result.technical_specs.drop_frame is None
    assert any("drop-frame" in w for w in result.warnings)


# --------------------------------------------------------------------------- not understood


def test_not_understood_report() -> None:
    result = brief(
        "---\ntitle: Test\nmood: happy\nfps: fast\naspect_ratio: banana\nlanguage: klingon\n"
        "models:\n  prefer: [Wan, FooVideo]\n  colour: red\nbudget: 200 EUR\n---\nA film."
    )
    report = "\n".join(result.not_understood)
    assert "'mood'" in report
    assert "fps" in report and "fast" in report
    assert "banana" in report
    assert "klingon" in report
    assert "FooVideo" in report
    assert "models.colour" in report
    assert "budget" in report
    # What could be used still is.
    assert result.title == "Test"
    assert result.technical_specs.models.prefer == ["wan22_14b"]
    assert result.technical_specs.fps == "24"


def test_entry_without_a_name_is_reported() -> None:
    result = brief("## Characters\n- " + "a very long line without any separator " * 4 + "\n")
    assert result.characters == []
    assert any("Characters" in item for item in result.not_understood)


# --------------------------------------------------------------------------- errors


def test_front_matter_with_a_tab_names_the_line() -> None:
    with pytest.raises(BriefError, match="line 3"):
        brief("---\ntitle: X\n\tfps: 24\n---\nText")


def test_front_matter_with_unbalanced_brackets_names_the_line() -> None:
    with pytest.raises(BriefError, match=r"not valid YAML on line \d"):
        brief("---\ntitle: X\nmodels:\n  prefer: [Wan, Sora\n---\nText")


def test_unclosed_front_matter() -> None:
    with pytest.raises(BriefError, match="never closed"):
        brief("---\ntitle: X\n\nText")


def test_front_matter_must_be_a_mapping() -> None:
    with pytest.raises(BriefError, match="key: value"):
        brief("---\n- a\n- b\n---\n")


@pytest.mark.parametrize("value", ["-30s", "-5", "0", "0s", "10h", "5:00:00"])
def test_out_of_range_duration_in_front_matter(value: str) -> None:
    with pytest.raises(BriefError, match="duration"):
        brief(f"---\nduration: {value}\n---\nText")


@pytest.mark.parametrize("text", ["", "   \n\t\n"])
def test_empty_brief(text: str) -> None:
    with pytest.raises(BriefError, match="empty"):
        brief(text)


def test_errors_are_storycore_errors_with_one_line() -> None:
    with pytest.raises(StoryCoreError) as info:
        brief("---\ntitle: [\n---\n")
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------- reading files


def test_read_brief_text(tmp_path: Path) -> None:
    path = tmp_path / "brief.md"
    path.write_text("\ufeffA short film.", encoding="utf-8")
    assert read_brief_text(str(path)) == ("A short film.", str(path))


def test_read_brief_from_stdin() -> None:
    assert read_brief_text("-", io.StringIO("From a pipe.")) == ("From a pipe.", "stdin")


def test_read_brief_refusals(tmp_path: Path) -> None:
    with pytest.raises(BriefError, match="does not exist"):
        read_brief_text(str(tmp_path / "missing.md"))
    with pytest.raises(BriefError, match="folder"):
        read_brief_text(str(tmp_path))
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(BriefError, match="binary"):
        read_brief_text(str(binary))
    latin = tmp_path / "latin1.md"
    latin.write_bytes("Un été à Paris".encode("latin-1"))
    with pytest.raises(BriefError, match="UTF-8"):
        read_brief_text(str(latin))
    empty = tmp_path / "empty.md"
    empty.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(BriefError, match="empty"):
        read_brief_text(str(empty))
    huge = tmp_path / "huge.md"
    huge.write_text("word " * 600_000, encoding="utf-8")
    with pytest.raises(BriefError, match="MiB"):
        read_brief_text(str(huge))
    with pytest.raises(BriefError, match="empty"):
        read_brief_text("-", io.StringIO(""))


# --------------------------------------------------------------------------- parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90),
        ("90s", 90),
        ("90 s", 90),
        ("90 seconds", 90),
        ("90 secondes", 90),
        ("2 min", 120),
        ("2 minutes", 120),
        ("1m30s", 90),
        ("1m30", 90),
        ("1min30", 90),
        ("1 min 30 s", 90),
        ("1h05", 3900),
        ("1h", 3600),
        ("4:27", 267),
        ("1:02:30", 3750),
        ("00:16.80", 16.8),
        ("1.5 min", 90),
        ("1,5 minute", 90),
        ("2 minutes and 10 seconds", 130),
        ("thirty seconds", 30),
        (45, 45),
        (2.5, 2.5),
    ],
)
def test_parse_duration(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5s", "negative"),
        ("0", "not positive"),
        ("0:00", "not positive"),
        ("5h", "longer than 4 hours"),
        ("fast", "not a duration"),
        ("16:9", "not a duration"),
        ("4:75", "not a valid"),
        ("00:00:10:12", "timecode with frames"),
        ("", "empty"),
        ("30s 2 min", "not a duration"),
    ],
)
def test_parse_duration_refusals(text: str, message: str) -> None:
    with pytest.raises(BriefError, match=message):
        parse_duration(text)


@given(st.integers(min_value=0, max_value=239), st.integers(min_value=0, max_value=59))
def test_parse_duration_clock_and_units_agree(minutes: int, seconds: int) -> None:
    total = minutes * 60 + seconds
    if total == 0:
        return
    assert parse_duration(f"{minutes}:{seconds:02d}") == total
    assert parse_duration(f"{minutes}m{seconds}s") == total
    assert parse_duration(f"{total}s") == total


# --------------------------------------------------------------------------- robustness

_PIECES = st.sampled_from(
    [
        "4:27",
        "16:9",
        "9:16",
        "99999x99999",
        "12x34",
        "4K",
        "$4k",
        "24fps",
        "29.97 drop-frame",
        "vertical",
        "no cloud",
        "use Wan 2.2",
        "avoid Sora",
        "Veo 9",
        "90 seconds",
        "0 s",
        "500 h",
        "## Characters",
        "## Scènes",
        "- **A** (5s): x",
        "- **B** (0s): y",
        "### Sub",
        "Prompts in Japanese",
        "réponds en français",
        "budget 10 €",
        "the 90s",
        "GaBy",
        "Léo",
        "\n",
        ".",
        ",",
        "```",
        "# Title",
        "- ",
        "(8s)",
        "12fps",
        "2.39:1",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=20))
def test_any_text_parses_or_fails_with_one_clear_line(parts: list[str]) -> None:
    try:
        result = parse_brief(" ".join(parts))
    except BriefError as error:
        assert "\n" not in str(error)
        return
    for message in result.warnings + result.not_understood:
        assert "\n" not in message


_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.sampled_from(["16:9", "fast", "29.97 df", "4K", "99999x2", "-3", "$200", "klingon"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["prefer", "avoid", "local_only", "width"]), inner, max_size=3
        ),
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from([*FRONT_MATTER_KEYS, "mood"]), _VALUES, max_size=6))
def test_any_front_matter_parses_or_fails_with_one_clear_line(front: dict[str, object]) -> None:
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\nA film."
    try:
        result = parse_brief(text)
    except BriefError as error:
        assert "\n" not in str(error)
        return
    for message in result.warnings + result.not_understood:
        assert "\n" not in message
