"""The score that orders the candidates left, and the one-line reason for the choice.

The weights (:data:`W_FIT`, :data:`W_PREFER`, :data:`W_CONSISTENCY`, :data:`W_COST`,
:data:`SPLIT_PENALTY`, :data:`UPSCALE_PENALTY`) are explained in the docstring of
:mod:`storycore.tools.model_selector` and in ``docs/model-selection.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from storycore.tools.model_registry import Kind, ModelCapability
from storycore.tools.model_selection.request import CandidateScore, SelectionRequest, _Evaluation

# The scoring weights (see storycore.tools.model_selector and docs/model-selection.md).
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


def _components(
    model: ModelCapability,
    request: SelectionRequest,
    prefer: Sequence[str],
    segment_model: str | None,
    split: int,
    cost: Fraction,
) -> dict[str, float]:
    """The score's parts, named as in the docstring of :mod:`storycore.tools.model_selector`."""
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
