"""A shot's cost and the hard constraints: what a model would take, and why it cannot.

Costs: :func:`clip_cost` is the one place a shot's clips and dollars are computed (the
selector's estimate, the plan summary and the critic all use it, through
:func:`shot_cost_usd`). Constraints: :func:`_rule_out` names the first one a model fails (avoided, a
capability it lacks, cloud when only local is allowed, VRAM, an aspect ratio it neither renders
nor covers with a centre crop (:func:`frame_crop`), resolution, more than :data:`MAX_SPLIT`
clips, the shot's budget); :func:`_upscale_step` plans the cheapest
allowed upscaler for a model below the delivery size, and :func:`choose_upscaler` applies
that rule to a model the user chose.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from storycore.tools.domain import ASPECT_RATIOS
from storycore.tools.model_registry import (
    VISUAL_KINDS,
    FrameCrop,
    Kind,
    ModelCapability,
    ModelRegistry,
    exact,
    ratio_name,
)
from storycore.tools.model_selection.request import SelectionRequest
from storycore.tools.model_selection.wording import Joined, Phrase, capability, phrase

#: The most clips one planned shot may be split into; a model needing more is ruled out.
#: Six 5 s clips make a 30 s shot: past that the cut is a sequence of shots, not one shot.
MAX_SPLIT = 6


def _rule_out(
    model: ModelCapability,
    request: SelectionRequest,
    avoid: Sequence[str],
    split: int,
    cost: Fraction,
) -> Phrase | None:
    """The first hard constraint ``model`` fails for ``request``, as a short phrase."""
    if model.id in avoid:
        return phrase("ruled.avoided")
    for needed in request.requires:
        if not model.has_capability(needed):
            return phrase("ruled.capability", capability=capability(needed))
    if request.local_only and not model.local:
        return phrase("ruled.cloud")
    if request.vram_gb is not None and model.local and (model.vram_gb or 0) > request.vram_gb:
        return phrase("ruled.vram", needs=f"{model.vram_gb:g}", available=f"{request.vram_gb:g}")
    visual = any(k in VISUAL_KINDS for k in model.kinds)
    frame = delivery_frame(request)
    if visual and frame is not None and not model.reaches_ratio(*frame):
        return phrase(
            "ruled.aspect", aspect=ratio_name(*frame), makes=", ".join(model.aspect_ratios)
        )
    size = request.resolution
    if visual and size is not None and not model.supports_resolution(size.width, size.height):
        return phrase("ruled.resolution", makes=", ".join(model.resolutions), size=str(size))
    if split > MAX_SPLIT:
        limit = model.clip_limit_seconds or Fraction(0)
        return phrase(
            "ruled.split",
            limit=f"{float(limit):g}",
            seconds=f"{request.duration_seconds:g}",
            split=split,
            most=MAX_SPLIT,
        )
    return _over_budget(request, cost)


def delivery_frame(request: SelectionRequest) -> tuple[int, int] | None:
    """The frame the shot is delivered at, whose ratio a model must reach: the delivery size,
    else the native size asked, else the aspect ratio as a frame (4:5 as 4x5); None when the
    request names none."""
    size = request.target_resolution or request.resolution
    if size is not None:
        return size.width, size.height
    aspect = request.effective_aspect
    if aspect is None or aspect not in ASPECT_RATIOS:
        return None
    ratio = ASPECT_RATIOS[aspect]
    return ratio.numerator, ratio.denominator


def frame_crop(model: ModelCapability, request: SelectionRequest) -> FrameCrop | None:
    """The centre crop ``model`` needs to deliver the request's ratio (None: it renders the
    ratio, or the request names none). Only video and image models frame a picture."""
    frame = delivery_frame(request)
    if frame is None or not any(k in VISUAL_KINDS for k in model.kinds):
        return None
    return model.frame_crop(*frame)


def _over_budget(request: SelectionRequest, cost: Fraction) -> Phrase | None:
    if request.budget_usd is not None and cost > exact(request.budget_usd) + Fraction(1, 10**9):
        return phrase(
            "ruled.budget",
            cost=Phrase("cost", {"usd": f"{float(cost):.2f}"}),
            budget=f"{request.budget_usd:.2f}",
        )
    return None


def _upscaler_allowed(
    upscaler: ModelCapability, request: SelectionRequest, avoid: Sequence[str]
) -> Phrase | None:
    if upscaler.id in avoid:
        return phrase("upscaler.avoided", upscaler=upscaler.id)
    if request.local_only and not upscaler.local:
        return phrase("upscaler.cloud", upscaler=upscaler.id)
    if request.vram_gb is not None and upscaler.local and (upscaler.vram_gb or 0) > request.vram_gb:
        return phrase(
            "upscaler.vram",
            upscaler=upscaler.id,
            needs=f"{upscaler.vram_gb:g}",
            available=f"{request.vram_gb:g}",
        )
    return None


def _upscale_step(
    model: ModelCapability,
    request: SelectionRequest,
    upscalers: Sequence[ModelCapability],
    avoid: Sequence[str],
) -> tuple[ModelCapability | None, Phrase | None]:
    """(the upscaler planned after ``model``, None) when its native frame is below the
    delivery size; (None, None) when it reaches it; (None, why) when no allowed upscaler
    does. The cheapest allowed upscaler that reaches the size wins (then local, then id)."""
    target = request.target_resolution
    if target is None or request.kind is not Kind.VIDEO:
        return None, None
    crop = model.frame_crop(target.width, target.height)
    if crop is None and model.supports_resolution(target.width, target.height):
        return None, None
    factor = model.upscale_needed(target.width, target.height)
    if factor <= 1:
        return None, None  # the crop of its native frame holds the delivery size
    native = crop.crop if crop else model.native_size(target.width, target.height)
    able: list[ModelCapability] = []
    refused: list[Phrase] = []
    for upscaler in upscalers:
        if not upscaler.supports_resolution(target.width, target.height):
            refused.append(
                phrase("upscaler.size", upscaler=upscaler.id, makes=", ".join(upscaler.resolutions))
            )
        elif factor <= 0 or exact(upscaler.upscale_factor or 1) < factor:
            refused.append(
                phrase(
                    "upscaler.factor", upscaler=upscaler.id, factor=f"{upscaler.upscale_factor:g}"
                )
            )
        elif why := _upscaler_allowed(upscaler, request, avoid):
            refused.append(why)
        else:
            able.append(upscaler)
    if not able:
        frame = f"{native[0]}x{native[1]}" if native else "?"
        detail = Joined(tuple(refused)) if refused else phrase("upscaler.none_in_registry")
        return None, phrase("ruled.no_upscaler", frame=frame, target=str(target), detail=detail)
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


# ---------------------------------------------------------------- costs


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


def upscale_cost(upscaler: ModelCapability, duration_seconds: Fraction) -> Fraction:
    """What upscaling ``duration_seconds`` of video costs (0 for a local upscaler)."""
    if upscaler.local or not upscaler.cost_usd_per_second:
        return Fraction(0)
    return duration_seconds * exact(upscaler.cost_usd_per_second)


def shot_cost_usd(
    model: ModelCapability, duration_seconds: Fraction, upscaler: ModelCapability | None = None
) -> Fraction:
    """A planned shot's estimated dollars: its model's clips (:func:`clip_cost`) plus its
    upscale step, if any. The plan summary, the selector and the critic all use it."""
    cost = clip_cost(model, duration_seconds)[3]
    if upscaler is not None:
        cost += upscale_cost(upscaler, duration_seconds)
    return cost
