"""Scenes to timed shots: :func:`design_shots` and the shot specs it builds."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

from storycore.tools.breakdown.continuity import link_continuity
from storycore.tools.breakdown.coverage import _cover, _coverage_sentence, _Covered
from storycore.tools.breakdown.design import _scene_changes_place, _SceneDesigner
from storycore.tools.breakdown.design_base import StoryFacts, story_facts
from storycore.tools.breakdown.drafts import Breakdown, _Draft, _f, _parse_transition
from storycore.tools.breakdown.fitting import (
    _fit_seconds,
    _reduce,
    _reduction_sentence,
    _set_seconds,
    allocate_frames,
)
from storycore.tools.breakdown.rules import (
    _MAX_SHOTS,
    DEFAULT_RULES,
    MIN_SHOT_FRAMES,
    BreakdownRules,
)
from storycore.tools.breakdown.text import _dedupe, _short, _tokens
from storycore.tools.domain import (
    IntExt,
    Scene,
    ShotSpec,
    TechnicalSpecs,
    Transition,
)
from storycore.tools.errors import BriefError, InvalidInput
from storycore.tools.fountain import (
    SceneTime,
    entry_transition,
    in_plain_case,
    lit_time,
    text_in_plain_case,
    time_relations,
)
from storycore.tools.i18n import Messages
from storycore.tools.naming import element_id
from storycore.tools.timecode import seconds_to_frames


def _weather(scene: Scene, rules: BreakdownRules) -> str | None:
    """The weather the scene's heading and action lines show (never its dialogue).

    A weather the scene says is over ("The rain has stopped.") is not the scene's weather,
    even where it is mentioned again ("a photograph of the bridge in the rain").
    """
    if scene.int_ext is IntExt.INT:
        return None
    action = [b.text for b in scene.beats if b.kind == "action"]
    tokens = _tokens(" ".join([scene.heading, scene.description, *action]))
    found: list[str] = []
    ended: set[str] = set()
    for index, token in enumerate(tokens):
        for name, words in rules.weather_words.items():
            if token not in words:
                continue
            if set(tokens[index + 1 : index + 4]) & rules.weather_ended:
                ended.add(name)
            else:
                found.append(name)
    return next((name for name in found if name not in ended), None)


def design_shots(
    scenes: Sequence[Scene],
    specs: TechnicalSpecs,
    *,
    target_seconds: float | None = None,
    min_frames: int = MIN_SHOT_FRAMES,
    rules: BreakdownRules = DEFAULT_RULES,
    declared_props: Iterable[str] = (),
) -> Breakdown:
    """Shots for ``scenes``: framed, timed at ``specs.pace`` and ``specs.words_per_second``,
    with contiguous timecodes at ``specs.rate`` from frame 0, ids ``shot_01``...

    With ``target_seconds`` (the brief's length) the total is exactly the target to the
    nearest frame (half up); a scene's own ``target_seconds`` is honoured first. A scene whose
    share of the target is more than ``rules.stretch_limit`` times its natural length (or
    whose shots would average more than the pace's longest) is covered with more shots rather
    than longer ones: a shot per sentence, then close-ups, medium angles, performance,
    tracking, inserts and cutaways after the beats they cover. When the target cannot hold
    every shot at ``min_frames``, reactions, inserts and establishing shots go first, then
    neighbouring shots of a scene are merged. The warnings say what was done. A target too
    short for one shot per scene raises :class:`BriefError`. A prop known only from being
    handled gets no insert of its own; ``declared_props`` (the brief's Props) always do.
    """
    if not scenes:
        raise BriefError("there are no scenes to design shots for; give a screenplay or a brief")
    if min_frames < 1:
        raise InvalidInput(f"the minimum shot length must be at least 1 frame, not {min_frames}")
    if specs.pace not in rules.pace:
        raise InvalidInput(f"no timing rules for the pace {specs.pace!r}")
    rate = specs.rate
    times = time_relations(scenes)
    warnings: list[str] = []
    designed: list[list[_Draft]] = []
    story = story_facts(scenes, rules, declared_props)
    # The props a writer flagged in capitals ("a RED UMBRELLA") asked for their inserts
    # (read above); the shots and prompts say them in plain case.
    props = list(dict.fromkeys(p for scene in scenes for p in scene.props))
    plain = [
        scene.model_copy(
            update={
                "beats": [in_plain_case(b, props, scene.characters) for b in scene.beats],
                "description": text_in_plain_case(scene.description, props, scene.characters),
            }
        )
        for scene in scenes
    ]
    for index, scene in enumerate(plain):
        previous = plain[index - 1] if index else None
        changes_place = _scene_changes_place(previous, scene)
        designer = _SceneDesigner(rules, specs, scene, index, changes_place, story=story)
        designed.append(designer.design())
    if target_seconds is not None and target_seconds <= 0:
        raise InvalidInput(f"the target length must be positive, not {target_seconds} s")
    drafts, natural = _scene_lengths(
        plain, designed, specs, rules, target_seconds, min_frames, warnings, story
    )
    total = _total_frames(scenes, natural, rate, target_seconds, warnings, specs.language)
    if len(scenes) * min_frames > total:
        needed = Fraction(len(scenes) * min_frames) / rate
        raise BriefError(
            f"a {float(Fraction(total) / rate):g} s plan cannot hold {len(scenes)} scenes of at "
            f"least {min_frames} frames each; give at least {math.ceil(float(needed) * 10) / 10:g}"
            " s or fewer scenes"
        )
    before = len(drafts)
    if before * min_frames > total:
        done = _reduce(drafts, total // min_frames, rules)
        warnings.append(
            _reduction_sentence(
                done, float(Fraction(total) / rate), before, min_frames, specs.language
            )
        )
    fitted = _fit_seconds(drafts, Fraction(total) / rate)
    frames = allocate_frames(fitted, total, min_frames)
    warnings.extend(_fit_warnings(drafts, frames, natural, total, specs, target_seconds))
    shots = _build_shots(drafts, frames, scenes, times, rules)
    return Breakdown(
        scenes=list(scenes), shots=link_continuity(shots, scenes), warnings=warnings, rate=rate
    )


def _scene_lengths(
    scenes: Sequence[Scene],
    designed: Sequence[list[_Draft]],
    specs: TechnicalSpecs,
    rules: BreakdownRules,
    target_seconds: float | None,
    min_frames: int,
    warnings: list[str],
    story: StoryFacts,
) -> tuple[list[_Draft], Fraction]:
    """Every scene's drafts in order, each scene at its share of the target (covered when
    stretching would not do) or at its own length, and their natural length in seconds."""
    rate = specs.rate
    covered: _Covered | None = None
    if target_seconds is not None:
        target_frames = seconds_to_frames(target_seconds, rate)
        capacity = min(_MAX_SHOTS, target_frames // min_frames)
        target = Fraction(target_frames) / rate
        covered = _cover(scenes, designed, specs, rules, target, capacity, story)
    drafts: list[_Draft] = []
    if covered is not None:
        # Each scene already lasts its share of the target (coverage, then fitting).
        for scene_drafts in covered.drafts:
            drafts.extend(scene_drafts)
        warnings.append(_coverage_sentence(covered, scenes, specs, target_seconds or 0))
        return drafts, covered.natural
    for scene, scene_drafts in zip(scenes, designed, strict=True):
        if scene.target_seconds:
            _set_seconds(scene_drafts, _fit_seconds(scene_drafts, _f(scene.target_seconds)))
        drafts.extend(scene_drafts)
    return drafts, sum((d.seconds for d in drafts), Fraction(0))


def _total_frames(
    scenes: Sequence[Scene],
    natural: Fraction,
    rate: Fraction,
    target_seconds: float | None,
    warnings: list[str],
    language: str | None = None,
) -> int:
    """The plan's length in frames: the target's, or the shots' natural length without one."""
    if target_seconds is None:
        return seconds_to_frames(natural, rate)
    total = seconds_to_frames(target_seconds, rate)
    scene_targets = [s.target_seconds for s in scenes if s.target_seconds]
    if scene_targets and len(scene_targets) == len(scenes):
        planned = sum(_f(t) for t in scene_targets)
        if seconds_to_frames(planned, rate) != total:
            warnings.append(
                Messages(language)(
                    "breakdown.scaled", planned=f"{float(planned):g}", target=f"{target_seconds:g}"
                )
            )
    return total


def _fit_warnings(
    drafts: Sequence[_Draft],
    frames: Sequence[int],
    natural: Fraction,
    total: int,
    specs: TechnicalSpecs,
    target_seconds: float | None,
) -> list[str]:
    """What fitting to the length did that a reader should know: shots far from their natural
    length, and dialogue shots shorter than their lines."""
    rate = specs.rate
    m = Messages(specs.language)
    warnings: list[str] = []
    if target_seconds is not None and natural > 0:
        factor = float(Fraction(total) / rate / natural)
        if abs(factor - 1) > 0.25:
            warnings.append(
                m(
                    "breakdown.fitted",
                    natural=f"{float(natural):.1f}",
                    target=f"{target_seconds:g}",
                    factor=f"{factor:.2f}",
                )
            )
    rushed = [
        d
        for d, n in zip(drafts, frames, strict=True)
        if d.speech_seconds and Fraction(n) / rate < d.speech_seconds
    ]
    if rushed:
        warnings.append(
            m.plural(
                "breakdown.rushed",
                len(rushed),
                words_per_second=f"{specs.words_per_second:g}",
            )
        )
    return warnings


def _build_shots(
    drafts: Sequence[_Draft],
    frames: Sequence[int],
    scenes: Sequence[Scene],
    times: Sequence[SceneTime],
    rules: BreakdownRules,
) -> list[ShotSpec]:
    if len(drafts) > _MAX_SHOTS:
        raise BriefError(
            f"the plan has {len(drafts)} shots, more than the {_MAX_SHOTS} shot ids allow; "
            "break the film into episodes"
        )
    transitions_in: list[Transition] = []
    for number, draft in enumerate(drafts):
        scene = scenes[draft.scene_index]
        opens_scene = number == 0 or drafts[number - 1].scene_index != draft.scene_index
        if opens_scene:
            previous = scenes[draft.scene_index - 1] if draft.scene_index else None
            transition = entry_transition(previous, scene, times[draft.scene_index].relation)
            if number == 0 and transition is Transition.CUT:
                transition = Transition.FADE_IN
        else:
            transition = draft.transition_in or Transition.CUT
        transitions_in.append(transition)
    last_scene = scenes[drafts[-1].scene_index] if drafts else None
    ends_on_fade = bool(
        last_scene
        and last_scene.beats
        and last_scene.beats[-1].kind == "transition"
        and _parse_transition(last_scene.beats[-1].text) is Transition.FADE_OUT
    )
    shots: list[ShotSpec] = []
    start = 0
    for number, (draft, length) in enumerate(zip(drafts, frames, strict=True)):
        scene = scenes[draft.scene_index]
        if number + 1 < len(drafts):
            following = transitions_in[number + 1]
            transition_out = Transition.FADE_OUT if following is Transition.FADE_IN else following
        else:
            transition_out = Transition.FADE_OUT if ends_on_fade else Transition.CUT
        time = times[draft.scene_index].period or lit_time(scene.time_of_day)
        spoken = bool(draft.dialogue or draft.narration)
        shots.append(
            ShotSpec(
                shot_id=f"shot_{number + 1:02d}",
                title=_short(draft.title, 80),
                scene=scene.number,
                start_frame=start,
                end_frame=start + length,
                shot_size=draft.shot_size,
                framing=draft.framing,
                camera_angle=draft.camera_angle,
                camera_movement=draft.camera_movement,
                camera_details=draft.camera_details,
                lens_mm=rules.lens_mm[draft.shot_size],
                scene_type=draft.scene_type,
                description=draft.description.strip(),
                action=draft.action,
                characters=_dedupe(element_id("character", c) for c in draft.characters),
                location=element_id("location", scene.location) if scene.location else None,
                props=_dedupe(element_id("prop", p) for p in draft.props),
                time_of_day=time,
                weather=_weather(scene, rules),
                vocals_type="spoken" if spoken else None,
                dialogue=list(draft.dialogue),
                narration=draft.narration,
                transition_in=transitions_in[number],
                transition_out=transition_out,
                generation_notes="; ".join(draft.notes),
            )
        )
        start += length
    return shots
