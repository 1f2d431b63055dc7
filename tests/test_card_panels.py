"""A card shot ("End card: “...”", "Carton final : « ... »") shows its words: on its
storyboard panel and in its animatic clip, wrapped and centred in the frame at every aspect
ratio, as large as fit and never past the frame; a card with no words, and every other shot,
keeps its drawing. The prompts still leave the words out (an overlay set in the edit)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from storycore.tools import storyboard as sb
from storycore.tools.directions import CARD_HINT, CARDS, card_words
from storycore.tools.domain import (
    ASPECT_RATIOS,
    Framing,
    SceneType,
    ShotSize,
    ShotSpec,
    TechnicalSpecs,
)
from storycore.tools.production.animatic import AnimaticBackend
from storycore.tools.production.backend import RenderJob
from storycore.tools.storyboard import card as cards
from storycore.tools.storyboard import drawing
from storycore.tools.storyboard.panels import _panel_inputs

# Light pixels: a card's words (and a panel's label text), never its background or guide.
_LIGHT = 170


def _card_shot(description: str, title: str = "", **fields: object) -> ShotSpec:
    return ShotSpec(
        shot_id="shot_09",
        start_frame=0,
        end_frame=48,
        shot_size=ShotSize.CU,
        framing=Framing.INSERT,
        scene_type=SceneType.INSERT,
        lens_mm=85,
        description=description,
        title=title,
        **fields,
    )


def _specs(aspect: str = "16:9") -> TechnicalSpecs:
    return TechnicalSpecs(aspect_ratio=aspect)


def _light_box(
    image: Image.Image, box: tuple[int, int, int, int] | None = None
) -> tuple[int, int, int, int] | None:
    """The bounding box of the light pixels of ``image`` (within ``box``), in its pixels."""
    part = image.crop(box) if box else image
    mask = part.convert("L").point(lambda v: 255 if v >= _LIGHT else 0)
    found = mask.getbbox()
    if found is None or box is None:
        return found
    return found[0] + box[0], found[1] + box[1], found[2] + box[0], found[3] + box[1]


def _mean_difference(a: Image.Image, b: Image.Image) -> float:
    return float(ImageStat.Stat(ImageChops.difference(a, b)).mean[0])


def _between_labels(image: Image.Image) -> tuple[int, int, int, int]:
    """The rows of a panel between its label bands (where only the card's words are light)."""
    band = drawing.label_band()
    return 0, band, image.width, image.height - band


# -- the words ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "words"),
    [
        ("Title card: “Three weeks later”", "Three weeks later"),
        ('Closing card: "Thank you." "See you soon."', "Thank you.\nSee you soon."),
        ("Opening card — « Once upon a time »", "Once upon a time"),
        ("Intertitle: Winter, 1952", "Winter, 1952"),
        ("End card of the film: Northwind, breathe deeper.", "Northwind, breathe deeper."),
        ("Carton final : « Le goût du matin »", "Le goût du matin"),
        ("Carton : Trois semaines plus tard", "Trois semaines plus tard"),
        ("Écran de fin : « Roulez  libre. »", "Roulez libre."),
        ("Carton de fin : Merci", "Merci"),
    ],
)
def test_a_card_shots_words_are_its_quoted_words_or_those_after_its_name(
    description: str, words: str
) -> None:
    assert card_words(description) == words
    assert cards.shot_card_words(_card_shot(description)) == words


@pytest.mark.parametrize(
    "description",
    [
        "End card.",  # a card with no words
        "Carton final :",
        "End card, black, the logo fades in.",  # what follows describes the card
        "Close-up of the mug, tagline “Wake up slowly.”",  # not a card: a tagline overlay
        "She reads the card: “Happy birthday”",  # a card in the story, not a card shot
        "Gros plan sur la tasse : « Bonjour »",
    ],
)
def test_a_shot_that_is_no_card_or_names_no_words_has_no_card_words(description: str) -> None:
    assert cards.shot_card_words(_card_shot(description)) == ""


def test_a_shot_whose_title_names_a_card_shows_the_words_its_description_quotes() -> None:
    shot = _card_shot("The Northwind logo on white, the line “Breathe deeper.”", "End card")
    assert cards.shot_card_words(shot) == "Breathe deeper."
    assert cards.shot_card_words(shot.model_copy(update={"title": "Logo"})) == ""


def test_every_card_name_passes_the_cheap_test_before_the_direction_reader() -> None:
    for name in CARDS:
        assert CARD_HINT.search(name), name
        assert card_words(f"{name.capitalize()}: “Hello”") == "Hello", name


def test_a_shot_naming_no_card_is_not_read_for_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every panel asks for its card words (1000-shot plans too): a shot whose text names
    no card costs one regular expression, never the direction reader."""
    from storycore.tools import directions

    def refuse(text: str) -> None:
        raise AssertionError(f"read for a card: {text!r}")

    monkeypatch.setattr(directions, "stated_direction", refuse)
    for description in ("Medium shot of Jade sprinting.", "Close-up of the mug, tagline “Hi”"):
        assert cards.shot_card_words(_card_shot(description, "Jade")) == ""


def test_the_prompts_still_leave_a_cards_words_out() -> None:
    from storycore.tools.prompt_builder import build_shot_prompts

    shot = _card_shot("Final card: “Northwind. Breathe deeper.”")
    built = build_shot_prompts(shot, {}, _specs())
    assert cards.shot_card_words(shot) == "Northwind. Breathe deeper."
    assert "Breathe" not in built.image_prompt and "Breathe" not in built.video_prompt


# -- the panel ----------------------------------------------------------------------------


@pytest.mark.parametrize("aspect", sorted(ASPECT_RATIOS))
def test_a_card_panel_shows_its_words_centred_inside_the_frame(aspect: str) -> None:
    specs = _specs(aspect)
    card = sb.draw_panel(_card_shot("End card: “Northwind. Breathe deeper.”"), specs)
    insert = sb.draw_panel(_card_shot("End card."), specs)  # the same shot, no words
    area = _between_labels(card)
    assert _mean_difference(card.crop(area), insert.crop(area)) > 20
    words = _light_box(card, area)
    assert words is not None, "no words drawn"
    x0, y0, x1, y1 = words
    # inside the frame with a margin on each side, and centred
    assert x0 >= card.width * 0.05 and x1 <= card.width * 0.95, words
    assert abs((x0 + x1) / 2 - card.width / 2) <= 3, words
    assert abs((y0 + y1) / 2 - card.height / 2) <= card.height * 0.06, words
    # readable: the words are at least 5 panel pixels tall (a capital is about 0.7 em)
    assert y1 - y0 >= 5


def test_a_long_card_wraps_and_shrinks_but_never_leaves_the_frame() -> None:
    long = "Final card: “" + " ".join(["Northwind keeps you warm on every mountain"] * 6) + "”"
    for aspect in sorted(ASPECT_RATIOS):
        panel = sb.draw_panel(_card_shot(long), _specs(aspect))
        x0, y0, x1, y1 = _light_box(panel, _between_labels(panel)) or (0, 0, 0, 0)
        assert x1 > x0 and panel.width * 0.05 <= x0 and x1 <= panel.width * 0.95, aspect
        band = drawing.label_band()
        assert band < y0 and y1 < panel.height - band, aspect  # clear of the labels


@pytest.mark.parametrize(
    "size", [(640, 1138), (1080, 1920), (1920, 1080), (1920, 804), (640, 268), (96, 54)]
)
def test_the_card_words_are_as_large_as_fit_in_the_title_safe_area(size: tuple[int, int]) -> None:
    words = "Northwind. Breathe deeper, go further, stay out longer."
    image = Image.new("RGB", size)
    found = cards.draw_card(image, words, min_size=8)
    assert found is not None
    x0, y0, x1, y1 = cards.text_box(*size)
    ink = _light_box(image)
    assert ink is not None
    assert x0 <= ink[0] and ink[2] <= x1 and y0 <= ink[1] and ink[3] <= y1, (ink, (x0, y0, x1, y1))
    # every word is drawn, in order, and one size larger would not fit
    assert " ".join(found.lines).split() == words.split()
    larger = cards._fit(cards.drawable(words), found.size + 1, x1 - x0, y1 - y0)
    assert larger is None or found.size == max(8, round(min(size) * cards.MAX_SIZE))


def test_a_tiny_frame_cuts_the_words_or_draws_none_but_never_overflows() -> None:
    words = "Northwind. Breathe deeper, go further, stay out longer."
    for size in [(64, 36), (40, 40), (24, 14), (6, 4)]:
        image = Image.new("RGB", size)
        found = cards.draw_card(image, words, min_size=8)
        x0, y0, x1, y1 = cards.text_box(*size)
        ink = _light_box(image)
        if found is None:
            assert ink is None, size
            continue
        assert found.lines[-1].endswith("...") and found.size >= 8
        assert ink is not None and x0 <= ink[0] and ink[2] <= x1, size
        assert y0 <= ink[1] and ink[3] <= y1, size


def test_the_same_words_draw_the_same_card_and_other_words_another() -> None:
    specs = _specs("9:16")
    english = sb.draw_panel(_card_shot("End card: “Northwind.”"), specs).tobytes()
    french = sb.draw_panel(_card_shot("Carton final : « Northwind. »"), specs).tobytes()
    other = sb.draw_panel(_card_shot("End card: “Southwind.”"), specs).tobytes()
    assert english == french
    assert english != other


def test_a_card_panel_is_the_whole_drawing_and_byte_stable() -> None:
    shot = _card_shot("Carton final : « Le café qui se lève tôt »")
    specs = _specs("9:16")
    width, height = sb.panel_size(specs.aspect_ratio)
    s = drawing._SUPERSAMPLE
    whole = drawing._draw_background(shot, [], width * s, height * s, cards.shot_card_words(shot))
    drawing._draw_labels(ImageDraw.Draw(whole), shot, specs, whole.width, whole.height)
    reference = whole.resize((width, height), Image.Resampling.BOX).tobytes()
    assert sb.draw_panel(shot, specs).tobytes() == reference
    assert sb.panel_png(shot, specs) == sb.panel_png(shot, specs)


def test_a_cards_words_are_in_its_panel_hash_and_no_other_panel_hash_changes() -> None:
    specs = _specs()
    one = sb.panel_hash(_card_shot("End card: “Northwind.”"), specs)
    assert one != sb.panel_hash(_card_shot("End card: “Southwind.”"), specs)
    plain = _card_shot("Close-up of the mug, tagline “Wake up slowly.”")
    assert "card" not in _panel_inputs(plain, specs, [])
    assert _panel_inputs(_card_shot("End card: “Northwind.”"), specs, [])["card"] == "Northwind."


def test_a_card_with_no_words_keeps_the_insert_drawing() -> None:
    specs = _specs()
    assert (
        sb.draw_panel(_card_shot("End card."), specs).tobytes()
        == sb.draw_panel(_card_shot("Close-up of the mug."), specs).tobytes()
    )


def test_french_accents_are_drawn_over_their_letters_not_as_missing_glyph_boxes() -> None:
    """The bundled font has "e" and "´" but no "é": the card draws the letter and its
    accent (the word as wide as without it), and transliterates what it cannot draw."""
    accented = cards.card_picture("Le café", 400, 400)
    plain = cards.card_picture("Le cafe", 400, 400)
    word = _light_box(plain)
    changed = ImageChops.difference(accented, plain).convert("L").point(lambda v: 255 * (v > 60))
    accent = changed.getbbox()
    assert word is not None and accent is not None
    assert _light_box(accented) is not None
    # only over the last letter: narrow, at the right end, above the letters' tops
    assert accent[2] - accent[0] < (word[2] - word[0]) / 6
    assert accent[0] > (word[0] + word[2]) / 2 and accent[3] <= word[1] + (word[3] - word[1]) / 2
    for text in ("Noël", "Ça", "tôt", "Zürich", "ÉTÉ"):
        assert cards.drawable(text) == text  # each drawn with its accents
    assert cards.drawable("łódź") == "lódź"  # no "ł" with a stroke: transliterated
    assert cards.drawable("TrailMix.\nGo  further.") == "TrailMix.\nGo further."


# -- the animatic -------------------------------------------------------------------------


def _frame(path: Path, index: int) -> Image.Image:
    with av.open(str(path)) as container:
        for number, frame in enumerate(container.decode(video=0)):
            if number == index:
                return frame.to_image().convert("RGB")
    raise AssertionError(f"no frame {index}")


def _clip_job(tmp_path: Path, extras: dict[str, object], width: int, height: int) -> RenderJob:
    panel = tmp_path / "panel.png"
    sb.draw_panel(_card_shot("End card."), _specs("9:16")).save(panel)
    return RenderJob(
        target_id="shot_09",
        generation_hash="h" * 64,
        kind="video",
        prompt="",
        width=width,
        height=height,
        frame_count=12,
        native_fps=Fraction(24),
        version=1,
        provenance={"shot_id": "shot_09"},
        extras={"camera_movement": "static", "panel": str(panel), **extras},
    )


def test_a_card_shots_animatic_clip_shows_the_card_at_the_clips_size(tmp_path: Path) -> None:
    width, height = 270, 480
    job = _clip_job(tmp_path, {"card": "Northwind.\nBreathe deeper."}, width, height)
    clip = AnimaticBackend().wait("x", job, tmp_path / "card")[0].path
    frame = _frame(clip, 6)
    expected = cards.card_picture("Northwind.\nBreathe deeper.", width, height)
    middle = (0, height // 4, width, height * 3 // 4)  # clear of the burn-in
    assert _mean_difference(frame.crop(middle), expected.crop(middle)) < 4
    assert _light_box(frame, middle) is not None
    # the same job without the card's words: the panel, scaled up (no words)
    plain_job = _clip_job(tmp_path, {}, width, height)
    plain = _frame(AnimaticBackend().wait("x", plain_job, tmp_path / "plain")[0].path, 6)
    assert _mean_difference(frame.crop(middle), plain.crop(middle)) > 20


@pytest.mark.slow
def test_a_planned_card_shot_is_produced_with_its_card(tmp_path: Path) -> None:
    """Plan a brief that ends on a card, then produce that shot offline: its panel and
    its clip show the card's words; every other shot's job carries none."""
    from storycore.agent.cli.main import main
    from storycore.tools.production.selection import ProductionBase
    from storycore.tools.project import Project
    from storycore.tools.storyboard import load_plan

    from .test_production import shrink

    source = tmp_path / "brief.md"
    source.write_text(
        "A 12-second vertical ad for Northwind jackets. Calm, cold light.\n\n"
        "At dawn, NOOR, a climber in a red jacket, reaches a windy ridge. She smiles. "
        "End card: “Northwind. Breathe deeper.”\n",
        encoding="utf-8",
    )
    root = tmp_path / "p"
    assert main(["plan", str(source), "--out", str(root), "--offline", "--yes"]) == 0
    plan = load_plan(Project.open(root))
    specs = [planned.spec for planned in plan.shots]
    card = next(s for s in specs if s.description.startswith("End card"))
    assert card.framing is Framing.INSERT
    assert "Breathe" not in card.image_prompt + card.video_prompt  # an overlay in the edit
    panel_path = next(p.panel_path for p in plan.shots if p.spec.shot_id == card.shot_id)
    with Image.open(root / panel_path) as opened:
        panel = opened.convert("RGB")
    assert _light_box(panel, _between_labels(panel)) is not None

    shrink(root, 180)
    jobs = {shot_id: task.job for shot_id, task in ProductionBase(Project.open(root)).tasks.items()}
    assert jobs[card.shot_id].extras["card"] == "Northwind. Breathe deeper."
    assert all("card" not in job.extras for shot_id, job in jobs.items() if shot_id != card.shot_id)
    assert main(["produce", str(root), "--yes"]) == 0
    frame = _frame(root / "03_videos" / f"{card.shot_id}_v1.mp4", 3)
    assert frame.size == (180, 320)
    expected = cards.card_picture("Northwind. Breathe deeper.", *frame.size)
    middle = (0, frame.height // 4, frame.width, frame.height * 3 // 4)
    diff = ImageStat.Stat(ImageChops.difference(frame.crop(middle), expected.crop(middle)))
    assert diff.mean[0] < 4
    assert _light_box(frame, middle) is not None
