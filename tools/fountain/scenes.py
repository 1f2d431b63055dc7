"""A screenplay to :class:`~storycore.tools.domain.Scene` objects (:func:`scenes_from_fountain`):
scene numbers as written or by order, characters present, props shown, entry transitions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from storycore.tools.domain import Beat, Scene
from storycore.tools.errors import BriefError
from storycore.tools.fountain.headings import SceneHeading
from storycore.tools.fountain.parse import Screenplay, parse_fountain
from storycore.tools.fountain.people import PERSON_NOUNS, unnamed_characters
from storycore.tools.fountain.props import find_props, mentions, props_by_scene
from storycore.tools.fountain.timing import infer_transitions
from storycore.tools.fountain.voice_over import voice_over_beats
from storycore.tools.text import fold_words_keep_colon as fold


def _scene_numbers(headings: Sequence[SceneHeading]) -> list[str]:
    written: dict[str, int] = {}
    for index, heading in enumerate(headings):
        if heading.number is None:
            continue
        if heading.number in written:
            first = written[heading.number] + 1
            raise BriefError(
                f"scene number {heading.number} is used by scene headings {first} and "
                f"{index + 1}; give each scene its own number"
            )
        written[heading.number] = index
    numbers: list[str] = []
    taken = set(written)
    for index, heading in enumerate(headings):
        if heading.number is not None:
            numbers.append(heading.number)
            continue
        # Its order, unless a written number already says the same ("3" then "3B", "3C").
        candidate = str(index + 1)
        suffix = ord("B")
        while candidate in taken:
            candidate = f"{index + 1}{chr(suffix)}"
            suffix += 1
        taken.add(candidate)
        numbers.append(candidate)
    return numbers


def _present(beats: Sequence[Beat], names: dict[str, str]) -> list[str]:
    """Characters seen in a scene, in order: speakers (not V.O./O.S.) and names in action."""
    seen: dict[str, None] = {}
    for beat in beats:
        if beat.kind == "dialogue" and beat.character and beat.extension is None:
            seen.setdefault(names.get(beat.character, beat.character), None)
        elif beat.kind == "action":
            for cue, display in names.items():
                if mentions(beat.text, display) or mentions(beat.text, cue):
                    seen.setdefault(display, None)
    return list(seen)


def _with_display_name(beat: Beat, names: dict[str, str]) -> Beat:
    if beat.kind == "action" and not beat.character:
        read = _introductions_as_names(beat.text, names)
        return beat if read == beat.text else beat.model_copy(update={"text": read})
    if not beat.character:
        return beat
    display = names.get(beat.character, beat.character)
    update: dict[str, Any] = {"character": display}
    if beat.kind == "action":
        update["text"] = beat.text.replace(beat.character, display, 1)
    return beat.model_copy(update=update)


def _introductions_as_names(text: str, names: dict[str, str]) -> str:
    """An action line as a shot reads it: a character introduced in capitals with their
    details ("NINA (30s, black gloves) drops from the skylight") named as they are everywhere
    else ("Nina drops from the skylight"); the details are the character's look, read from
    the screenplay itself. A line all in capitals (shouted) stays as written."""
    if text.isupper():
        return text
    for cue, display in names.items():
        # "GaBy (20s, soaked, dark curly hair) runs in": a mixed-case introduction, its
        # details in brackets, reads as the name alone too
        text = re.sub(
            rf"(?<![\w'’])(?i:{re.escape(display)})(?![\w'’])\s*\((?=[^)]*\d|[^)]*,)[^)]*\)",
            display,
            text,
        )
        if not cue.isupper() or cue == display or cue not in text:
            continue
        # not inside a direction in capitals ("TOMAS'S POV", "MARC ENTERS")
        pattern = rf"\b{re.escape(cue)}\b(?!['’])(?!\s+[A-Z]{{2,}}\b)(?:\s*\([^)]*\))?"
        text = re.sub(pattern, partial(_spelled, display=display), text)
    # "A WOMAN in a red coat runs": a person the story names by a noun reads as the noun
    return _CAPS_PERSON.sub(_person_noun, text)


_CAPS_PERSON = re.compile(
    r"(?<![\w'’])(?P<article>(?i:a|an|the|un|une|le|la|l['’]))(?P<space>\s*(?:[a-zà-ÿ][\w'’-]*\s+){0,2})"
    r"(?P<noun>[A-ZÀ-Þ][A-ZÀ-Þ'’-]+(?:\s+[A-ZÀ-Þ][A-ZÀ-Þ'’-]+)?)\b(?![(])"
)


def _person_noun(match: re.Match[str]) -> str:
    noun = match.group("noun")
    if fold(noun).rsplit(" ", 1)[-1] not in PERSON_NOUNS:
        return match.group(0)
    return f"{match.group('article')}{match.group('space')}{noun.lower()}"


_ARTICLE_BEFORE = re.compile(
    r"(?:^|\s)(?:a|an|the|this|that|un|une|le|la|l['’]|ce|cet|cette)\s*$", re.IGNORECASE
)


def _spelled(match: re.Match[str], *, display: str) -> str:
    """How a character introduced in capitals reads where ``match`` found them: their name,
    except a person noun after an article, which stays a noun ("A BOY in a yellow raincoat"
    reads "A boy in a yellow raincoat", not "A Boy"; "An OLD VENDOR" reads "An old vendor":
    the noun may come with the words that describe the person)."""
    if _ARTICLE_BEFORE.search(match.string[: match.start()]) and any(
        word in PERSON_NOUNS for word in fold(display).split()
    ):
        return display.lower()
    return display


def _voice_overs_as_narration(screenplay: Screenplay, names: Sequence[str]) -> None:
    """Action paragraphs that hold a voice-over ("Une voix off raconte : « ... »", "A
    voice-over says: ...") as V.O. lines: narration over the picture, its speaker unseen."""
    for beats in [screenplay.preamble, *(s.beats for s in screenplay.scenes)]:
        beats[:] = [
            out
            for beat in beats
            for out in (
                (voice_over_beats(beat.text, names) or [beat]) if beat.kind == "action" else [beat]
            )
        ]


def scenes_from_fountain(
    text: str, *, known_props: Iterable[str] = ()
) -> tuple[list[Scene], dict[str, str]]:
    """The scenes of a Fountain screenplay, and its title page (lower-case keys).

    Raises :class:`BriefError` when the text has no scene heading or when two headings carry
    the same scene number.
    """
    return scenes_from_screenplay(parse_fountain(text), known_props=known_props)


def scenes_from_screenplay(
    screenplay: Screenplay, *, known_props: Iterable[str] = ()
) -> tuple[list[Scene], dict[str, str]]:
    """:func:`scenes_from_fountain` on a screenplay already parsed (its preamble is moved
    into its first scene)."""
    if not screenplay.scenes:
        raise BriefError(
            "the screenplay has no scene headings; start each scene with a line like "
            "'INT. KITCHEN - NIGHT' (or force one with a leading '.')"
        )
    # People the action lines refer to without a cue or a name ("A young woman waits"):
    # characters named by their noun ("The Woman"), seen where the noun is.
    actions = [b.text for s in screenplay.scenes for b in s.beats if b.kind == "action"]
    actions += [b.text for b in screenplay.preamble if b.kind == "action"]
    unnamed = unnamed_characters(actions, [*screenplay.characters, *screenplay.characters.values()])
    names = {**screenplay.characters, **{name: name for _, name in unnamed}}
    _voice_overs_as_narration(screenplay, [*names.values()])
    # Opening action before any heading belongs to the first scene; a lone FADE IN: is its
    # entry transition.
    screenplay.scenes[0].beats[:0] = screenplay.preamble
    numbers = _scene_numbers([s.heading for s in screenplay.scenes])
    all_actions = [b.text for s in screenplay.scenes for b in s.beats if b.kind == "action"]
    excluded = [*names, *names.values()]
    props = find_props(all_actions, known_props=known_props, exclude=excluded, handled=True)
    shown = props_by_scene(
        [[b.text for b in s.beats if b.kind == "action"] for s in screenplay.scenes],
        props,
        declared=known_props,
    )
    scenes: list[Scene] = []
    for index, (parsed, number) in enumerate(zip(screenplay.scenes, numbers, strict=True)):
        beats = [_with_display_name(beat, names) for beat in parsed.beats]
        scene_props = shown[index]
        description = parsed.synopsis or next((b.text for b in beats if b.kind == "action"), "")
        scenes.append(
            Scene(
                scene_id=f"sc_{index + 1:02d}",
                number=number,
                heading=parsed.heading.text,
                location=parsed.heading.location,
                int_ext=parsed.heading.int_ext,
                time_of_day=parsed.heading.time_of_day,
                description=description,
                characters=_present(beats, names),
                props=scene_props,
                beats=beats,
            )
        )
    return infer_transitions(scenes), screenplay.title_page
