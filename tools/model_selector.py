"""The model selector: which generative model makes a shot, and why.

For each shot, the selector takes every model of the requested kind (video by default) from
the :class:`~storycore.tools.model_registry.ModelRegistry` and does three things in order.

1. **Hard constraints** rule candidates out. The first one a model fails is its reason in
   ``Selection.rejected``, checked in this order:

   - ``avoid``: the user excluded it;
   - ``requires``: a capability it lacks (``lip_sync``, ``i2v`` from a keyframe,
     ``native_audio``, ``flf2v``, any mode);
   - ``local_only``: a cloud model;
   - ``vram_gb``: a local model needing more GPU memory (cloud models use none of yours);
   - ``aspect_ratio``: not rendered natively (``aspect_ratio``, or the ratio of
     ``resolution``);
   - ``resolution``: larger than every native frame size (either orientation). Ask for the
     size the model must output, not the delivery size you upscale to;
   - ``target_resolution`` (the delivery size): a model below it is planned with the
     cheapest allowed upscaler that reaches it (its cost added, the score lowered by
     :data:`UPSCALE_PENALTY`, the reason naming it); with none allowed, it is ruled out;
   - clip length: a shot longer than the model's longest clip is split into
     ``ceil(duration / max clip)`` clips (the planner cuts shot_04 into shot_04a, shot_04b);
     beyond :data:`MAX_SPLIT` clips the model is ruled out;
   - ``budget_usd``: the shot's estimated cost is over the shot's budget.

2. **A score** orders the candidates left (higher is better)::

       score = W_FIT * strength[scene_type]          (0.50, strength 0..1 from the data)
             + W_PREFER if the user prefers it       (0.30, minus 0.01 per rank in `prefer`)
             + W_CONSISTENCY if it is segment_model  (0.12)
             + W_COST / (1 + cost_usd / COST_SCALE)  (0.08; free = 0.08, $1 = 0.04)
             - SPLIT_PENALTY * (split - 1)           (0.06 per extra clip)

   A preferred model that passes the hard constraints nearly always wins (0.30 outweighs a
   0.6 gap in strength); staying with the segment's model outweighs a 0.24 gap; a split
   costs as much as a 0.12 gap in strength, so a model that fits in one clip wins over a
   slightly stronger one that needs two. Ties go to the lower id, so the choice is
   deterministic.

3. **Ordered fallbacks**: every other candidate, by score. The reason is one line.

Nothing fits: :class:`NoModelFits` (a :class:`~storycore.tools.errors.ModelSelectionError`)
names, for each candidate, the constraint that ruled it out.

For a whole plan, :meth:`ModelSelector.select_plan` first picks one model per segment (the
candidate with the highest total score over the segment's shots) and gives it the
consistency bonus in each of them; then, if the plan's budget is exceeded, it switches shots
to cheaper candidates, each time the switch that loses the least score per dollar saved,
until the plan fits. When even the cheapest candidate of every shot is over budget, it says
so with the totals.

The weights are module constants, documented in ``docs/model-selection.md`` too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from storycore.tools.domain import (
    AspectField,
    Resolution,
    SceneTypeField,
    ShotSpec,
    TechnicalSpecs,
    format_validation_error,
    parse_aspect_ratio,
)
from storycore.tools.errors import InvalidInput, ModelSelectionError, NotFound
from storycore.tools.model_registry import (
    VISUAL_KINDS,
    Kind,
    ModelCapability,
    ModelRegistry,
    exact,
    parse_capability,
    parse_kind,
)

# The scoring weights (see the module docstring and docs/model-selection.md).
W_FIT = 0.50
W_PREFER = 0.30
PREFER_RANK_STEP = 0.01
W_CONSISTENCY = 0.12
W_COST = 0.08
COST_SCALE_USD = 1.0
SPLIT_PENALTY = 0.06
#: Taken from a model whose native frame is below the delivery size (it needs an upscale
#: step): a model that reaches the size natively wins over one up to 0.08 stronger.
UPSCALE_PENALTY = 0.04

#: The most clips one planned shot may be split into; a model needing more is ruled out.
#: Six 5 s clips make a 30 s shot: past that the cut is a sequence of shots, not one shot.
MAX_SPLIT = 6

_CAPABILITY_LABELS = {
    "lip_sync": "lip-sync to an audio track",
    "native_audio": "render native audio",
    "i2v": "image-to-video from a keyframe",
    "t2v": "text-to-video",
    "flf2v": "first/last-frame interpolation",
    "audio_driven": "audio-driven video",
    "v2v": "video-to-video",
    "t2i": "text-to-image",
    "i2i": "image-to-image",
    "edit": "image editing",
    "tts": "text-to-speech",
    "voice_clone": "voice cloning",
    "t2m": "music generation",
}

# Below this the plan total counts as within budget (float sums of cents).
_EPSILON = 1e-9


class SelectionRequest(BaseModel):
    """What one shot needs from a model: its scene type, length and the user's constraints."""

    model_config = ConfigDict(extra="forbid")

    scene_type: SceneTypeField
    duration_seconds: float = Field(gt=0, le=4 * 3600)
    resolution: Resolution | None = Field(
        None, description="Native output size the model must reach (WxH, 720p...)."
    )
    target_resolution: Resolution | None = Field(
        None,
        description="Delivery size (the project's): a model below it is planned with an "
        "upscale step, which costs and ranks it lower; none allowed reaching it rules it out.",
    )
    aspect_ratio: AspectField | None = None
    local_only: bool = False
    vram_gb: float | None = Field(None, gt=0, description="GPU memory available locally.")
    budget_usd: float | None = Field(None, ge=0, description="Most this shot may cost.")
    avoid: list[str] = Field(default_factory=list, description="Model ids never to use.")
    prefer: list[str] = Field(default_factory=list, description="Model ids to favour, in order.")
    requires: list[str] = Field(
        default_factory=list, description="Capabilities: lip_sync, i2v, native_audio, flf2v..."
    )
    segment_model: str | None = Field(
        None, description="The model already used in this shot's segment (consistency)."
    )
    kind: Kind = Kind.VIDEO
    shot_id: str | None = Field(None, description="For messages only.")

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        return parse_kind(value) if isinstance(value, str) else value

    @field_validator("requires", mode="before")
    @classmethod
    def _requires(cls, value: Any) -> Any:
        if isinstance(value, list):
            return list(dict.fromkeys(parse_capability(v) for v in value))
        return value

    @model_validator(mode="after")
    def _aspect_matches_resolution(self) -> Self:
        implied = self._resolution_aspect()
        if implied and self.aspect_ratio and implied != self.aspect_ratio:
            raise ValueError(
                f"resolution {self.resolution} is {implied}, not {self.aspect_ratio}; "
                "give one or make them agree"
            )
        return self

    def _resolution_aspect(self) -> str | None:
        if self.resolution is None:
            return None
        try:
            return parse_aspect_ratio(f"{self.resolution.width}:{self.resolution.height}")
        except ValueError:
            return None  # an unusual frame size: only its pixels are checked

    @property
    def effective_aspect(self) -> str | None:
        """The aspect ratio to check: the one given, else the resolution's."""
        return self.aspect_ratio or self._resolution_aspect()

    @classmethod
    def from_input(cls, **fields: Any) -> SelectionRequest:
        """Build a request from user input, turning any problem into :class:`InvalidInput`."""
        try:
            return cls.model_validate(fields)
        except ValidationError as exc:
            raise InvalidInput(format_validation_error(exc, subject="model selection")) from None
        except InvalidInput:
            raise
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None

    def label(self) -> str:
        """How messages name this shot."""
        name = self.shot_id or "this shot"
        return f"{name} ({self.duration_seconds:g} s, {self.scene_type.value})"


def request_for_shot(
    shot: ShotSpec,
    specs: TechnicalSpecs,
    *,
    segment_model: str | None = None,
    requires: Sequence[str] = (),
    budget_usd: float | None = None,
) -> SelectionRequest:
    """The selection request for a planned shot under the project's specs and preferences.

    The duration is the shot's frame count at the project rate; the aspect ratio is the
    shot's, else the project's. The shot's (else the project's) resolution is the
    ``target_resolution``, the delivery size: a model below it is not ruled out but planned
    with an upscale step (named, costed, ranked lower), so plan, critic and
    ``models select --target-resolution`` agree.
    """
    # Shot frames are counted at the project rate, whatever the shot's own fps override.
    return SelectionRequest.from_input(
        scene_type=shot.scene_type,
        duration_seconds=float(Fraction(shot.duration_frames) / specs.rate),
        aspect_ratio=shot.aspect_ratio or specs.aspect_ratio,
        target_resolution=shot.resolution or specs.resolution,
        local_only=specs.models.local_only,
        vram_gb=specs.models.vram_gb,
        budget_usd=budget_usd,
        avoid=list(specs.models.avoid),
        prefer=list(specs.models.prefer),
        requires=list(requires),
        segment_model=segment_model,
        shot_id=shot.shot_id,
    )


class CandidateScore(BaseModel):
    """A model that passed every hard constraint, with its score and what it would take."""

    model_id: str
    score: float
    split: int
    clip_seconds: float | None
    estimated_cost_usd: float
    components: dict[str, float]
    upscaler: str | None = None
    upscale_from: str | None = None


class Selection(BaseModel):
    """The model chosen for one shot, its ordered fallbacks and the one-line reason."""

    model_id: str
    fallbacks: list[str]
    reason: str
    split: int = Field(description="How many clips the shot needs (1 when it fits).")
    clip_seconds: float | None = Field(description="Length of each clip; None for an image.")
    estimated_cost_usd: float
    scores: dict[str, float] = Field(description="Score of every candidate, chosen first.")
    rejected: dict[str, str] = Field(description="Why each other model was ruled out.")
    candidates: list[CandidateScore] = Field(default_factory=list)
    upscaler: str | None = Field(
        None, description="The upscaler planned after the model (its cost is included)."
    )
    upscale_from: str | None = Field(None, description="The model's native frame, WxH.")
    upscale_to: str | None = Field(None, description="The delivery size, WxH.")


class NoModelFits(ModelSelectionError):
    """No model passes the hard constraints; ``rejected`` holds each candidate's reason."""

    def __init__(self, message: str, rejected: dict[str, str]) -> None:
        super().__init__(message)
        self.rejected = rejected


@dataclass
class _Evaluation:
    request: SelectionRequest
    candidates: list[CandidateScore]  # best first
    rejected: dict[str, str]
    segment_note: str = ""
    models: dict[str, ModelCapability] = field(default_factory=dict)


class ModelSelector:
    """Chooses a model per shot from a :class:`ModelRegistry` (see the module docstring)."""

    def __init__(self, registry: ModelRegistry) -> None:
        self.registry = registry
        # Evaluations by the request's inputs (every field but ``shot_id``, which only names
        # the shot in messages): a plan asks the same question for many shots, and each
        # distinct question is answered once. Errors are never cached (they are raised).
        self._evaluations: dict[tuple[str, bool], _Evaluation] = {}

    # ---------------------------------------------------------------- one shot

    def select(self, request: SelectionRequest) -> Selection:
        """The best model for one shot, with fallbacks and the reason; raises NoModelFits."""
        return self._selection(self._evaluate(request))

    # ---------------------------------------------------------------- a plan

    def select_plan(
        self,
        requests: Sequence[SelectionRequest],
        segment_ids: Sequence[str] | None = None,
        budget_usd: float | None = None,
    ) -> list[Selection]:
        """A model for every shot: one model per segment where it can, the plan's budget kept.

        ``segment_ids[i]`` is the segment of ``requests[i]`` (None: no consistency between
        shots beyond each request's own ``segment_model``).
        """
        if segment_ids is not None and len(segment_ids) != len(requests):
            raise InvalidInput(
                f"segment_ids has {len(segment_ids)} entries for {len(requests)} shots; "
                "give one segment id per shot"
            )
        if budget_usd is not None and budget_usd < 0:
            raise InvalidInput(f"the plan budget must be 0 or more, not {budget_usd:g}")
        plan = list(requests)
        if segment_ids is not None:
            plan = self._with_segment_models(plan, segment_ids)
        evaluations = [self._evaluate(r) for r in plan]
        chosen = [0] * len(evaluations)
        notes = [""] * len(evaluations)
        if budget_usd is not None:
            self._fit_budget(evaluations, chosen, notes, budget_usd)
        return [
            self._selection(e, index=i, note=n)
            for e, i, n in zip(evaluations, chosen, notes, strict=True)
        ]

    def _with_segment_models(
        self, requests: list[SelectionRequest], segment_ids: Sequence[str]
    ) -> list[SelectionRequest]:
        """Give each shot without a segment_model its segment's best common model."""
        groups: dict[tuple[str, Kind], list[int]] = {}
        for index, (request, segment) in enumerate(zip(requests, segment_ids, strict=True)):
            if segment:
                groups.setdefault((segment, request.kind), []).append(index)
        out = list(requests)
        for indices in groups.values():
            totals: dict[str, float] = {}
            for index in indices:
                base = requests[index].model_copy(update={"segment_model": None})
                for candidate in self._evaluate(base, raise_if_empty=False).candidates:
                    totals[candidate.model_id] = totals.get(candidate.model_id, 0.0) + (
                        candidate.score
                    )
            if not totals:
                continue  # every shot will report its own NoModelFits
            best = min(totals, key=lambda model_id: (-round(totals[model_id], 9), model_id))
            for index in indices:
                if out[index].segment_model is None:
                    out[index] = out[index].model_copy(update={"segment_model": best})
        return out

    def _fit_budget(
        self,
        evaluations: list[_Evaluation],
        chosen: list[int],
        notes: list[str],
        budget_usd: float,
    ) -> None:
        """Switch shots to cheaper candidates until the plan fits ``budget_usd``."""

        def cost(i: int, j: int) -> float:
            return evaluations[i].candidates[j].estimated_cost_usd

        total = sum(cost(i, chosen[i]) for i in range(len(evaluations)))
        if total <= budget_usd + _EPSILON:
            return
        cheapest = sum(min(c.estimated_cost_usd for c in e.candidates) for e in evaluations)
        if cheapest > budget_usd + _EPSILON:
            raise ModelSelectionError(
                f"the plan cannot fit its ${budget_usd:.2f} budget: the best models for its "
                f"{len(evaluations)} shots cost ${total:.2f} and even the cheapest model for "
                f"every shot costs ${cheapest:.2f} in total; raise the budget, allow local "
                "models, or shorten the shots"
            )
        original = list(chosen)
        while total > budget_usd + _EPSILON:
            best: tuple[float, int, str, int] | None = None
            for i, evaluation in enumerate(evaluations):
                current = evaluation.candidates[chosen[i]]
                for j, option in enumerate(evaluation.candidates):
                    saved = current.estimated_cost_usd - option.estimated_cost_usd
                    if saved <= _EPSILON:
                        continue
                    ratio = (current.score - option.score) / saved
                    key = (ratio, i, option.model_id, j)
                    if best is None or key < best:
                        best = key
            if best is None:  # cannot happen: cheapest <= budget
                break
            _, i, _, j = best
            total -= cost(i, chosen[i]) - cost(i, j)
            chosen[i] = j
        for i, evaluation in enumerate(evaluations):
            if chosen[i] != original[i]:
                first = evaluation.candidates[original[i]]
                notes[i] = (
                    f"cheaper than {first.model_id} (est. ${first.estimated_cost_usd:.2f}) "
                    f"to keep the plan within ${budget_usd:.2f}"
                )

    # ---------------------------------------------------------------- evaluation

    def _evaluate(self, request: SelectionRequest, *, raise_if_empty: bool = True) -> _Evaluation:
        """The scored candidates for ``request``, computed once per distinct set of inputs."""
        key = (request.model_dump_json(exclude={"shot_id"}), raise_if_empty)
        cached = self._evaluations.get(key)
        if cached is None:
            cached = self._evaluate_uncached(request, raise_if_empty=raise_if_empty)
            self._evaluations[key] = cached
        if cached.request is request:
            return cached
        return replace(cached, request=request)

    def _evaluate_uncached(self, request: SelectionRequest, *, raise_if_empty: bool) -> _Evaluation:
        avoid = self._resolve_ids(request.avoid, "avoid")
        prefer = self._resolve_ids(request.prefer, "prefer")
        both = [m for m in prefer if m in avoid]
        if both:
            raise InvalidInput(f"model {both[0]!r} is both preferred and avoided; choose one")
        segment_model = (
            self._resolve_ids([request.segment_model], "segment_model")[0]
            if request.segment_model
            else None
        )
        pool = self.registry.models(request.kind.value)
        upscalers = self.registry.upscalers() if request.kind is Kind.VIDEO else []
        everything = [*pool, *upscalers]
        candidates: list[CandidateScore] = []
        rejected: dict[str, str] = {}
        for model in pool:
            split, clip_seconds, cost = _shape(model, request)
            why = _rule_out(model, request, avoid, split, cost)
            upscaler: ModelCapability | None = None
            if not why:
                upscaler, why = _upscale_step(model, request, upscalers, avoid)
                if upscaler is not None:
                    cost += upscale_cost(upscaler, exact(request.duration_seconds))
                    why = _over_budget(request, cost)
            if why:
                rejected[model.id] = why
                continue
            components = _components(model, request, prefer, segment_model, split, cost)
            components["upscale"] = -UPSCALE_PENALTY if upscaler is not None else 0.0
            target = request.target_resolution
            native = (
                model.native_size(target.width, target.height)
                if upscaler is not None and target is not None
                else None
            )
            candidates.append(
                CandidateScore(
                    model_id=model.id,
                    score=round(sum(components.values()), 4),
                    split=split,
                    clip_seconds=None if clip_seconds is None else round(float(clip_seconds), 3),
                    estimated_cost_usd=round(float(cost), 4),
                    components=components,
                    upscaler=upscaler.id if upscaler is not None else None,
                    upscale_from=f"{native[0]}x{native[1]}" if native else None,
                )
            )
        candidates.sort(key=lambda c: (-c.score, c.model_id))
        if not candidates and raise_if_empty:
            if not pool:
                raise NoModelFits(
                    f"no {request.kind.value} model is in the registry for {request.label()}",
                    rejected,
                )
            reasons = "; ".join(f"{model_id}: {why}" for model_id, why in rejected.items())
            raise NoModelFits(
                f"no {request.kind.value} model fits {request.label()}: {reasons}", rejected
            )
        note = ""
        if segment_model and segment_model in rejected:
            note = f"segment model {segment_model} ruled out: {rejected[segment_model]}"
        return _Evaluation(
            request=request,
            candidates=candidates,
            rejected=rejected,
            segment_note=note,
            models={m.id: m for m in everything},
        )

    def _resolve_ids(self, given: Sequence[str], field_name: str) -> list[str]:
        """Canonical ids for user-given ids, names or aliases; unknown ones are InvalidInput."""
        out: list[str] = []
        for text in given:
            try:
                model_id = self.registry.get(text).id
            except NotFound:
                suggestion = self.registry.suggest(text)
                hint = f"; did you mean {suggestion!r}?" if suggestion else ""
                raise InvalidInput(
                    f"unknown model {text!r} in {field_name}{hint} "
                    "(`storycore models list` shows every id)"
                ) from None
            if model_id not in out:
                out.append(model_id)
        return out

    def _selection(self, evaluation: _Evaluation, *, index: int = 0, note: str = "") -> Selection:
        chosen = evaluation.candidates[index]
        others = [c for j, c in enumerate(evaluation.candidates) if j != index]
        model = evaluation.models[chosen.model_id]
        reason = _reason(model, chosen, evaluation, note)
        return Selection(
            model_id=chosen.model_id,
            fallbacks=[c.model_id for c in others],
            reason=reason,
            split=chosen.split,
            clip_seconds=chosen.clip_seconds,
            estimated_cost_usd=chosen.estimated_cost_usd,
            scores={c.model_id: c.score for c in [chosen, *others]},
            rejected=dict(evaluation.rejected),
            candidates=[chosen, *others],
            upscaler=chosen.upscaler,
            upscale_from=chosen.upscale_from,
            upscale_to=str(evaluation.request.target_resolution) if chosen.upscaler else None,
        )


# ------------------------------------------------------------------------------------------
# The pieces: shape of the job, hard constraints, score, reason
# ------------------------------------------------------------------------------------------


def _shape(
    model: ModelCapability, request: SelectionRequest
) -> tuple[int, Fraction | None, Fraction]:
    """How many clips, how long each, and the estimated cost for this model and shot."""
    duration = exact(request.duration_seconds)
    if request.kind is Kind.IMAGE:
        return 1, None, exact(model.cost_usd_per_image or 0)
    split, clip, _billed, cost = clip_cost(model, duration)
    return split, clip, cost


def clip_cost(
    model: ModelCapability, duration_seconds: Fraction | float
) -> tuple[int, Fraction, Fraction, Fraction]:
    """(clips, seconds per clip, billed seconds, dollars) for a video shot of this length.

    A shot longer than the model's clip limit is made of equal clips; each clip is billed at
    the model's next fixed duration. A local model costs nothing (its billed seconds are still
    counted). This is the one place shot costs are computed: the selector's estimate and the
    plan summary both use it, so their figures always agree.
    """
    duration = (
        duration_seconds if isinstance(duration_seconds, Fraction) else exact(duration_seconds)
    )
    limit = model.clip_limit_seconds
    split = 1 if limit is None else max(1, math.ceil(duration / limit))
    clip = duration / split
    billed = split * model.billed_seconds(clip)
    per_second = exact(model.cost_usd_per_second or 0) if not model.local else Fraction(0)
    return split, clip, billed, billed * per_second


def _rule_out(
    model: ModelCapability,
    request: SelectionRequest,
    avoid: Sequence[str],
    split: int,
    cost: Fraction,
) -> str | None:
    """The first hard constraint ``model`` fails for ``request``, as a short phrase."""
    if model.id in avoid:
        return "avoided by the user"
    for capability in request.requires:
        if not model.has_capability(capability):
            return f"cannot do {_CAPABILITY_LABELS.get(capability, capability)}"
    if request.local_only and not model.local:
        return "cloud model, and only local models are allowed"
    if request.vram_gb is not None and model.local and (model.vram_gb or 0) > request.vram_gb:
        return f"needs {model.vram_gb:g} GB of VRAM, {request.vram_gb:g} GB available"
    visual = any(k in VISUAL_KINDS for k in model.kinds)
    aspect = request.effective_aspect
    if visual and aspect and not model.supports_aspect(aspect):
        return f"no native {aspect} output (makes {', '.join(model.aspect_ratios)})"
    size = request.resolution
    if visual and size is not None and not model.supports_resolution(size.width, size.height):
        return f"native output up to {', '.join(model.resolutions)}, {size} requested"
    if split > MAX_SPLIT:
        limit = model.clip_limit_seconds or Fraction(0)
        return (
            f"clips of at most {float(limit):g} s: a {request.duration_seconds:g} s shot "
            f"would need {split} clips (more than {MAX_SPLIT})"
        )
    return _over_budget(request, cost)


def _over_budget(request: SelectionRequest, cost: Fraction) -> str | None:
    if request.budget_usd is not None and cost > exact(request.budget_usd) + Fraction(1, 10**9):
        return f"est. ${float(cost):.2f}, over the shot's ${request.budget_usd:.2f} budget"
    return None


def upscale_cost(upscaler: ModelCapability, duration_seconds: Fraction) -> Fraction:
    """What upscaling ``duration_seconds`` of video costs (0 for a local upscaler)."""
    if upscaler.local or not upscaler.cost_usd_per_second:
        return Fraction(0)
    return duration_seconds * exact(upscaler.cost_usd_per_second)


def _upscaler_allowed(
    upscaler: ModelCapability, request: SelectionRequest, avoid: Sequence[str]
) -> str | None:
    if upscaler.id in avoid:
        return "is avoided by the user"
    if request.local_only and not upscaler.local:
        return "runs in the cloud"
    if request.vram_gb is not None and upscaler.local and (upscaler.vram_gb or 0) > request.vram_gb:
        return f"needs {upscaler.vram_gb:g} GB of VRAM, {request.vram_gb:g} GB available"
    return None


def _upscale_step(
    model: ModelCapability,
    request: SelectionRequest,
    upscalers: Sequence[ModelCapability],
    avoid: Sequence[str],
) -> tuple[ModelCapability | None, str | None]:
    """(the upscaler planned after ``model``, None) when its native frame is below the
    delivery size; (None, None) when it reaches it; (None, why) when no allowed upscaler
    does. The cheapest allowed upscaler that reaches the size wins (then local, then id)."""
    target = request.target_resolution
    if target is None or request.kind is not Kind.VIDEO:
        return None, None
    if model.supports_resolution(target.width, target.height):
        return None, None
    factor = model.upscale_needed(target.width, target.height)
    native = model.native_size(target.width, target.height)
    able: list[ModelCapability] = []
    refused: list[str] = []
    for upscaler in upscalers:
        if not upscaler.supports_resolution(target.width, target.height):
            refused.append(f"{upscaler.id} makes at most {', '.join(upscaler.resolutions)}")
        elif factor <= 0 or exact(upscaler.upscale_factor or 1) < factor:
            refused.append(f"{upscaler.id} enlarges at most x{upscaler.upscale_factor:g}")
        elif why := _upscaler_allowed(upscaler, request, avoid):
            refused.append(f"{upscaler.id} {why}")
        else:
            able.append(upscaler)
    if not able:
        frame = f"{native[0]}x{native[1]}" if native else "?"
        detail = f" ({'; '.join(refused)})" if refused else " (the registry has none)"
        return None, (
            f"native output {frame}, below the project's {target}, and no upscaler allowed "
            f"here reaches it{detail}"
        )
    duration = exact(request.duration_seconds)
    able.sort(key=lambda u: (upscale_cost(u, duration), not u.local, u.id))
    return able[0], None


def choose_upscaler(
    registry: ModelRegistry, model: ModelCapability, request: SelectionRequest
) -> ModelCapability | None:
    """The upscaler the selector plans after ``model`` for ``request`` (None: none needed or
    none allowed); the rule :meth:`ModelSelector.select` uses, for a model the user chose."""
    upscalers = registry.upscalers()
    avoid = [registry.get(m).id for m in request.avoid if m in registry]
    upscaler, _why = _upscale_step(model, request, upscalers, avoid)
    return upscaler


_STATED_COST = re.compile(r"est\. \$\d+(?:\.\d+)?")


def restate_cost(reason: str | None, cost_usd: Fraction | float) -> str | None:
    """``reason`` with its "est. $X" made the given cost: a split part states its own."""
    if not reason:
        return reason
    return _STATED_COST.sub(f"est. ${float(cost_usd):.2f}", reason)


def shot_cost_usd(
    model: ModelCapability, duration_seconds: Fraction, upscaler: ModelCapability | None = None
) -> Fraction:
    """A planned shot's estimated dollars: its model's clips (:func:`clip_cost`) plus its
    upscale step, if any. The plan summary, the selector and the critic all use it."""
    cost = clip_cost(model, duration_seconds)[3]
    if upscaler is not None:
        cost += upscale_cost(upscaler, duration_seconds)
    return cost


def _components(
    model: ModelCapability,
    request: SelectionRequest,
    prefer: Sequence[str],
    segment_model: str | None,
    split: int,
    cost: Fraction,
) -> dict[str, float]:
    """The score's parts, named as in the module docstring."""
    preference = 0.0
    if model.id in prefer:
        preference = W_PREFER - PREFER_RANK_STEP * prefer.index(model.id)
    return {
        "fit": round(W_FIT * model.strength(request.scene_type), 4),
        "preference": round(preference, 4),
        "consistency": W_CONSISTENCY if model.id == segment_model else 0.0,
        "cost": round(W_COST / (1 + float(cost) / COST_SCALE_USD), 4),
        "split": round(-SPLIT_PENALTY * (split - 1), 4),
    }


def _reason(
    model: ModelCapability, chosen: CandidateScore, evaluation: _Evaluation, note: str
) -> str:
    """One line: why this model, what it will take, what else was considered."""
    request = evaluation.request
    parts = [f"strength {model.strength(request.scene_type):.2f} for {request.scene_type.value}"]
    if chosen.components["preference"]:
        parts.append("preferred by you")
    if chosen.components["consistency"]:
        parts.append("same model as the rest of its segment")
    limit = model.clip_limit_seconds
    if request.kind is Kind.IMAGE or limit is None:
        pass
    elif chosen.split == 1:
        parts.append(f"fits in one clip of up to {float(limit):g} s")
    else:
        parts.append(
            f"split into {chosen.split} clips of {chosen.clip_seconds:g} s "
            f"(at most {float(limit):g} s each)"
        )
    if chosen.upscaler:
        upscaler = evaluation.models[chosen.upscaler]
        parts.append(
            f"native {chosen.upscale_from}, upscaled to {request.target_resolution} by "
            f"{upscaler.name} ({upscaler.id}{', local' if upscaler.local else ''})"
        )
    free = model.local and (not chosen.upscaler or evaluation.models[chosen.upscaler].local)
    parts.append("local, no API cost" if free else f"est. ${chosen.estimated_cost_usd:.2f}")
    others = len(evaluation.candidates) - 1
    ruled = len(evaluation.rejected)
    tail = f"{others} fallback{'s' if others != 1 else ''}, {ruled} ruled out"
    extra = "; ".join(x for x in (note, evaluation.segment_note) if x)
    line = f"{model.name}: score {chosen.score:.2f} ({', '.join(parts)}); {tail}"
    return f"{line}; {extra}" if extra else line
