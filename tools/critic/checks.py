"""The critic's checks: each reads the whole plan (a :class:`PlanView`) and returns findings.

Every check is a rule over the plan's own data (shots, elements, specs, the model registry),
never over one example's text: a check that flags a defect would flag it in any plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from storycore.tools.critic.facts import time_contradiction, weather_contradiction
from storycore.tools.critic.findings import Finding
from storycore.tools.critic.language import detect_language
from storycore.tools.critic.looks import action_sentence, appearance_of
from storycore.tools.domain import (
    LANGUAGE_NAMES,
    AssetMetadata,
    ElementType,
    ShotSize,
    ShotSpec,
    TechnicalSpecs,
)
from storycore.tools.domain.modifications import (
    InsertShot,
    Modification,
    Regenerate,
    RemoveShot,
    RetimeShot,
    SetModel,
    SetShotField,
    UpdateElement,
)
from storycore.tools.errors import StoryCoreError
from storycore.tools.feedback.text import fold
from storycore.tools.i18n import FALLBACK, Messages, catalog, display_language
from storycore.tools.model_registry import ModelCapability, ModelRegistry, max_clip_frames
from storycore.tools.model_selection.wording import stated_costs
from storycore.tools.project import Project
from storycore.tools.regeneration.rewrite import rewrite_shot_size, size_phrase, size_phrases


@dataclass
class PlanView:
    """The plan as the critic reads it: loaded once, shared by every check."""

    project: Project
    specs: TechnicalSpecs
    shots: list[ShotSpec]
    elements: list[AssetMetadata]
    registry: ModelRegistry
    brief_warnings: list[str] = field(default_factory=list)

    @property
    def rate(self) -> Fraction:
        """The project's frame rate."""
        return self.specs.rate

    def seconds(self, shot: ShotSpec) -> Fraction:
        """A shot's length in exact seconds at the project rate."""
        return Fraction(shot.duration_frames) / self.rate

    @property
    def m(self) -> Messages:
        """The messages findings are written with: the project's answer language (or the
        language shown, when one is set)."""
        return Messages(display_language(self.specs.language))

    def quote(self, value: object) -> str:
        """``value`` quoted for a finding: ``'rain'`` in English, ``« rain »`` in French."""
        language = self.m.language
        if language == FALLBACK or "critic.quoted" not in catalog(language):
            return repr(value)
        return self.m("critic.quoted", value=value)

    def model(self, model_id: str | None) -> ModelCapability | None:
        """The registry's model, or None when the id is empty or unknown."""
        if not model_id or model_id not in self.registry:
            return None
        return self.registry.get(model_id)


Check = Callable[[PlanView], list[Finding]]
_SIZES = [s.value for s in ShotSize]


def _size_words(size: str, language: str = FALLBACK) -> str:
    return f"{size_phrase(size, language)} ({size})"


# -- framing ------------------------------------------------------------------------------


def check_framing(view: PlanView) -> list[Finding]:
    """A shot whose description, action or prompts name another shot size than its own."""
    findings: list[Finding] = []
    m = view.m
    for shot in view.shots:
        own = shot.shot_size.value
        places: list[str] = []
        said: list[str] = []
        for name in ("description", "action", "image_prompt", "video_prompt"):
            others = [p for p in size_phrases(getattr(shot, name)) if p.size != own]
            if others:
                places.append(m(f"critic.field.{name}"))
                said.extend(p.text for p in others if p.text not in said)
        if not places:
            continue
        fix: list[Modification] = []
        for name in ("description", "action"):
            text = getattr(shot, name)
            new = rewrite_shot_size(text, own)
            if new != text:
                fix.append(SetShotField(shot_id=shot.shot_id, field=name, value=new))
        if not fix:
            fix.append(Regenerate(shot_ids=[shot.shot_id], reason="rebuild its prompts"))
        findings.append(
            Finding(
                kind="framing_contradiction",
                target=shot.shot_id,
                message=m.plural(
                    "critic.framing",
                    len(places),
                    size=_size_words(own, m.language),
                    places=", ".join(places),
                    said=", ".join(view.quote(s) for s in said),
                ),
                fix=fix,
            )
        )
    return findings


# -- facts --------------------------------------------------------------------------------


def check_facts(view: PlanView) -> list[Finding]:
    """A shot whose weather or time of day disagrees with what its own text says."""
    findings: list[Finding] = []
    for shot in view.shots:
        text = " ".join(t for t in (shot.description, shot.action) if t)
        weather = weather_contradiction(shot.weather, text)
        if weather is not None:
            said, implied = weather
            findings.append(
                Finding(
                    kind="fact_contradiction",
                    target=shot.shot_id,
                    message=view.m(
                        "critic.weather",
                        weather=view.quote(shot.weather),
                        said=view.quote(said),
                    ),
                    fix=[SetShotField(shot_id=shot.shot_id, field="weather", value=implied or "")],
                )
            )
        time = time_contradiction(shot.time_of_day, text)
        if time is not None:
            said, implied = time
            findings.append(
                Finding(
                    kind="fact_contradiction",
                    target=shot.shot_id,
                    message=view.m(
                        "critic.time_of_day",
                        time=view.quote(shot.time_of_day),
                        said=view.quote(said),
                    ),
                    fix=[SetShotField(shot_id=shot.shot_id, field="time_of_day", value=implied)],
                )
            )
    return findings


# -- prompt language ----------------------------------------------------------------------


def _has_templates(view: PlanView, language: str) -> bool:
    from storycore.prompts import template_sources

    override = view.project.path("prompts")
    try:
        sources = template_sources(
            "generation/image_prompt", language, override if override.is_dir() else None
        )
    except StoryCoreError:
        return False
    return any(origin.endswith(f":{language}") for origin, _ in sources)


def _language_name(code: str, language: str = FALLBACK) -> str:
    if language != FALLBACK and f"language_name.{code}" in catalog(FALLBACK):
        return Messages(language)(f"language_name.{code}")
    return LANGUAGE_NAMES.get(code, code)


def check_prompt_language(view: PlanView) -> list[Finding]:
    """Prompts in another language than the project's prompt language: descriptions of shots
    and elements written in another language, or a prompt language with no templates."""
    findings: list[Finding] = []
    m = view.m
    wanted = view.specs.prompt_language
    wanted_name = _language_name(wanted, m.language)
    if not _has_templates(view, wanted):
        findings.append(
            Finding(
                kind="prompt_language",
                target="plan",
                message=m("critic.no_templates", wanted=wanted_name),
                hint=m("critic.no_templates_hint", code=wanted),
            )
        )
    hint = m("critic.translate_hint", wanted=wanted_name)
    # Planned offline, the descriptions stay in the story's language and the plan says so
    # (project.json's description_language, stated in the summary and status): a known,
    # stated fact of the plan, not a finding on each shot. Another language still is.
    stated = view.project.manifest.description_language
    for shot in view.shots:
        found = detect_language(shot.description)
        if found and found not in (wanted, stated):
            findings.append(
                Finding(
                    kind="prompt_language",
                    target=shot.shot_id,
                    message=m(
                        "critic.description_language",
                        found=_language_name(found, m.language),
                        wanted=wanted_name,
                    ),
                    hint=hint,
                )
            )
    for element in view.elements:
        found = detect_language(element.canonical_description)
        if found and found not in (wanted, stated) and element.shots:
            findings.append(
                Finding(
                    kind="prompt_language",
                    target=element.element_id,
                    message=m.plural(
                        "critic.look_language",
                        len(element.shots),
                        found=_language_name(found, m.language),
                        wanted=wanted_name,
                    ),
                    hint=hint,
                )
            )
    return findings


# -- identical shots ----------------------------------------------------------------------


def _content_key(shot: ShotSpec) -> tuple[object, ...]:
    return (
        shot.shot_size.value,
        shot.framing.value,
        shot.camera_angle.value,
        shot.camera_movement.value,
        " ".join(fold(shot.description).split()),
        " ".join(fold(shot.action).split()),
        tuple(sorted(shot.characters)),
        shot.location,
        tuple(sorted(shot.props)),
    )


def _other_size(size: str, taken: set[str]) -> str:
    index = _SIZES.index(size)
    for step in (2, -2, 1, -1, 3, -3):
        candidate = index + step
        if 0 <= candidate < len(_SIZES) and _SIZES[candidate] not in taken:
            return _SIZES[candidate]
    return _SIZES[(index + 1) % len(_SIZES)]


def check_identical(view: PlanView) -> list[Finding]:
    """Shots that repeat another shot (same framing, subject and action, or the same
    prompts), and splits of one shot that its model no longer needs."""
    findings: list[Finding] = []
    first_of: dict[tuple[object, ...], ShotSpec] = {}
    first_prompt: dict[str, ShotSpec] = {}
    by_split: dict[str, list[ShotSpec]] = {}
    for shot in view.shots:
        if shot.split_from:
            by_split.setdefault(shot.split_from, []).append(shot)
    split_members = {s.shot_id for parts in by_split.values() for s in parts}
    for shot in view.shots:
        key = _content_key(shot)
        # Dialogue is kept out of image prompts: a shot that says another line differs.
        said = " ".join(line.text for line in shot.dialogue)
        prompt = " ".join(fold(shot.image_prompt).split())
        prompt = f"{prompt} | {fold(said)}" if prompt and said else prompt
        same = first_of.get(key) or (first_prompt.get(prompt) if prompt else None)
        if same is not None and not (
            shot.shot_id in split_members
            and same.shot_id in split_members
            and same.split_from == shot.split_from
        ):
            taken = {same.shot_size.value, shot.shot_size.value}
            new_size = _other_size(shot.shot_size.value, taken)
            findings.append(
                Finding(
                    kind="identical_shots",
                    target=shot.shot_id,
                    message=view.m("critic.repeats", same=same.shot_id),
                    fix=[SetShotField(shot_id=shot.shot_id, field="shot_size", value=new_size)],
                    hint=view.m("critic.repeats_hint", shot=shot.shot_id),
                )
            )
        first_of.setdefault(key, shot)
        if prompt:
            first_prompt.setdefault(prompt, shot)
    for original, parts in by_split.items():
        if len(parts) < 2:
            continue
        models = {p.model_id for p in parts}
        model = view.model(parts[0].model_id) if len(models) == 1 else None
        if model is None:
            continue
        total = sum(p.duration_frames for p in parts)
        try:
            limit = max_clip_frames(model, view.rate)
        except StoryCoreError:
            continue
        if total <= limit:
            first = parts[0]
            seconds = float(Fraction(total) / view.rate)
            fix: list[Modification] = [
                RetimeShot(shot_id=first.shot_id, duration_seconds=round(seconds, 4)),
                *(RemoveShot(shot_id=p.shot_id) for p in parts[1:]),
            ]
            findings.append(
                Finding(
                    kind="identical_shots",
                    target=first.shot_id,
                    message=view.m(
                        "critic.split_unneeded",
                        parts=", ".join(p.shot_id for p in parts),
                        original=original,
                        model=model.name,
                        seconds=f"{seconds:g}",
                    ),
                    fix=fix,
                )
            )
    return findings


# -- elements in no shot ------------------------------------------------------------------

_SHOWN_TYPES = (ElementType.CHARACTER, ElementType.PROP, ElementType.LOCATION)


def _mentions(text: str, name: str) -> bool:
    words = re.findall(r"[a-z0-9]+", fold(name))
    if not words:
        return False
    head = words[-1]
    return bool(re.search(rf"(?<![a-z0-9]){re.escape(head)}(?![a-z0-9])", fold(text)))


def check_unused_elements(view: PlanView) -> list[Finding]:
    """A declared character, location or prop that no shot shows."""
    shown = {element_id for shot in view.shots for element_id in shot.element_ids()}
    findings: list[Finding] = []
    for element in view.elements:
        if element.type not in _SHOWN_TYPES or element.element_id in shown:
            continue
        mention = next(
            (s for s in view.shots if _mentions(" ".join((s.description, s.action)), element.name)),
            None,
        )
        where = view.shots[-1] if mention is None and view.shots else mention
        fix: list[Modification] = []
        if where is not None:
            kind = element.type
            fix.append(
                InsertShot(
                    after=where.shot_id,
                    description=f"{element.name}",
                    duration_seconds=2.0,
                    shot_size="CU"
                    if kind is ElementType.PROP
                    else ("WS" if kind is ElementType.LOCATION else "MS"),
                    characters=[element.element_id] if kind is ElementType.CHARACTER else [],
                    location=element.element_id if kind is ElementType.LOCATION else None,
                    props=[element.element_id] if kind is ElementType.PROP else [],
                )
            )
        said = view.m("critic.unused_named", shot=mention.shot_id) if mention is not None else ""
        findings.append(
            Finding(
                kind="unused_element",
                target=element.element_id,
                message=view.m(
                    f"critic.unused.{element.type.value}",
                    name=view.quote(element.name),
                    said=said,
                ),
                fix=fix,
            )
        )
    return findings


# -- models -------------------------------------------------------------------------------


def _upscaled_by(view: PlanView, shot: ShotSpec, model: ModelCapability) -> str | None:
    """Why the shot's upscale step does not reach its resolution (None: it does)."""
    m = view.m
    size = shot.resolution or view.specs.resolution
    upscaler = view.model(shot.upscaler)
    if upscaler is None or not upscaler.is_upscaler:
        return m(
            "critic.model.no_upscale",
            model=model.name,
            resolutions=", ".join(model.resolutions),
            width=size.width,
            height=size.height,
        ) + (
            m("critic.model.not_upscaler", upscaler=view.quote(shot.upscaler))
            if shot.upscaler
            else ""
        )
    factor = model.upscale_needed(size.width, size.height)
    if not upscaler.supports_resolution(size.width, size.height) or factor > Fraction(
        str(upscaler.upscale_factor or 1)
    ):
        return m(
            "critic.model.upscale_short",
            upscaler=upscaler.name,
            model=model.name,
            width=size.width,
            height=size.height,
            factor=f"{float(factor):.2g}",
        )
    if view.specs.models.local_only and not upscaler.local:
        return m("critic.model.upscaler_cloud", upscaler=upscaler.name)
    return None


def _better_model(view: PlanView, shot: ShotSpec, *, need_resolution: bool) -> str | None:
    from storycore.tools.model_selector import ModelSelector, request_for_shot

    request = request_for_shot(shot, view.specs)
    if need_resolution:
        request = request.model_copy(
            update={"resolution": shot.resolution or view.specs.resolution}
        )
    try:
        chosen = ModelSelector(view.registry).select(request).model_id
    except StoryCoreError:
        return None
    return chosen if chosen != shot.model_id else None


def _model_problems(
    view: PlanView, shot: ShotSpec, model: ModelCapability
) -> list[tuple[str, bool]]:
    """Why ``model`` cannot make ``shot``: each problem's sentence, and whether it is only
    about reaching the resolution (an upscale step would fix it)."""
    m = view.m
    specs = view.specs
    problems: list[tuple[str, bool]] = []
    if model.kinds and "video" not in [k.value for k in model.kinds]:
        problems.append((m("critic.model.not_video", model=model.name), False))
        return problems
    try:
        limit = max_clip_frames(model, view.rate)
    except StoryCoreError:
        limit = None
    if limit is not None and shot.duration_frames > limit:
        problems.append(
            (
                m(
                    "critic.model.too_long",
                    seconds=f"{float(view.seconds(shot)):g}",
                    model=model.name,
                    limit=f"{float(Fraction(limit) / view.rate):g}",
                ),
                False,
            )
        )
    aspect = shot.aspect_ratio or specs.aspect_ratio
    size = shot.resolution or specs.resolution
    # A ratio the model does not render is fine when a centre crop of its frame covers it
    # (the selector plans it; production crops the clip to the project's size).
    if not model.reaches_ratio(size.width, size.height) or (
        not model.supports_aspect(aspect) and model.frame_crop(size.width, size.height) is None
    ):
        problems.append((m("critic.model.aspect", model=model.name, aspect=aspect), False))
    if model.upscale_needed(size.width, size.height) > 1:
        why = _upscaled_by(view, shot, model)
        if why:
            problems.append((why, True))
    if specs.models.local_only and not model.local:
        problems.append((m("critic.model.cloud", model=model.name), False))
    avoided = {view.registry.get(a).id for a in specs.models.avoid if a in view.registry}
    if model.id in avoided:
        problems.append((m("critic.model.avoided", model=model.name), False))
    return problems


def check_models(view: PlanView) -> list[Finding]:
    """A shot whose model cannot make it to the project's specs: unknown, too short a clip,
    the wrong aspect ratio, a lower resolution with no upscale step, a cloud model in a
    local-only project, a model the brief avoids."""
    findings: list[Finding] = []
    m = view.m
    for shot in view.shots:
        model = view.model(shot.model_id)
        if model is None:
            problems = [
                m("critic.model.none")
                if not shot.model_id
                else m("critic.model.unknown", model=view.quote(shot.model_id))
            ]
            resolution_only = False
        else:
            found = _model_problems(view, shot, model)
            problems = [text for text, _ in found]
            resolution_only = all(upscale for _, upscale in found)
        if not problems:
            continue
        better = _better_model(view, shot, need_resolution=resolution_only)
        fix: list[Modification] = (
            [SetModel(model_id=better, shot_ids=[shot.shot_id])] if better else []
        )
        hint = m("critic.model.upscale_hint") if resolution_only and not fix else ""
        findings.append(
            Finding(
                kind="model_cannot_meet_specs",
                target=shot.shot_id,
                message=m("critic.model.problems", problems=m("critic.semicolon").join(problems)),
                fix=fix,
                hint=hint,
            )
        )
    return findings


# -- cost ---------------------------------------------------------------------------------


def shot_cost(view: PlanView, shot: ShotSpec) -> Fraction:
    """What generating a shot costs with its model, in exact dollars (0 for a local model)."""
    from storycore.tools.model_selector import shot_cost_usd

    model = view.model(shot.model_id)
    if model is None:
        return Fraction(0)
    upscaler = view.model(shot.upscaler)
    return shot_cost_usd(model, view.seconds(shot), upscaler if upscaler else None)


def check_cost(view: PlanView, *, summary_cost: float | None = None) -> list[Finding]:
    """Cost figures that do not add up: the plan's estimated total against its shots' costs,
    a shot's stated estimate against its model's price, a total over the brief's budget."""
    findings: list[Finding] = []
    m = view.m
    total = sum((shot_cost(view, s) for s in view.shots), Fraction(0))
    if summary_cost is not None and abs(summary_cost - float(total)) > 0.01:
        findings.append(
            Finding(
                kind="cost_mismatch",
                target="plan",
                message=m(
                    "critic.cost.total", summary=f"{summary_cost:.2f}", total=f"{float(total):.2f}"
                ),
                hint=m("critic.cost.total_hint"),
            )
        )
    for shot in view.shots:
        stated = next(stated_costs(shot.model_reason), None)
        if stated is None:
            continue
        cost = float(shot_cost(view, shot))
        if abs(stated - cost) > 0.01:
            findings.append(
                Finding(
                    kind="cost_mismatch",
                    target=shot.shot_id,
                    message=m(
                        "critic.cost.shot",
                        stated=f"{stated:.2f}",
                        seconds=f"{float(view.seconds(shot)):g}",
                        model=shot.model_id,
                        cost=f"{cost:.2f}",
                    ),
                    hint=m("critic.cost.shot_hint"),
                )
            )
    budget = view.specs.budget_usd
    if budget is not None and float(total) > budget + 0.005:
        findings.append(
            Finding(
                kind="cost_mismatch",
                target="plan",
                message=m(
                    "critic.cost.budget", total=f"{float(total):.2f}", budget=f"{budget:.2f}"
                ),
                hint=m("critic.cost.budget_hint"),
            )
        )
    return findings


# -- looks --------------------------------------------------------------------------------


def check_looks(view: PlanView) -> list[Finding]:
    """An element whose canonical look is an action sentence, not an appearance."""
    findings: list[Finding] = []
    others = [e.name for e in view.elements]
    for element in view.elements:
        if element.type not in _SHOWN_TYPES:
            continue
        sentence = action_sentence(
            element.canonical_description, [element.name, *element.aliases, *others]
        )
        if sentence is None:
            continue
        appearance = appearance_of(element.canonical_description, element.name)
        fix: list[Modification] = []
        if appearance:
            fix.append(UpdateElement(element=element.element_id, description=appearance))
        elif element.type is not ElementType.CHARACTER:
            name = element.name.title() if element.name.isupper() else element.name
            fix.append(UpdateElement(element=element.element_id, description=name))
        findings.append(
            Finding(
                kind="look_is_action",
                target=element.element_id,
                message=view.m("critic.look_is_action", sentence=view.quote(sentence[:80])),
                fix=fix,
                hint="" if fix else view.m("critic.look_hint", name=element.name),
            )
        )
    return findings


#: The checks, in the order of :data:`storycore.tools.critic.findings.FINDING_KINDS`.
CHECKS: Sequence[tuple[str, Check]] = (
    ("framing_contradiction", check_framing),
    ("fact_contradiction", check_facts),
    ("prompt_language", check_prompt_language),
    ("identical_shots", check_identical),
    ("unused_element", check_unused_elements),
    ("model_cannot_meet_specs", check_models),
    ("look_is_action", check_looks),
)
