"""The score that orders the candidates left, and the one-line reason for the choice.

The weights (:data:`W_FIT`, :data:`W_PREFER`, :data:`W_CONSISTENCY`, :data:`W_COST`,
:data:`SPLIT_PENALTY`, :data:`UPSCALE_PENALTY`, :data:`CROP_PENALTY`) are explained in the
docstring of :mod:`storycore.tools.model_selector` and in ``docs/model-selection.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from storycore.tools.i18n import plural, t
from storycore.tools.model_registry import Kind, ModelCapability
from storycore.tools.model_selection.request import CandidateScore, SelectionRequest, _Evaluation
from storycore.tools.model_selection.wording import Phrase, phrase

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
#: Taken from a model that does not render the delivery ratio (a 4:5 or 2.39:1 frame is a
#: centre crop of its 9:16 or 16:9 one): like the upscale step, a model that renders the
#: ratio natively wins over one up to 0.08 stronger.
CROP_PENALTY = 0.04


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


def _framing(chosen: CandidateScore, evaluation: _Evaluation) -> Phrase | None:
    """How the model's frame becomes the delivery frame, when it is not as it renders: the
    centre crop to the delivery ratio, the upscale step, or both (None: neither)."""
    request = evaluation.request
    target = str(request.target_resolution) if request.target_resolution else None
    upscaler = evaluation.models[chosen.upscaler] if chosen.upscaler else None
    if chosen.crop_from:
        values = {"render": chosen.crop_from, "ratio": chosen.crop_to, "target": target}
        if upscaler is None:
            return phrase("reason.cropped" if target else "reason.cropped_only", **values)
        key = "reason.cropped_upscaled_local" if upscaler.local else "reason.cropped_upscaled"
        return phrase(key, name=upscaler.name, upscaler=upscaler.id, **values)
    if upscaler is None:
        return None
    key = "reason.upscaled_local" if upscaler.local else "reason.upscaled"
    return phrase(
        key, native=chosen.upscale_from, target=target, name=upscaler.name, upscaler=upscaler.id
    )


def _reason(
    model: ModelCapability,
    chosen: CandidateScore,
    evaluation: _Evaluation,
    note: Phrase | None,
    language: str | None = None,
) -> str:
    """One line in ``language``: why this model, what it will take, what else was considered."""
    request = evaluation.request
    parts = [
        phrase(
            "reason.strength",
            strength=f"{model.strength(request.scene_type):.2f}",
            scene_type=t(f"vocab.scene_type.{request.scene_type.value}", language),
        )
    ]
    if chosen.components["preference"]:
        parts.append(phrase("reason.preferred"))
    if chosen.components["consistency"]:
        parts.append(phrase("reason.segment_model"))
    limit = model.clip_limit_seconds
    if request.kind is Kind.IMAGE or limit is None:
        pass
    elif chosen.split == 1:
        parts.append(phrase("reason.one_clip", limit=f"{float(limit):g}"))
    else:
        parts.append(
            phrase(
                "reason.split",
                split=chosen.split,
                clip=f"{chosen.clip_seconds:g}",
                limit=f"{float(limit):g}",
            )
        )
    framing = _framing(chosen, evaluation)
    if framing is not None:
        parts.append(framing)
    free = model.local and (not chosen.upscaler or evaluation.models[chosen.upscaler].local)
    parts.append(
        phrase("reason.free") if free else phrase("cost", usd=f"{chosen.estimated_cost_usd:.2f}")
    )
    others = len(evaluation.candidates) - 1
    tail = t(
        "selection.reason.tail",
        language,
        fallbacks=plural("selection.reason.fallbacks", others, language),
        ruled=plural("selection.reason.ruled_out", len(evaluation.rejected), language),
    )
    line = t(
        "selection.reason.line",
        language,
        model=model.name,
        score=f"{chosen.score:.2f}",
        parts=", ".join(part.render(language) for part in parts),
        tail=tail,
    )
    extra = "; ".join(x.render(language) for x in (note, evaluation.segment_note) if x)
    return f"{line}; {extra}" if extra else line
