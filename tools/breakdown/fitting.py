"""Fitting drafted shots to a length: exact frame shares, stretching, merging, reducing."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from fractions import Fraction

from storycore.tools.breakdown.drafts import _Draft
from storycore.tools.breakdown.rules import BreakdownRules
from storycore.tools.breakdown.text import _dedupe, _short
from storycore.tools.domain import (
    CameraMovement,
    DialogueLine,
    Framing,
    SceneType,
    ShotSize,
    ShotSpec,
)
from storycore.tools.errors import BriefError, InvalidInput
from storycore.tools.i18n import Messages


def allocate_frames(weights: Sequence[Fraction], total: int, minimum: int = 0) -> list[int]:
    """Split ``total`` frames in proportion to ``weights``, exactly, none under ``minimum``.

    Shots whose share would fall under the minimum get the minimum and the rest is shared
    among the others; shares are then floored and the frames left over go to the largest
    remainders (the earlier shot on a tie). The result sums to ``total`` and each share is
    within one frame of its ideal: no drift however many shots.
    """
    n = len(weights)
    if n == 0:
        if total:
            raise InvalidInput(f"cannot share {total} frames among no shots")
        return []
    if any(w <= 0 for w in weights):
        raise InvalidInput("every shot needs a positive length to share frames")
    if n * minimum > total:
        raise InvalidInput(
            f"{total} frames cannot hold {n} shots of at least {minimum} frames each"
        )
    fixed: set[int] = set()
    while True:
        free = [i for i in range(n) if i not in fixed]
        remaining = total - minimum * len(fixed)
        weight = sum((weights[i] for i in free), Fraction(0))
        ideal = {i: weights[i] * remaining / weight for i in free}
        under = [i for i in free if ideal[i] < minimum]
        if not under:
            break
        fixed.update(under)
    frames = [minimum] * n
    for i in free:
        frames[i] = math.floor(ideal[i])
    left = total - sum(frames)
    by_remainder = sorted(free, key=lambda i: (-(ideal[i] - math.floor(ideal[i])), i))
    for i in by_remainder[:left]:
        frames[i] += 1
    return frames


def _fit_seconds(drafts: Sequence[_Draft], target: Fraction) -> list[Fraction]:
    """Lengths that sum to ``target``. Lengthening scales every shot alike; shortening first
    takes from elastic shots (not dialogue) down to the pace minimum, then scales all."""
    natural = [d.seconds for d in drafts]
    total = sum(natural, Fraction(0))
    if total <= 0:
        return [target / len(drafts)] * len(drafts)
    if target >= total:
        return [n * target / total for n in natural]
    need = total - target
    slack = [max(Fraction(0), d.seconds - d.floor) if d.elastic else Fraction(0) for d in drafts]
    available = sum(slack, Fraction(0))
    if available >= need:
        ratio = need / available
        return [n - s * ratio for n, s in zip(natural, slack, strict=True)]
    base = [n - s for n, s in zip(natural, slack, strict=True)]
    scale = target / sum(base, Fraction(0))
    return [b * scale for b in base]


def _merge(first: _Draft, second: _Draft) -> _Draft:
    dialogue = first.dialogue + second.dialogue
    merged = _Draft(
        kind="dialogue" if dialogue else first.kind,
        scene_index=first.scene_index,
        seconds=first.seconds + second.seconds,
        floor=first.floor + second.floor,
        elastic=first.elastic and second.elastic,
        shot_size=first.shot_size,
        framing=first.framing,
        camera_movement=first.camera_movement,
        scene_type=first.scene_type,
        camera_angle=first.camera_angle,
        title=first.title,
        description=f"{first.description} {second.description}",
        action=" ".join(t for t in (first.action, second.action) if t),
        camera_details=first.camera_details,
        characters=_dedupe(first.characters + second.characters),
        props=_dedupe(first.props + second.props),
        dialogue=dialogue,
        narration=" ".join(n for n in (first.narration, second.narration) if n) or None,
        notes=_dedupe([*first.notes, *second.notes, "two planned shots merged to fit the target"]),
        transition_in=first.transition_in,
        speech_seconds=first.speech_seconds + second.speech_seconds,
    )
    if dialogue and first.kind != "dialogue":
        # Lines now carry the shot: frame who speaks, as a two-shot when two do.
        speakers = _dedupe(line.character for line in dialogue)
        merged.scene_type = SceneType.DIALOGUE
        merged.shot_size = ShotSize.MS
        merged.framing = Framing.TWO_SHOT if len(merged.characters) >= 2 else Framing.SINGLE
        merged.camera_movement = CameraMovement.STATIC
        merged.title = f"{' and '.join(speakers)}: {_short(dialogue[0].text, 40)}"
    elif dialogue and len(_dedupe(line.character for line in dialogue)) > 1:
        merged.framing = Framing.TWO_SHOT
        merged.shot_size = ShotSize.MS
    return merged


def _reduce(drafts: list[_Draft], capacity: int, rules: BreakdownRules) -> Counter[str]:
    """Drop or merge the least important shots until at most ``capacity`` remain."""
    done: Counter[str] = Counter()
    stages = {name: rank for rank, name in enumerate(rules.reduction_order)}
    while len(drafts) > capacity:
        best: tuple[tuple[int, Fraction, int], str, int] | None = None
        for i, draft in enumerate(drafts):
            same_scene_next = i + 1 < len(drafts) and drafts[i + 1].scene_index == draft.scene_index
            same_scene_prev = i > 0 and drafts[i - 1].scene_index == draft.scene_index
            alone = not (same_scene_next or same_scene_prev)
            options: list[tuple[str, Fraction]] = []
            if draft.kind in ("reaction", "insert") and not alone:
                options.append((draft.kind, draft.seconds))
            if draft.kind == "establishing" and i > 0 and same_scene_next:
                options.append(("establishing", draft.seconds))
            if same_scene_next:
                options.append(("merge", draft.seconds + drafts[i + 1].seconds))
            for action, seconds in options:
                key = (stages.get(action, len(stages)), seconds, -i)
                if best is None or key < best[0]:
                    best = (key, action, i)
        if best is None:
            raise BriefError("no shot can be dropped or merged")  # guarded by the caller
        _, action, i = best
        if action in ("reaction", "insert"):
            drafts.pop(i)
        else:
            merged = _merge(drafts[i], drafts[i + 1])
            if action == "establishing":
                # The next shot keeps its framing and takes the place's description.
                opening, following = drafts[i], drafts[i + 1]
                merged = _merge(following, opening)
                merged.description = f"{opening.description} {following.description}"
                merged.action = " ".join(t for t in (opening.action, following.action) if t)
                merged.notes = [n for n in merged.notes if "merged" not in n]
                merged.notes.append("establishing shot folded in to fit the target")
            drafts[i : i + 2] = [merged]
        done[action] += 1
    return done


def _reduction_sentence(
    done: Counter[str], target: float, before: int, minimum: int, language: str | None = None
) -> str:
    m = Messages(language)
    parts = [
        m.plural(f"breakdown.reduction.{key}", done[key])
        for key in ("reaction", "insert", "establishing", "merge")
        if done.get(key, 0)
    ]
    return m(
        "breakdown.reduced",
        target=f"{target:g}",
        before=before,
        minimum=minimum,
        parts=", ".join(parts),
    )


def _set_seconds(drafts: Sequence[_Draft], seconds: Sequence[Fraction]) -> None:
    for draft, length in zip(drafts, seconds, strict=True):
        draft.seconds = length
        draft.floor = min(draft.floor, length)


def _lengthen_capped(drafts: Sequence[_Draft], target: Fraction, cap: Fraction) -> list[Fraction]:
    """Lengths that sum to ``target`` (at least the drafts' total): every shot scaled alike,
    except that none is pushed past ``cap`` (or its own length when already longer) while
    other shots still have room. When no shot has room left, all are scaled alike."""
    natural = [d.seconds for d in drafts]
    total = sum(natural, Fraction(0))
    if total <= 0 or target <= total:
        return _fit_seconds(drafts, target)
    limits = [max(cap, n) for n in natural]
    fixed: set[int] = set()
    while True:
        free = [i for i in range(len(natural)) if i not in fixed]
        if not free:
            return [n * target / total for n in natural]
        room = target - sum((limits[i] for i in fixed), Fraction(0))
        weight = sum((natural[i] for i in free), Fraction(0))
        over = [i for i in free if natural[i] * room > limits[i] * weight]
        if not over:
            break
        fixed.update(over)
    return [limits[i] if i in fixed else natural[i] * room / weight for i in range(len(natural))]


_PART_NOTE = re.compile(r"(?:continues \S+ from its last frame; )?part \d+ of \d+ of \S+")
_PART_TITLE = re.compile(r" \(\d+/\d+\)$")


def _join_dialogue(parts: Sequence[ShotSpec]) -> list[DialogueLine]:
    """The parts' dialogue as one shot's: a line the split cut at a boundary (same speaker,
    no parenthetical on the second half, the first half not ending a sentence) is joined."""
    lines: list[DialogueLine] = []
    for index, part in enumerate(parts):
        for n, line in enumerate(part.dialogue):
            previous = lines[-1] if lines else None
            if (
                index > 0
                and n == 0
                and previous is not None
                and previous.character == line.character
                and line.parenthetical is None
                and not previous.text.rstrip().endswith((".", "!", "?", "…", '"', "»"))
            ):
                lines[-1] = previous.model_copy(update={"text": f"{previous.text} {line.text}"})
            else:
                lines.append(line)
    return lines


def merge_split_parts(
    shots: Sequence[ShotSpec], max_frames: Callable[[ShotSpec], int], taken: set[str]
) -> tuple[list[ShotSpec], dict[str, list[str]]]:
    """Join the consecutive parts of one planned shot (same ``split_from``, same model) back
    into one shot when their total fits in ``max_frames(first part)``: the reverse of
    :func:`~storycore.tools.breakdown.edits.split_long_shots`, for a model change that no
    longer needs the split. The shot gets its planned id back (``shot_11``; the first part's
    id when that one is ``taken`` by another shot or a rendered clip), the first part's
    start and the parts' total length, their dialogue and narration, and loses the part
    notes. Returns the shots and, per merged id, the parts it replaces."""
    out: list[ShotSpec] = []
    merged: dict[str, list[str]] = {}
    i = 0
    while i < len(shots):
        shot = shots[i]
        j = i + 1
        if shot.split_from:
            while (
                j < len(shots)
                and shots[j].split_from == shot.split_from
                and shots[j].model_id == shot.model_id
                and shots[j].continues_from == shots[j - 1].shot_id
            ):
                j += 1
        parts = list(shots[i:j])
        total = sum(p.duration_frames for p in parts)
        if len(parts) < 2 or total > max_frames(shot):
            out.append(shot)
            i += 1 if len(parts) < 2 else len(parts)
            if len(parts) >= 2:
                out.extend(parts[1:])
            continue
        origin = shot.split_from or shot.shot_id
        part_ids = {p.shot_id for p in parts}
        new_id = origin if origin not in (taken - part_ids) else shot.shot_id
        notes = "; ".join(
            n for n in (_PART_NOTE.sub("", p.generation_notes).strip(" ;") for p in parts[:1]) if n
        )
        narration = " ".join(p.narration for p in parts if p.narration) or None
        last = parts[-1]
        out.append(
            shot.model_copy(
                update={
                    "shot_id": new_id,
                    "title": _PART_TITLE.sub("", shot.title),
                    "end_frame": shot.start_frame + total,
                    "split_from": None,
                    "transition_out": last.transition_out,
                    "end_keyframe": last.end_keyframe,
                    "dialogue": _join_dialogue(parts),
                    "narration": narration,
                    "generation_notes": notes,
                }
            )
        )
        merged[new_id] = [p.shot_id for p in parts]
        i = j
    return out, merged
