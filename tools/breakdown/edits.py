"""Edits to a plan's shots: splitting shots longer than a model's clip, retiming."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from storycore.tools.breakdown.text import _short
from storycore.tools.domain import (
    DialogueLine,
    ShotSpec,
    Transition,
)
from storycore.tools.errors import InvalidInput
from storycore.tools.i18n import Messages, catalog_language
from storycore.tools.rates import parse_rate

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _part_ids(shot_id: str, parts: int, taken: set[str]) -> list[str]:
    match = re.fullmatch(r"(shot_\d{2,3})([a-z]{0,2})", shot_id)
    if match is None:
        raise InvalidInput(f"{shot_id!r} is not a shot id like shot_04")
    used_letters = len(match.group(2))
    candidates: list[str] = []
    if used_letters <= 1 and parts <= len(_LETTERS):
        candidates = [f"{shot_id}{a}" for a in _LETTERS]
    elif used_letters == 0:
        candidates = [f"{shot_id}{a}{b}" for a in _LETTERS for b in _LETTERS]
    free = [c for c in candidates if c not in taken]
    if len(free) < parts:
        raise InvalidInput(
            f"{shot_id} cannot be split into {parts} parts (shot ids end in at most two "
            "letters); choose a model with longer clips for it"
        )
    return free[:parts]


def _spread_words(texts: Sequence[str], bounds: Sequence[Fraction]) -> list[list[str]]:
    """Each text's words by part: words are spoken evenly across the whole shot."""
    words = [(t, w) for t, text in enumerate(texts) for w in text.split()]
    out: list[list[list[str]]] = [[[] for _ in texts] for _ in bounds]
    total = len(words)
    for k, (t, word) in enumerate(words):
        when = Fraction(2 * k + 1, 2 * total)
        part = next(i for i, end in enumerate(bounds) if when < end or i == len(bounds) - 1)
        out[part][t].append(word)
    return [[" ".join(ws) for ws in part] for part in out]


def split_long_shots(
    shots: Sequence[ShotSpec],
    max_frames: Callable[[ShotSpec], int],
    language: str | None = None,
) -> list[ShotSpec]:
    """Cut each shot longer than ``max_frames(shot)`` (its model's longest clip) into the
    fewest near-equal consecutive parts that fit: ``shot_04`` becomes ``shot_04a``,
    ``shot_04b``... (letters already used by other shots are skipped). Parts keep the framing
    and content, carry ``split_from`` (the planned shot) and ``continues_from`` (the part
    before), are joined by cuts, and share the dialogue by when its words are spoken. Other
    shots are returned unchanged, ids included. A later part's description says it
    continues, in ``language`` (the project's: "(continues)", "(suite)").
    """
    m = Messages(catalog_language(language))
    taken = {shot.shot_id for shot in shots}
    out: list[ShotSpec] = []
    for shot in shots:
        limit = max_frames(shot)
        if limit < 1:
            raise InvalidInput(
                f"the longest clip for {shot.shot_id} must be at least one frame, not {limit}"
            )
        length = shot.duration_frames
        if length <= limit:
            out.append(shot)
            continue
        count = -(-length // limit)
        sizes = [length // count + (1 if i < length % count else 0) for i in range(count)]
        ids = _part_ids(shot.shot_id, count, taken)
        taken.update(ids)
        bounds: list[Fraction] = []
        elapsed = 0
        for size in sizes:
            elapsed += size
            bounds.append(Fraction(elapsed, length))
        lines = shot.dialogue
        spread = _spread_words([line.text for line in lines], bounds) if lines else None
        narration = _spread_words([shot.narration], bounds) if shot.narration else None
        origin = shot.split_from or shot.shot_id
        start = shot.start_frame
        spoken: set[int] = set()  # lines whose first words are already placed
        for part, (part_id, size) in enumerate(zip(ids, sizes, strict=True)):
            first, last = part == 0, part == count - 1
            dialogue: list[DialogueLine] = []
            for n, line in enumerate(lines):
                text = spread[part][n] if spread is not None else ""
                if text:
                    paren = line.parenthetical if n not in spoken else None
                    spoken.add(n)
                    dialogue.append(line.model_copy(update={"text": text, "parenthetical": paren}))
            note = f"part {part + 1} of {count} of {origin}"
            if not first:
                note = f"continues {ids[part - 1]} from its last frame; {note}"
            notes = "; ".join(n for n in (shot.generation_notes, note) if n)
            update: dict[str, Any] = {
                "shot_id": part_id,
                "title": _short(f"{shot.title} ({part + 1}/{count})", 200),
                "start_frame": start,
                "end_frame": start + size,
                "split_from": origin,
                "continues_from": shot.continues_from if first else ids[part - 1],
                "transition_in": shot.transition_in if first else Transition.CUT,
                "transition_out": shot.transition_out if last else Transition.CUT,
                "start_keyframe": shot.start_keyframe if first else None,
                "end_keyframe": shot.end_keyframe if last else None,
                "dialogue": dialogue,
                "narration": (narration[part][0] or None) if narration else None,
                "generation_notes": notes,
            }
            if not first:
                update["description"] = m("shot_text.continues", text=shot.description)
            out.append(shot.model_copy(update=update))
            start += size
    return out


def retime(shots: Sequence[ShotSpec], rate: Fraction | str | int = 24) -> list[ShotSpec]:
    """The shots laid end to end from frame 0, each keeping its length in frames (``rate``
    is the project rate the frames count at; it is checked, not used to convert)."""
    parse_rate(rate)
    out: list[ShotSpec] = []
    start = 0
    for shot in shots:
        length = shot.duration_frames
        out.append(shot.model_copy(update={"start_frame": start, "end_frame": start + length}))
        start += length
    return out
