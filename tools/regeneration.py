"""The regeneration manager: what a change to the plan makes stale, and applying it.

Dependencies run element -> shots -> segments -> documents:

- a shot's media depends on what :func:`shot_generation_hash` hashes: its framing, content,
  audio, assets, technical overrides, model, duration in frames, prompts, and the content
  hashes of the elements it shows. NOT its place in the timeline: retiming or moving another
  shot never makes it stale;
- a shot that continues from another one's last frame (``continues_from``) is regenerated
  when that one is;
- a segment is reassembled when its list of shots changes or one of its shots is
  regenerated;
- the storyboard documents (and any export already in ``exports/``) are always rewritten.

:func:`plan_changes` validates and normalises :mod:`storycore.tools.feedback` modifications
against the project and computes, without writing anything, the smallest set to regenerate:
it simulates the change, builds the prompts of every shot before and after, and compares the
hashes. :func:`apply_changes` then writes it all in ONE project transaction, so it is atomic
and :meth:`Project.undo` undoes it.

Generated media is recorded per shot in ``ShotSpec.generation_hash`` (the hash of the spec its
media came from; :func:`record_generated` sets it, a regenerated shot has it cleared), so
:func:`stale_shots` lists the shots whose media is missing or out of date.

``docs/feedback.md`` explains the rules (locks, splitting, the description rewrite).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from pydantic import ValidationError

from storycore.tools import exports as exports_module
from storycore.tools.breakdown import DEFAULT_RULES, retime, split_long_shots
from storycore.tools.domain import (
    AssetMetadata,
    CameraMovement,
    ElementStatus,
    Framing,
    SceneType,
    Segment,
    ShotRef,
    ShotSize,
    ShotSpec,
    ShotStatus,
    format_validation_error,
)
from storycore.tools.errors import ConflictError, InvalidInput, NotFound
from storycore.tools.feedback import (
    ATTRIBUTE_WORDS,
    FRENCH_NOUNS,
    STYLE_NOUNS,
    InsertShot,
    Lock,
    Modification,
    MoveShot,
    Regenerate,
    RegenerateWithout,
    RemoveShot,
    RetimeShot,
    SetModel,
    SetShotField,
    Unlock,
    UpdateElement,
    fold,
    parse_modifications,
    resolve_scene,
    resolve_shot_ref,
)
from storycore.tools.model_registry import Kind, ModelCapability, ModelRegistry, max_clip_frames
from storycore.tools.model_selector import ModelSelector, request_for_shot
from storycore.tools.naming import renumbered, slugify, split_numbered, unique
from storycore.tools.planner import build_prompts, read_scenes, sync_links
from storycore.tools.project import Project, Transaction
from storycore.tools.prompt_builder import build_shot_prompts
from storycore.tools.registry import AssetRegistry, attribute_key
from storycore.tools.storyboard import (
    STORYBOARD_HTML,
    STORYBOARD_JSON,
    STORYBOARD_MD,
    VISUAL_STRATEGY_JSON,
    write_documents,
)
from storycore.tools.structure import (
    SHOT_FILE,
    SHOTS,
    VIDEOS,
    load_shots,
    set_segments,
    shot_title,
    write_shots,
)
from storycore.tools.timecode import seconds_to_frames

__all__ = [
    "DOCUMENTS",
    "HASHED_FIELDS",
    "AppliedChange",
    "ChangePlan",
    "apply_changes",
    "plan_changes",
    "record_generated",
    "rewrite_trait",
    "shot_generation_hash",
    "stale_shots",
]

#: The documents every change rewrites (plus any export already in ``exports/``).
DOCUMENTS = (STORYBOARD_JSON, STORYBOARD_MD, STORYBOARD_HTML, VISUAL_STRATEGY_JSON)

#: The shot fields a shot's media depends on (with its duration, prompts and elements).
#: Left out on purpose: identity and place (shot_id, title, scene, segment_id, start/end
#: frames), transitions (editing; the cut marker reaches the video prompt anyway),
#: continuity links (handled as a dependency between shots), status and notes.
HASHED_FIELDS = (
    "shot_size",
    "framing",
    "camera_angle",
    "camera_movement",
    "camera_details",
    "lens_mm",
    "scene_type",
    "description",
    "action",
    "characters",
    "location",
    "props",
    "time_of_day",
    "weather",
    "music_cue",
    "vocals_type",
    "lyrics_ref",
    "dialogue",
    "narration",
    "sound_effects",
    "start_keyframe",
    "end_keyframe",
    "reference_images",
    "aspect_ratio",
    "fps",
    "resolution",
    "model_id",
    "image_prompt",
    "video_prompt",
    "negative_prompt",
)

_FIELD_LABELS = {
    "shot_size": "shot size",
    "camera_angle": "camera angle",
    "camera_movement": "camera movement",
    "framing": "framing",
    "lens_mm": "lens",
    "description": "description",
    "action": "action",
    "model_id": "model",
    "scene_type": "scene type",
    "transition_in": "transition in",
    "time_of_day": "time of day",
    "weather": "weather",
}
#: What RegenerateWithout clears, by aspect.
_CLEARED: dict[str, dict[str, Any]] = {
    "narration": {"narration": None},
    "dialogue": {"dialogue": []},
    "music": {"music_cue": None, "vocals_type": None, "lyrics_ref": None},
    "sound_effects": {"sound_effects": []},
}
_MOVEMENT_PHRASES = {
    CameraMovement.STATIC: "static",
    CameraMovement.HANDHELD: "handheld, following the action",
    CameraMovement.TRACKING: "tracking alongside",
    CameraMovement.DOLLY_IN: "slow push in",
    CameraMovement.PAN: "slow pan",
    CameraMovement.ORBIT: "slow orbit",
}
_KNOWN_MOVEMENT_PHRASES = sorted(
    {
        *_MOVEMENT_PHRASES.values(),
        "slow dolly in",
        *(m.value.replace("_", " ") for m in CameraMovement),
    },
    key=len,
    reverse=True,
)

# --------------------------------------------------------------------------------------
# Hashes
# --------------------------------------------------------------------------------------


def _element_hash(element: AssetMetadata | None) -> str:
    return element.content().digest() if element is not None else "missing"


def shot_generation_hash(shot: ShotSpec, elements: Mapping[str, AssetMetadata]) -> str:
    """A SHA-256 of everything the shot's media depends on: the fields of
    :data:`HASHED_FIELDS` (prompts included), its duration in frames and the content hashes
    of the elements it shows. Its place in the timeline is not part of it."""
    data: dict[str, Any] = shot.model_dump(mode="json", include=set(HASHED_FIELDS))
    data["duration_frames"] = shot.duration_frames
    data["elements"] = {eid: _element_hash(elements.get(eid)) for eid in shot.element_ids()}
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _continuity_closure(shots: Sequence[ShotSpec], seeds: Iterable[str]) -> set[str]:
    """``seeds`` plus every shot that continues (transitively) from one of them."""
    out = set(seeds)
    grew = True
    while grew:
        grew = False
        for shot in shots:
            if shot.shot_id not in out and shot.continues_from in out:
                out.add(shot.shot_id)
                grew = True
    return out


def stale_shots(project: Project) -> list[str]:
    """Shots (timeline order) whose media is missing or was made from another spec: no
    ``generation_hash``, a different one, or continuing from such a shot."""
    shots = load_shots(project)
    elements = {e.element_id: e for e in AssetRegistry(project).list()}
    stale = {
        s.shot_id
        for s in shots
        if s.generation_hash is None or s.generation_hash != shot_generation_hash(s, elements)
    }
    stale = _continuity_closure(shots, stale)
    return [s.shot_id for s in shots if s.shot_id in stale]


def record_generated(project: Project, shot_ids: Iterable[str]) -> list[str]:
    """Record that the media of these shots was generated from their current spec (the
    renderer calls this). Returns the ids recorded."""
    wanted = set(shot_ids)
    with project.transaction("record generated media") as tx:
        shots = load_shots(project)
        known = {s.shot_id for s in shots}
        for shot_id in sorted(wanted - known):
            raise NotFound(f"the project has no shot {shot_id!r}")
        elements = {e.element_id: e for e in AssetRegistry(project).list()}
        updated = [
            s.model_copy(update={"generation_hash": shot_generation_hash(s, elements)})
            for s in shots
            if s.shot_id in wanted
        ]
        write_shots(tx, updated)
    return [s.shot_id for s in updated]


# --------------------------------------------------------------------------------------
# Rewriting a trait in descriptions
# --------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    """The words of a space-separated list (vocabulary tables stay readable)."""
    return frozenset(text.split())


_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
_EN_STOP = _words(
    "a an the her his their its my your our this that these those with in of on at by from to "
    "into for under over has have had is are was were wears wearing wore sports shows showing "
    "shakes brushes tosses pulls runs who which she he they it and or but as like while than"
)
_FR_STOP = _words(
    "avec qui que dans sur sous de du des d le la les l un une a au aux pour par son sa ses "
    "leur il elle porte portant est sont et mais ou en tandis comme"
)
_MAX_MODIFIERS = 6


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    subject: bool


def _name_pattern(name: str) -> re.Pattern[str] | None:
    words = re.findall(r"[a-z0-9]+", fold(name))
    if not words:
        return None
    return re.compile(r"(?<![a-z0-9])" + r"[\W_]+".join(map(re.escape, words)) + r"(?![a-z0-9])")


def _mentions(folded: str, subject: Sequence[str], others: Sequence[str]) -> list[_Mention]:
    found: list[tuple[int, int, bool]] = []
    for names, is_subject in ((subject, True), (others, False)):
        for name in names:
            pattern = _name_pattern(name)
            if pattern is None:
                continue
            found.extend((m.start(), m.end(), is_subject) for m in pattern.finditer(folded))
    # Longest first at each place ("Gaby's Kitchen" is the kitchen, not GaBy).
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    out: list[_Mention] = []
    for start, end, is_subject in found:
        if out and start < out[-1].end:
            continue
        out.append(_Mention(start, end, is_subject))
    return out


def _noun_pattern(nouns: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted(set(nouns), key=len, reverse=True)
    body = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in ordered)
    return re.compile(r"(?<![a-z0-9'-])(?:" + body + r")(?![a-z0-9-])")


_ALL_NOUNS = frozenset(
    n for words in (*ATTRIBUTE_WORDS.values(), *STYLE_NOUNS.values()) for n in words
)


def _replacement(value: str, noun: str, key: str, french: bool, style: bool) -> str:
    noun_out = ("cheveux" if french else "hair") if style and key == "hair" else noun
    if _noun_pattern([*ATTRIBUTE_WORDS.get(key, ()), *STYLE_NOUNS.get(key, ())]).search(
        fold(value)
    ):
        return value
    return f"{noun_out} {value}" if french else f"{value} {noun_out}"


def _rewrite_region(
    text: str, folded: str, start: int, end: int, key: str, value: str
) -> list[tuple[int, int, str]]:
    """Edits (start, end, new text) that restate trait ``key`` as ``value`` in one region."""
    edits: list[tuple[int, int, str]] = []
    nouns = [*ATTRIBUTE_WORDS.get(key, ()), *STYLE_NOUNS.get(key, ())]
    style_nouns = set(STYLE_NOUNS.get(key, ()))
    pattern = _noun_pattern(nouns)
    region = folded[start:end]
    # "dark-haired", "blue-eyed"
    suffix = {"hair": "haired", "eyes": "eyed"}.get(key)
    if suffix:
        for match in re.finditer(rf"(?<![a-z0-9])[a-z]+(?:-[a-z]+)*-{suffix}(?![a-z0-9])", region):
            joined = "-".join(value.split())
            edits.append((start + match.start(), start + match.end(), f"{joined}-{suffix}"))
    for match in pattern.finditer(region):
        noun_start, noun_end = start + match.start(), start + match.end()
        if any(a <= noun_start < b for a, b, _ in edits):
            continue
        noun_folded = " ".join(match.group().split())
        noun_text = text[noun_start:noun_end]
        french = noun_folded in FRENCH_NOUNS
        style = noun_folded in style_nouns
        if french:
            phrase_end = noun_end
            words = list(_WORD.finditer(folded, noun_end, end))
            taken = 0
            previous_end = noun_end
            for i, word in enumerate(words):
                between = folded[previous_end : word.start()]
                if between.strip() or taken >= _MAX_MODIFIERS:
                    break  # punctuation ends the phrase
                token = word.group()
                if token == "et":
                    following = words[i + 1].group() if i + 1 < len(words) else ""
                    if not taken or following in _FR_STOP or following in _ALL_NOUNS:
                        break
                elif token in _FR_STOP or token in _ALL_NOUNS:
                    break
                phrase_end = word.end()
                previous_end = word.end()
                taken += token != "et"
            edits.append((noun_start, phrase_end, _replacement(value, noun_text, key, True, style)))
            continue
        phrase_start = noun_start
        words = list(_WORD.finditer(folded, start, noun_start))
        taken = 0
        next_start = noun_start
        for i in range(len(words) - 1, -1, -1):
            word = words[i]
            between = folded[word.end() : next_start]
            if between.strip() or taken >= _MAX_MODIFIERS:
                break
            token = word.group()
            if token in ("and", "&"):
                before = words[i - 1].group() if i > 0 else ""
                gap = folded[words[i - 1].end() : word.start()] if i > 0 else ","
                if (
                    not taken
                    or not before
                    or gap.strip()
                    or before in _EN_STOP
                    or before in _ALL_NOUNS
                ):
                    break
            elif token in _EN_STOP or token in _ALL_NOUNS:
                break
            phrase_start = word.start()
            next_start = word.start()
            taken += token not in ("and", "&")
        edits.append((phrase_start, noun_end, _replacement(value, noun_text, key, False, style)))
    return edits


def rewrite_trait(
    text: str,
    key: str,
    value: str,
    *,
    subject_names: Sequence[str],
    other_names: Sequence[str] = (),
    whole: bool = False,
) -> str:
    """Restate trait ``key`` (an attribute of :data:`ATTRIBUTE_WORDS`: hair, eyes, coat...)
    as ``value`` wherever ``text`` states it about the subject.

    The subject's part of the text is what follows a mention of one of ``subject_names`` up
    to a mention of one of ``other_names`` or the end of the sentence; with ``whole`` (the
    subject's own description) the start of each sentence belongs to the subject too. There,
    each phrase naming the trait is replaced: in English the adjectives before the noun
    ("dark curly hair" -> "blonde and curly hair"), in French those after it
    ("cheveux bruns" -> "cheveux blonds"); "dark-haired" becomes "blonde-haired". A style
    noun ("a black bob") becomes the trait's noun ("blonde hair"). Anything else is kept.
    """
    if key not in ATTRIBUTE_WORDS or not value.strip() or not text:
        return text
    folded = fold(text)
    mentions = _mentions(folded, subject_names, other_names)
    edits: list[tuple[int, int, str]] = []
    for sentence in re.finditer(r"[^.!?\n]+(?:[.!?]+|$)", folded):
        s_start, s_end = sentence.span()
        inside = [m for m in mentions if s_start <= m.start < s_end]
        owner = whole
        cursor = s_start
        for mention in inside:
            if owner:
                edits.extend(_rewrite_region(text, folded, cursor, mention.start, key, value))
            owner = mention.subject
            cursor = mention.end
        if owner:
            edits.extend(_rewrite_region(text, folded, cursor, s_end, key, value))
    out = text
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[end:]
    return out


# --------------------------------------------------------------------------------------
# The plan of a change
# --------------------------------------------------------------------------------------


@dataclass
class _Outcome:
    """What :func:`apply_changes` writes (computed by :func:`plan_changes`)."""

    fingerprint: str
    shots: list[ShotSpec]
    segments: list[Segment] | None
    element_updates: dict[str, tuple[str, dict[str, str], str]]
    element_unlocks: list[str]
    element_force: list[str]
    element_locks: list[str]
    regenerated: list[str]
    hashes: dict[str, str]
    note: str


@dataclass
class ChangePlan:
    """What a change would do, computed without writing anything (see :func:`plan_changes`).

    ``regenerate_shots`` is in timeline order (after the change); segments and elements by id.
    """

    modifications: list[Modification]
    regenerate_shots: list[str]
    regenerate_segments: list[str]
    regenerate_elements: list[str]
    documents: list[str]
    summary: list[str]
    warnings: list[str] = field(default_factory=list)
    inserted_shots: list[str] = field(default_factory=list)
    removed_shots: list[str] = field(default_factory=list)
    moved_shots: list[str] = field(default_factory=list)
    outcome: _Outcome | None = field(default=None, repr=False, compare=False)

    @property
    def regenerate(self) -> list[str]:
        """Every id that would be redone (shots, segments, elements), sorted."""
        return sorted(
            {*self.regenerate_shots, *self.regenerate_segments, *self.regenerate_elements}
        )

    def as_json(self) -> dict[str, Any]:
        """The JSON the CLI prints for ``storycore feedback --dry-run --json``."""
        return {
            "modifications": [m.model_dump(mode="json") for m in self.modifications],
            "regenerate": self.regenerate,
            "regenerate_shots": list(self.regenerate_shots),
            "regenerate_segments": list(self.regenerate_segments),
            "regenerate_elements": list(self.regenerate_elements),
            "inserted_shots": list(self.inserted_shots),
            "removed_shots": list(self.removed_shots),
            "moved_shots": list(self.moved_shots),
            "documents": list(self.documents),
            "summary": list(self.summary),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class AppliedChange:
    """What :func:`apply_changes` did; ``history_entry`` is the undoable entry's number (None
    when nothing had to change)."""

    history_entry: int | None
    regenerated_shots: list[str]
    regenerated_segments: list[str]
    regenerated_elements: list[str]
    inserted_shots: list[str]
    removed_shots: list[str]
    moved_shots: list[str]
    documents: list[str]
    summary: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "history_entry": self.history_entry,
            "regenerated_shots": list(self.regenerated_shots),
            "regenerated_segments": list(self.regenerated_segments),
            "regenerated_elements": list(self.regenerated_elements),
            "inserted_shots": list(self.inserted_shots),
            "removed_shots": list(self.removed_shots),
            "moved_shots": list(self.moved_shots),
            "documents": list(self.documents),
            "summary": list(self.summary),
        }


def _fingerprint(project: Project) -> str:
    """A hash of the files a change is planned from (to refuse applying a stale plan)."""
    digest = hashlib.sha256(project.read_bytes("project.json"))
    manifest = project.manifest
    for ref in manifest.shots:
        rel = f"{SHOTS}/{ref.folder}/{SHOT_FILE}"
        digest.update(rel.encode() + b"\0" + project.read_bytes(rel))
    for element in manifest.elements:
        rel = f"01_elements/{element.folder}/element.json"
        if project.exists(rel):
            digest.update(rel.encode() + b"\0" + project.read_bytes(rel))
    return digest.hexdigest()


def _validated_shot(shot: ShotSpec, **changes: Any) -> ShotSpec:
    try:
        return ShotSpec.model_validate({**shot.model_dump(), **changes})
    except ValidationError as exc:
        raise InvalidInput(format_validation_error(exc, subject=shot.shot_id)) from None


def _seconds_text(frames: int, rate: Fraction) -> str:
    return f"{float(Fraction(frames) / rate):.2f}".rstrip("0").rstrip(".") + " s"


def _value_text(value: Any) -> str:
    if value is None or value == "":
        return "none"
    if hasattr(value, "value"):
        return str(value.value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _list(ids: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


class _Planner:
    """Simulates a change on a copy of the plan (nothing is written)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.specs = project.manifest.technical_specs
        self.rate = self.specs.rate
        self.fingerprint = _fingerprint(project)
        self._models: ModelRegistry | None = None
        self.registry = AssetRegistry(project, cards=False)
        self.scenes = read_scenes(project)
        self.before_shots = load_shots(project)
        self.before_elements = {e.element_id: e for e in self.registry.list()}
        self.before_segments = list(project.manifest.segments)
        self.shots = [s.model_copy(deep=True) for s in self.before_shots]
        self.elements = {k: v.model_copy(deep=True) for k, v in self.before_elements.items()}
        self.normalised: list[Modification] = []
        self.summary: list[str] = []
        self.warnings: list[str] = []
        self.forced: set[str] = set()
        self.targeted: dict[str, str] = {}  # shot id -> what the user asked (remove, move...)
        self.unlocked: set[str] = set()
        self.lock_elements: list[str] = []
        self.inserted: list[str] = []
        self.moved: list[str] = []
        self.element_notes: dict[str, list[str]] = {}
        self.used_ids = {s.shot_id for s in self.before_shots} | self._rendered_ids()

    # -- lookups -------------------------------------------------------------------------

    @property
    def models(self) -> ModelRegistry:
        # Loaded on first use: most changes never need the models file.
        if self._models is None:
            self._models = ModelRegistry.load(self.project.root)
        return self._models

    def _rendered_ids(self) -> set[str]:
        # A removed shot's clips stay in 03_videos: its id must never name another shot.
        base = self.project.path(VIDEOS)
        if not base.is_dir():
            return set()
        ids = set()
        for path in base.rglob("shot_*"):
            match = re.match(r"(shot_\d{2,4}[a-z]{0,2})(?![a-z0-9])", path.name)
            if match:
                ids.add(match.group(1))
        return ids

    def ids(self) -> list[str]:
        return [s.shot_id for s in self.shots]

    def index(self, shot_id: str) -> int:
        for i, shot in enumerate(self.shots):
            if shot.shot_id == shot_id:
                return i
        raise NotFound(f"the plan has no shot {shot_id!r} (any more)")

    def shot(self, shot_id: str) -> ShotSpec:
        return self.shots[self.index(shot_id)]

    def replace(self, shot: ShotSpec) -> None:
        self.shots[self.index(shot.shot_id)] = shot

    def refs(self, ref: str) -> list[str]:
        """The shots a reference names (a split shot's number names all its parts)."""
        if ref in self.ids():
            return [ref]
        return resolve_shot_ref(ref, self.ids())

    def one(self, ref: str, what: str) -> str:
        found = self.refs(ref)
        if len(found) > 1:
            raise InvalidInput(
                f"{ref!r} names {len(found)} shots ({', '.join(found)}); {what} one of them"
            )
        return found[0]

    def element_id(self, ref: str) -> str:
        if ref in self.elements:
            return ref
        return self.registry.resolve(ref).element_id

    def video_model(self, name: str) -> ModelCapability:
        model = self.models.get(name)
        if Kind.VIDEO not in model.kinds:
            kinds = ", ".join(k.value for k in model.kinds)
            raise InvalidInput(
                f"{model.name} ({model.id}) is a {kinds} model; shots need a video model "
                "(`storycore models list` shows them)"
            )
        return model

    # -- modifications -------------------------------------------------------------------

    def apply(self, modification: Modification) -> None:
        handlers: dict[type, Callable[[Any], None]] = {
            SetShotField: self._set_field,
            RetimeShot: self._retime,
            UpdateElement: self._update_element,
            RemoveShot: self._remove,
            InsertShot: self._insert,
            MoveShot: self._move,
            SetModel: self._set_model,
            RegenerateWithout: self._without,
            Regenerate: self._regenerate,
            Lock: self._lock,
            Unlock: self._unlock,
        }
        handlers[type(modification)](modification)

    def _set_field(self, mod: SetShotField) -> None:
        shot_ids = self.refs(mod.shot_id)
        if mod.field == "model_id":
            model = self.video_model(mod.value)
            self._set_model(SetModel(model_id=model.id, shot_ids=shot_ids))
            return
        for shot_id in shot_ids:
            shot = self.shot(shot_id)
            old = getattr(shot, mod.field)
            value: Any = mod.value
            if mod.field == "lens_mm":
                value = float(mod.value)
            elif mod.field in ("time_of_day", "weather") and not value:
                value = None
            changes: dict[str, Any] = {mod.field: value}
            updated = _validated_shot(shot, **changes)
            if getattr(updated, mod.field) == old:
                self.warnings.append(
                    f"{shot_id}: {_FIELD_LABELS[mod.field]} is already {_value_text(old)}"
                )
                self.normalised.append(mod.model_copy(update={"shot_id": shot_id}))
                continue
            updated = self._follow_framing(shot, updated, mod.field)
            self.replace(updated)
            self.targeted.setdefault(shot_id, "change")
            self.normalised.append(SetShotField(shot_id=shot_id, field=mod.field, value=mod.value))
            new = getattr(updated, mod.field)
            self.summary.append(
                f"{shot_id}: {_FIELD_LABELS[mod.field]} {_value_text(old)} -> {_value_text(new)}"
            )

    def _follow_framing(self, before: ShotSpec, after: ShotSpec, field_name: str) -> ShotSpec:
        """Keep the lens and the camera details consistent with a new framing: a lens that
        was the rules' lens for the old size follows the new size; the "NNmm, movement" text
        the breakdown wrote follows the lens and the movement."""
        changes: dict[str, Any] = {}
        lens = after.lens_mm
        if field_name == "shot_size":
            rule_lens = DEFAULT_RULES.lens_mm
            if before.lens_mm == rule_lens.get(before.shot_size):
                lens = float(rule_lens.get(after.shot_size, before.lens_mm))
                changes["lens_mm"] = lens
        details = after.camera_details
        if details:
            details = re.sub(rf"(?<![\d.]){before.lens_mm:g}\s*mm", f"{lens:g}mm", details, count=1)
            if after.camera_movement != before.camera_movement:
                old_phrase = _MOVEMENT_PHRASES.get(
                    before.camera_movement, before.camera_movement.value.replace("_", " ")
                )
                new_phrase = _MOVEMENT_PHRASES.get(
                    after.camera_movement, after.camera_movement.value.replace("_", " ")
                )
                for phrase in [old_phrase, *_KNOWN_MOVEMENT_PHRASES]:
                    if re.search(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", details):
                        details = re.sub(
                            rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", new_phrase, details, count=1
                        )
                        break
            if details != after.camera_details:
                changes["camera_details"] = details
        return _validated_shot(after, **changes) if changes else after

    def _retime(self, mod: RetimeShot) -> None:
        shot_id = self.one(mod.shot_id, "retime")
        shot = self.shot(shot_id)
        frames = seconds_to_frames(mod.duration_seconds, self.rate)
        if frames < 1:
            raise InvalidInput(
                f"{mod.duration_seconds:g} s is less than one frame at {self.specs.fps} fps"
            )
        self.normalised.append(RetimeShot(shot_id=shot_id, duration_seconds=mod.duration_seconds))
        if frames == shot.duration_frames:
            self.warnings.append(f"{shot_id}: already lasts {_seconds_text(frames, self.rate)}")
            return
        old = shot.duration_frames
        self.replace(_validated_shot(shot, end_frame=shot.start_frame + frames))
        self.targeted.setdefault(shot_id, "retime")
        self.summary.append(
            f"{shot_id}: duration {_seconds_text(old, self.rate)} -> "
            f"{_seconds_text(frames, self.rate)}"
        )
        self._split_too_long([shot_id])

    def _update_element(self, mod: UpdateElement) -> None:
        element_id = self.element_id(mod.element)
        element = self.elements[element_id]
        changes = {attribute_key(k): " ".join(str(v).split()) for k, v in mod.attributes.items()}
        if mod.mode == "replace":
            attributes = {k: v for k, v in changes.items() if v}
        else:
            attributes = dict(element.attributes)
            for key, value in changes.items():
                if value:
                    attributes[key] = value
                else:
                    attributes.pop(key, None)
        description = element.canonical_description
        if mod.description is not None:
            description = " ".join(mod.description.split())
        subject = [element.name, *element.aliases]
        others = [
            name
            for other in self.elements.values()
            if other.element_id != element_id
            for name in (other.name, *other.aliases)
        ]
        rewrites = {k: v for k, v in changes.items() if v and k in ATTRIBUTE_WORDS}
        for key, value in rewrites.items():
            description = rewrite_trait(
                description, key, value, subject_names=subject, other_names=others, whole=True
            )
        if description == element.canonical_description and attributes == element.attributes:
            self.warnings.append(f"{element_id}: already looks like that")
            self.normalised.append(mod.model_copy(update={"element": element_id}))
            return
        self.elements[element_id] = element.model_copy(
            update={"canonical_description": description, "attributes": attributes}
        )
        self.normalised.append(mod.model_copy(update={"element": element_id}))
        shown = [s.shot_id for s in self.shots if element_id in s.element_ids()]
        said = ", ".join(f"{k} -> {v}" for k, v in changes.items() if v) or ""
        removed = [k for k, v in changes.items() if not v]
        parts = [p for p in (said, ", ".join(f"{k} removed" for k in removed)) if p]
        if mod.description is not None:
            parts.append("new description")
        self.summary.append(f"{element_id}: {'; '.join(parts)} ({len(shown)} shots)")
        self.element_notes.setdefault(element_id, []).append("; ".join(parts))
        if not rewrites:
            return
        # Other texts that describe this element: other elements' descriptions (the planner
        # describes a prop by the first sentence naming it, which may be a character's) and
        # the shots' own description and action.
        for other_id, other in list(self.elements.items()):
            if other_id == element_id:
                continue
            text = other.canonical_description
            for key, value in rewrites.items():
                text = rewrite_trait(text, key, value, subject_names=subject, other_names=others)
            if text == other.canonical_description:
                continue
            if other.status is not ElementStatus.DRAFT and other_id not in self.unlocked:
                # The user spoke of one element: a fixed one is not rewritten behind their back.
                self.warnings.append(
                    f"{other_id} is {other.status.value}: its description still gives "
                    f"{element.name}'s old {', '.join(rewrites)} (unlock it to restate it)"
                )
                continue
            if text != other.canonical_description:
                self.elements[other_id] = other.model_copy(update={"canonical_description": text})
                shows = [s.shot_id for s in self.shots if other_id in s.element_ids()]
                keys = ", ".join(rewrites)
                self.summary.append(
                    f"{other_id}: its description also describes {element.name}; "
                    f"{keys} restated ({len(shows)} shots)"
                )
                self.element_notes.setdefault(other_id, []).append(
                    f"{element.name}'s {keys} restated"
                )
        for i, shot in enumerate(self.shots):
            update: dict[str, str] = {}
            for name in ("description", "action"):
                text = getattr(shot, name)
                for key, value in rewrites.items():
                    text = rewrite_trait(
                        text, key, value, subject_names=subject, other_names=others
                    )
                if text != getattr(shot, name):
                    update[name] = text
            if update:
                self.shots[i] = _validated_shot(shot, **update)

    def _remove(self, mod: RemoveShot) -> None:
        for shot_id in self.refs(mod.shot_id):
            if len(self.shots) == 1:
                raise InvalidInput(f"{shot_id} is the only shot left; a plan needs one shot")
            shot = self.shot(shot_id)
            self.shots.pop(self.index(shot_id))
            for i, other in enumerate(self.shots):
                if other.continues_from == shot_id:
                    self.shots[i] = other.model_copy(update={"continues_from": None})
            self.targeted[shot_id] = "remove"
            self.normalised.append(RemoveShot(shot_id=shot_id))
            where = f" from {shot.segment_id}" if shot.segment_id else ""
            self.summary.append(f"{shot_id}: removed{where}")

    def _new_id(self, after: str | None) -> str:
        base = "shot_00"
        if after is not None:
            match = re.fullmatch(r"(shot_\d{2,4})[a-z]{0,2}", after)
            assert match is not None
            base = match.group(1)
        taken = self.used_ids | set(self.ids())
        letters = "abcdefghijklmnopqrstuvwxyz"
        candidates = [base] if after is None else []
        candidates += [f"{base}{a}" for a in letters]
        candidates += [f"{base}{a}{b}" for a in letters for b in letters]
        for candidate in candidates:
            if candidate not in taken:
                return candidate
        raise InvalidInput(f"no shot id is left after {after}; renumber the shots first")

    def _insert(self, mod: InsertShot) -> None:
        if not self.shots:
            raise InvalidInput("the plan has no shots to insert next to; plan the project first")
        after = self.refs(mod.after)[-1] if mod.after is not None else None
        position = self.index(after) + 1 if after is not None else 0
        neighbour = self.shots[position - 1] if after is not None else self.shots[0]
        characters = [self.element_id(c) for c in mod.characters]
        props = [self.element_id(p) for p in mod.props]
        location = self.element_id(mod.location) if mod.location else neighbour.location
        typed = [(c, "character") for c in characters]
        if mod.location and location:
            typed.append((location, "location"))
        for element_id, wanted in typed:
            kind = self.elements[element_id].type.value
            if kind != wanted:
                raise InvalidInput(f"{element_id} is a {kind}, not a {wanted}")
        size = ShotSize(mod.shot_size) if mod.shot_size else self._default_size(characters, props)
        if characters:
            framing = (Framing.SINGLE, Framing.TWO_SHOT)[min(len(characters), 2) - 1]
            if len(characters) > 2:
                framing = Framing.GROUP
            scene_type = (
                SceneType.CLOSE_UP if size in (ShotSize.CU, ShotSize.ECU) else SceneType.ATMOSPHERIC
            )
        elif props:
            framing, scene_type = Framing.INSERT, SceneType.INSERT
        else:
            framing = Framing.SINGLE
            scene_type = (
                SceneType.ESTABLISHING
                if size in (ShotSize.EWS, ShotSize.WS)
                else SceneType.ATMOSPHERIC
            )
        lens = float(DEFAULT_RULES.lens_mm.get(size, 35))
        frames = seconds_to_frames(mod.duration_seconds, self.rate)
        if frames < 1:
            raise InvalidInput(f"{mod.duration_seconds:g} s is less than one frame")
        new_id = self._new_id(after)
        description = " ".join(mod.description.split())
        draft = ShotSpec(
            shot_id=new_id,
            title=" ".join(description.split()[:8])[:200],
            segment_id=neighbour.segment_id,
            scene=neighbour.scene,
            start_frame=0,
            end_frame=frames,
            shot_size=size,
            framing=framing,
            camera_movement=CameraMovement.STATIC,
            camera_details=f"{lens:g}mm, static",
            lens_mm=lens,
            scene_type=scene_type,
            description=description,
            action=description,
            characters=characters,
            location=location,
            props=props,
            time_of_day=neighbour.time_of_day,
            weather=neighbour.weather,
            aspect_ratio=neighbour.aspect_ratio,
        )
        selection = ModelSelector(self.models).select(
            request_for_shot(draft, self.specs, segment_model=neighbour.model_id)
        )
        draft = draft.model_copy(
            update={
                "model_id": selection.model_id,
                "fallback_models": list(selection.fallbacks),
                "model_reason": selection.reason,
            }
        )
        self.shots.insert(position, draft)
        self.used_ids.add(new_id)
        self.inserted.append(new_id)
        where = f"after {after}" if after else "at the start"
        self.normalised.append(
            mod.model_copy(
                update={
                    "after": after,
                    "characters": characters,
                    "props": props,
                    "location": location,
                    "shot_size": size.value,
                }
            )
        )
        self.summary.append(
            f"{new_id}: new {size.value} shot {where} ({_seconds_text(frames, self.rate)}, "
            f"{selection.model_id}): {description[:60]}"
        )
        self._split_too_long([new_id])

    @staticmethod
    def _default_size(characters: Sequence[str], props: Sequence[str]) -> ShotSize:
        if characters:
            return ShotSize.MS
        if props:
            return ShotSize.CU
        return ShotSize.WS

    def _move(self, mod: MoveShot) -> None:
        moving = self.refs(mod.shot_id)
        after = self.refs(mod.after)[-1] if mod.after is not None else None
        if after in moving:
            raise InvalidInput(f"cannot move {after} after itself")
        for shot_id in moving:
            shot = self.shots.pop(self.index(shot_id))
            position = self.index(after) + 1 if after is not None else 0
            # The moved shot joins the segment of the shot it now follows.
            neighbour = self.shots[position - 1] if position > 0 else self.shots[0]
            segment = neighbour.segment_id
            self.shots.insert(position, shot.model_copy(update={"segment_id": segment}))
            self._break_continuity(shot_id)
            self.targeted.setdefault(shot_id, "move")
            if shot_id not in self.moved:
                self.moved.append(shot_id)
            self.normalised.append(MoveShot(shot_id=shot_id, after=after))
            self.summary.append(f"{shot_id}: moved {'after ' + after if after else 'to the start'}")
            after = shot_id

    def _break_continuity(self, moved: str) -> None:
        """A moved shot no longer continues from the shot before it (nor does the shot that
        followed it continue from it): the links are cleared, the clips stay valid."""
        for i, shot in enumerate(self.shots):
            if shot.continues_from is None:
                continue
            if shot.shot_id != moved and shot.continues_from != moved:
                continue
            previous = self.shots[i - 1].shot_id if i > 0 else None
            if shot.continues_from != previous:
                self.shots[i] = shot.model_copy(update={"continues_from": None})
                self.warnings.append(
                    f"{shot.shot_id} no longer continues from {shot.continues_from} "
                    "(they are not next to each other any more)"
                )

    def _set_model(self, mod: SetModel) -> None:
        model = self.video_model(mod.model_id)
        scene = resolve_scene(mod.scene, self.scenes) if mod.scene is not None else None
        if mod.shot_ids is not None:
            scope = [s for ref in mod.shot_ids for s in self.refs(ref)]
            where = _list(scope)
        elif scene is not None:
            scope = [s.shot_id for s in self.shots if s.scene == scene]
            where = f"scene {scene}"
        elif mod.scene_type is not None:
            scope = [s.shot_id for s in self.shots if s.scene_type.value == mod.scene_type]
            where = f"{mod.scene_type} shots"
        else:
            scope = self.ids()
            where = "every shot"
        if not scope:
            raise InvalidInput(f"no shot is in {where}; nothing would use {model.name}")
        self.normalised.append(
            SetModel(
                model_id=model.id,
                shot_ids=list(scope) if mod.shot_ids is not None else None,
                scene=scene,
                scene_type=mod.scene_type,
            )
        )
        changed = []
        for shot_id in scope:
            shot = self.shot(shot_id)
            if shot.model_id == model.id:
                continue
            fallbacks = [m for m in shot.fallback_models if m != model.id]
            if shot.model_id and shot.model_id not in fallbacks:
                fallbacks.insert(0, shot.model_id)
            self.replace(
                shot.model_copy(
                    update={
                        "model_id": model.id,
                        "fallback_models": fallbacks,
                        "model_reason": f"{model.name}: chosen by the user",
                    }
                )
            )
            self.targeted.setdefault(shot_id, "model")
            changed.append(shot_id)
        if not changed:
            self.warnings.append(f"{where} already use{'s' if len(scope) == 1 else ''} {model.id}")
            return
        self.summary.append(f"{_list(changed)}: model -> {model.id} ({model.name})")
        prefs = self.specs.models
        if model.id in prefs.avoid:
            self.warnings.append(f"{model.id} is in the project's models to avoid")
        if prefs.local_only and not model.local:
            self.warnings.append(f"{model.id} runs in the cloud but the project is local-only")
        aspect = self.specs.aspect_ratio
        if not model.supports_aspect(aspect):
            self.warnings.append(f"{model.id} does not render {aspect} natively")
        self._split_too_long(changed)

    def _split_too_long(self, shot_ids: Sequence[str]) -> None:
        """Split the shots longer than their model's longest clip into parts (the planner's
        rule), keeping the others as they are."""
        wanted = set(shot_ids)

        def limit(shot: ShotSpec) -> int:
            if shot.shot_id not in wanted or not shot.model_id or shot.model_id not in self.models:
                return max(shot.duration_frames, 1)
            return max_clip_frames(self.models.get(shot.model_id), self.rate)

        positioned = retime(self.shots, self.rate)
        split = split_long_shots(positioned, limit)
        if len(split) == len(positioned):
            return
        # Walk both lists: a shot that is not where it was became the parts that follow.
        by_origin: dict[str, list[str]] = {}
        j = 0
        for shot in positioned:
            if split[j].shot_id == shot.shot_id:
                j += 1
                continue
            parts, total = [], 0
            while total < shot.duration_frames:
                parts.append(split[j].shot_id)
                total += split[j].duration_frames
                j += 1
            by_origin[shot.shot_id] = parts
        self.shots = split
        for origin, parts in by_origin.items():
            model_id = self.shot(parts[0]).model_id
            model = self.models.get(model_id) if model_id and model_id in self.models else None
            most = ""
            if model is not None and model.clip_limit_seconds is not None:
                most = f" ({model.name} makes at most {float(model.clip_limit_seconds):g} s)"
            self.summary.append(f"{origin}: split into {', '.join(parts)}{most}")
            self.used_ids.update(parts)
            if origin in self.inserted:
                self.inserted = [i for i in self.inserted if i != origin] + parts
            else:
                self.targeted.setdefault(origin, "split")

    def _without(self, mod: RegenerateWithout) -> None:
        explicit = mod.shot_ids is not None
        scope = [s for ref in mod.shot_ids for s in self.refs(ref)] if mod.shot_ids else self.ids()
        cleared: dict[str, Any] = _CLEARED[mod.aspect]
        changed = []
        for shot_id in scope:
            shot = self.shot(shot_id)
            had = any(getattr(shot, k) for k in cleared)
            if had:
                self.replace(_validated_shot(shot, **cleared))
                changed.append(shot_id)
            if had or explicit:
                self.targeted.setdefault(shot_id, "regenerate")
            if explicit:
                self.forced.add(shot_id)
        self.normalised.append(
            RegenerateWithout(aspect=mod.aspect, shot_ids=list(scope) if explicit else None)
        )
        label = mod.aspect.replace("_", " ")
        if changed:
            self.summary.append(f"{_list(changed)}: {label} removed")
        if explicit and set(scope) - set(changed):
            self.summary.append(f"{_list([s for s in scope if s not in changed])}: regenerate")
        if not changed and not explicit:
            self.warnings.append(f"no shot has {label}; nothing to regenerate without it")

    def _regenerate(self, mod: Regenerate) -> None:
        scope = [s for ref in mod.shot_ids for s in self.refs(ref)]
        for shot_id in scope:
            self.forced.add(shot_id)
            self.targeted.setdefault(shot_id, "regenerate")
        self.normalised.append(Regenerate(shot_ids=scope, reason=mod.reason))
        why = f" ({mod.reason})" if mod.reason else ""
        self.summary.append(f"{_list(scope)}: regenerate{why}")

    def _target(self, target: str) -> tuple[str, str]:
        """("shot" or "element", id) for a Lock/Unlock target."""
        if target in self.ids():
            return "shot", target
        if re.fullmatch(r"(?:shot[\s_#]*)?\d{1,4}[a-z]{0,2}", fold(target).strip()):
            return "shot", self.one(target, "lock or unlock")
        return "element", self.element_id(target)

    def _lock(self, mod: Lock) -> None:
        kind, target = self._target(mod.target)
        self.normalised.append(Lock(target=target))
        if kind == "shot":
            shot = self.shot(target)
            if not shot.locked:
                self.replace(shot.model_copy(update={"locked": True}))
                self.summary.append(f"{target}: locked")
            return
        if self.elements[target].status is not ElementStatus.LOCKED:
            self.lock_elements.append(target)
            self.summary.append(f"{target}: locked")

    def _unlock(self, mod: Unlock) -> None:
        kind, target = self._target(mod.target)
        self.normalised.append(Unlock(target=target))
        self.unlocked.add(target)
        if kind == "shot":
            shot = self.shot(target)
            if shot.locked:
                self.replace(shot.model_copy(update={"locked": False}))
                self.summary.append(f"{target}: unlocked")
            return
        if self.elements[target].status is ElementStatus.LOCKED:
            self.summary.append(f"{target}: unlocked")

    # -- the result ----------------------------------------------------------------------

    def _segments(self, regenerated: set[str]) -> tuple[list[Segment] | None, list[str]]:
        """The segments after the change (None: the project has none) and those to
        reassemble. Shots keep their segment; a new or moved shot joins the segment of the
        shot before it; an emptied segment disappears."""
        if not self.before_segments:
            return None, []
        by_id = {seg.segment_id: seg for seg in self.before_segments}
        runs: list[tuple[str, list[ShotSpec]]] = []
        seen: set[str] = set()
        for i, shot in enumerate(self.shots):
            segment_id = shot.segment_id if shot.segment_id in by_id else None
            if runs and (segment_id is None or segment_id == runs[-1][0] or segment_id in seen):
                segment_id = runs[-1][0]
            elif segment_id is None:
                segment_id = self.before_segments[0].segment_id
            if not runs or runs[-1][0] != segment_id:
                runs.append((segment_id, []))
                seen.add(segment_id)
            if shot.segment_id != segment_id:
                shot = shot.model_copy(update={"segment_id": segment_id})
                self.shots[i] = shot
            runs[-1][1].append(shot)
        segments: list[Segment] = []
        redo: list[str] = []
        for segment_id, members in runs:
            before = by_id[segment_id]
            ids = [s.shot_id for s in members]
            changed = ids != before.shot_ids or any(i in regenerated for i in ids)
            segments.append(
                before.model_copy(
                    update={
                        "shot_ids": ids,
                        "start_frame": members[0].start_frame,
                        "end_frame": members[-1].end_frame,
                        "status": ShotStatus.PENDING if changed else before.status,
                    }
                )
            )
            if changed:
                redo.append(segment_id)
        gone = sorted(set(by_id) - {s.segment_id for s in segments})
        for segment_id in gone:
            self.summary.append(f"{segment_id}: removed (it has no shots left)")
        if gone:
            segments = [
                seg.model_copy(update={"depends_on": [d for d in seg.depends_on if d not in gone]})
                for seg in segments
            ]
        return segments, sorted(redo)

    def _prompted(
        self, shots: Sequence[ShotSpec], elements: Mapping[str, AssetMetadata]
    ) -> dict[str, ShotSpec]:
        override = self.project.path("prompts")
        folder = override if override.is_dir() else None
        return {
            s.shot_id: build_shot_prompts(s, elements, self.specs, override_dir=folder).apply_to(s)
            for s in shots
        }

    def _check_locks(self, regenerated: set[str], changed_elements: list[str]) -> None:
        before = {s.shot_id: s for s in self.before_shots}
        after_ids = set(self.ids())
        touched = dict(self.targeted)
        for shot_id in regenerated:
            touched.setdefault(shot_id, "regenerate")
        for shot_id in before:
            if shot_id not in after_ids:
                touched.setdefault(shot_id, "remove")
        for shot_id, action in touched.items():
            shot = before.get(shot_id)
            if shot is None or shot_id in self.unlocked:
                continue
            if action == "move" and not shot.locked:
                continue  # an approved clip stays valid wherever it goes
            if shot.locked or shot.status is ShotStatus.APPROVED:
                state = "locked" if shot.locked else "approved"
                verb = {"remove": "remove", "move": "move", "split": "split"}.get(action, "redo")
                raise ConflictError(
                    f"{shot_id} is {state} and this change would {verb} it; add an Unlock of "
                    f"{shot_id} to the change (say 'unlock {shot_id}') to allow it"
                )
        for element_id in changed_elements:
            element = self.before_elements.get(element_id)
            if element is None or element_id in self.unlocked:
                continue
            if element.status in (ElementStatus.LOCKED, ElementStatus.APPROVED):
                raise ConflictError(
                    f"{element_id} is {element.status.value} and this change would rewrite it; "
                    f"add an Unlock of {element_id} to the change (say 'unlock {element.name}') "
                    "to allow it"
                )

    def finish(self) -> ChangePlan:
        self.shots = retime(self.shots, self.rate)
        before_prompted = self._prompted(self.before_shots, self.before_elements)
        after_prompted = self._prompted(self.shots, self.elements)
        before_hash = {
            i: shot_generation_hash(s, self.before_elements) for i, s in before_prompted.items()
        }
        after_hash = {i: shot_generation_hash(s, self.elements) for i, s in after_prompted.items()}
        seeds = {i for i, h in after_hash.items() if before_hash.get(i) != h} | (
            self.forced & set(after_hash)
        )
        regenerated = _continuity_closure(self.shots, seeds)
        changed_elements = sorted(
            e
            for e, element in self.elements.items()
            if _element_hash(element) != _element_hash(self.before_elements.get(e))
        )
        self._check_locks(regenerated, changed_elements)
        segments, redo_segments = self._segments(regenerated)
        for shot_id in sorted(regenerated - seeds):
            self.summary.append(f"{shot_id}: regenerate (it continues from a regenerated shot)")

        before_by_id = {s.shot_id: s for s in self.before_shots}
        final: list[ShotSpec] = []
        for shot in self.shots:
            if shot.shot_id in regenerated:
                previous = before_by_id.get(shot.shot_id)
                prompted = after_prompted[shot.shot_id]
                shot = prompted.model_copy(
                    update={
                        "start_frame": shot.start_frame,
                        "end_frame": shot.end_frame,
                        "segment_id": shot.segment_id,
                        "status": ShotStatus.PENDING,
                        "version": previous.version + 1 if previous else shot.version,
                        "generation_hash": None,
                    }
                )
            final.append(shot)

        element_updates: dict[str, tuple[str, dict[str, str], str]] = {}
        for element_id in changed_elements:
            old = self.before_elements[element_id]
            new = self.elements[element_id]
            delta = {k: v for k, v in new.attributes.items() if old.attributes.get(k) != v}
            delta.update({k: "" for k in old.attributes if k not in new.attributes})
            note = "; ".join(self.element_notes.get(element_id, [])) or "feedback"
            element_updates[element_id] = (new.canonical_description, delta, note)
        element_unlocks = [
            e
            for e in sorted(self.unlocked)
            if e in self.before_elements and self.before_elements[e].status is ElementStatus.LOCKED
        ]
        element_force = [
            e
            for e in changed_elements
            if e in self.unlocked and self.before_elements[e].status is ElementStatus.APPROVED
        ]
        timeline = [s.shot_id for s in final]
        removed = [s.shot_id for s in self.before_shots if s.shot_id not in set(timeline)]
        documents = list(DOCUMENTS) + _existing_exports(self.project)
        note = "feedback: " + ("; ".join(self.summary)[:180] or "no change")
        outcome = _Outcome(
            fingerprint=self.fingerprint,
            shots=final,
            segments=segments,
            element_updates=element_updates,
            element_unlocks=element_unlocks,
            element_force=element_force,
            element_locks=list(dict.fromkeys(self.lock_elements)),
            regenerated=[i for i in timeline if i in regenerated],
            hashes=after_hash,
            note=note,
        )
        return ChangePlan(
            modifications=self.normalised,
            regenerate_shots=[i for i in timeline if i in regenerated],
            regenerate_segments=redo_segments,
            regenerate_elements=changed_elements,
            documents=documents,
            summary=self.summary,
            warnings=self.warnings,
            inserted_shots=[i for i in timeline if i in set(self.inserted)],
            removed_shots=removed,
            moved_shots=[i for i in self.moved if i in set(timeline)],
            outcome=outcome,
        )


def _lay_out_shots(tx: Transaction, shots: Sequence[ShotSpec]) -> None:
    """Make ``02_shots/`` hold exactly ``shots`` in this order, numbered from 01.

    The structure manager's naming (``NN_Title``, a shot keeps its title part, a new shot
    gets a unique one), done in one pass: removed folders go, then every folder whose number
    changes is renamed through a temporary name, then new folders are made. Inserting shots
    one by one would rename every later folder once per insert.
    """
    refs = list(tx.manifest.shots)
    by_id = {ref.shot_id: ref for ref in refs}
    wanted = {shot.shot_id for shot in shots}
    for ref in refs:
        if ref.shot_id not in wanted:
            tx.remove(f"{SHOTS}/{ref.folder}")
    taken = [
        (split_numbered(by_id[s.shot_id].folder) or (0, by_id[s.shot_id].folder))[1]
        for s in shots
        if s.shot_id in by_id
    ]
    targets: list[str] = []
    for position, shot in enumerate(shots, start=1):
        known = by_id.get(shot.shot_id)
        if known is not None:
            targets.append(renumbered(known.folder, position))
            continue
        slug = unique(slugify(shot_title(shot), fallback="Shot"), taken)
        taken.append(slug)
        targets.append(f"{position:02d}_{slug}")
    moving = [
        (by_id[shot.shot_id].folder, target)
        for shot, target in zip(shots, targets, strict=True)
        if shot.shot_id in by_id and by_id[shot.shot_id].folder != target
    ]
    for folder, _ in moving:
        tx.rename(f"{SHOTS}/{folder}", f"{SHOTS}/.renumber_{folder}")
    for folder, target in moving:
        tx.rename(f"{SHOTS}/.renumber_{folder}", f"{SHOTS}/{target}")
    for shot, target in zip(shots, targets, strict=True):
        if shot.shot_id not in by_id:
            tx.mkdir(f"{SHOTS}/{target}")
    tx.manifest.shots = [
        ShotRef(shot_id=shot.shot_id, folder=target, status=shot.status, version=shot.version)
        for shot, target in zip(shots, targets, strict=True)
    ]


def _existing_exports(project: Project) -> list[str]:
    """The default export files already in ``exports/`` (they describe the old plan)."""
    slug = exports_module.title_slug(project.manifest.title)
    names = [f"{exports_module.EXPORTS}/{name}" for _, name in _export_files(slug)]
    return [rel for rel in names if project.exists(rel)]


def _export_files(slug: str) -> list[tuple[str, str]]:
    return [
        ("otio", f"{slug}.otio"),
        ("edl", f"{slug}.edl"),
        ("fcpxml", f"{slug}.xml"),
        ("csv", f"{slug}.csv"),
        ("breakdown", f"{slug}_breakdown.csv"),
    ]


def plan_changes(
    project: Project, modifications: Sequence[Modification | Mapping[str, Any]]
) -> ChangePlan:
    """Validate and normalise ``modifications`` (in order) and compute what they would
    regenerate, without writing anything.

    Raises :class:`NotFound` for an unknown shot, element, scene or model,
    :class:`InvalidInput` for an impossible change, and :class:`ConflictError` when a locked
    or approved shot or element would be rewritten without an :class:`Unlock` of it in the
    same change.
    """
    parsed = parse_modifications(modifications)
    if not parsed:
        raise InvalidInput("no modification was given; say what to change")
    planner = _Planner(project)
    for modification in parsed:
        planner.apply(modification)
    return planner.finish()


def apply_changes(project: Project, plan: ChangePlan) -> AppliedChange:
    """Apply a plan from :func:`plan_changes` in one project transaction (atomic, and undone
    as a whole by :meth:`Project.undo`).

    Elements get new versions (unlocked first when the change unlocks them); shots are
    removed, inserted and moved with their folders renumbered in one pass (the structure
    manager's naming), and retimed end to end;
    regenerated shots get version + 1, status ``pending`` and rebuilt prompts; element links,
    segments and the documents are brought up to date. A plan made before the project changed
    is refused (:class:`ConflictError`): plan it again.
    """
    outcome = plan.outcome
    if outcome is None:
        raise InvalidInput("this change plan has nothing to apply; make it with plan_changes")
    with project.transaction(outcome.note) as tx:
        if _fingerprint(project) != outcome.fingerprint:
            raise ConflictError("the project changed after this change was planned; plan it again")
        registry = AssetRegistry(project)
        for element_id in outcome.element_unlocks:
            registry.unlock(element_id)
        for element_id, (description, attributes, note) in outcome.element_updates.items():
            registry.update(
                element_id,
                canonical_description=description,
                attributes=attributes,
                note=f"feedback: {note}"[:200],
                force=element_id in outcome.element_force,
            )
        before = {s.shot_id: s for s in load_shots(project)}
        _lay_out_shots(tx, outcome.shots)
        # Only what changed: untouched shots keep their files byte for byte.
        write_shots(tx, [s for s in outcome.shots if before.get(s.shot_id) != s])
        build_prompts(project, outcome.regenerated)
        sync_links(project, registry)
        if outcome.segments is not None and outcome.segments != list(project.manifest.segments):
            set_segments(tx, outcome.segments)
        for element_id in outcome.element_locks:
            registry.lock(element_id)
        documents = write_documents(tx)
        slug = exports_module.title_slug(project.manifest.title)
        for fmt, name in _export_files(slug):
            if project.exists(f"{exports_module.EXPORTS}/{name}"):
                exports_module.export(project, fmt)
                documents.append(f"{exports_module.EXPORTS}/{name}")
        number = tx.number
    entries = {entry.number for entry in project.history()}
    return AppliedChange(
        history_entry=number if number in entries else None,
        regenerated_shots=list(plan.regenerate_shots),
        regenerated_segments=list(plan.regenerate_segments),
        regenerated_elements=list(plan.regenerate_elements),
        inserted_shots=list(plan.inserted_shots),
        removed_shots=list(plan.removed_shots),
        moved_shots=list(plan.moved_shots),
        documents=documents,
        summary=list(plan.summary),
    )
