"""The selector: :class:`ModelSelector`, a model per shot and per plan.

:meth:`ModelSelector.select` answers for one shot; :meth:`ModelSelector.select_plan` picks
one model per segment and keeps the plan's budget. Each distinct request is evaluated once
(``_evaluate`` caches what ``_evaluate_uncached`` computes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from storycore.tools.domain import ASPECT_RATIOS
from storycore.tools.errors import InvalidInput, ModelSelectionError, NotFound
from storycore.tools.model_registry import Kind, ModelCapability, ModelRegistry, exact, ratio_name
from storycore.tools.model_selection.constraints import (
    _over_budget,
    _rule_out,
    _shape,
    _upscale_step,
    delivery_frame,
    frame_crop,
    upscale_cost,
)
from storycore.tools.model_selection.request import (
    CandidateScore,
    NoModelFits,
    Selection,
    SelectionRequest,
    _Evaluation,
)
from storycore.tools.model_selection.scoring import (
    CROP_PENALTY,
    UPSCALE_PENALTY,
    _components,
    _reason,
)
from storycore.tools.model_selection.wording import Phrase, phrase

# Below this the plan total counts as within budget (float sums of cents).
_EPSILON = 1e-9


class ModelSelector:
    """Chooses a model per shot from a :class:`ModelRegistry` (see the module docstring)."""

    def __init__(self, registry: ModelRegistry, language: str | None = None) -> None:
        self.registry = registry
        #: The language of each selection's reason and refusals (the project's answer
        #: language; English by default). Evaluations hold no language, so they are shared.
        self.language = language
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
        keyed = [self._keyed_evaluation(r) for r in plan]
        evaluations = [evaluation for _, evaluation in keyed]
        chosen = [0] * len(evaluations)
        notes: list[Phrase | None] = [None] * len(evaluations)
        if budget_usd is not None:
            self._fit_budget(evaluations, chosen, notes, budget_usd)
        # Shots that ask the same question (every input but the shot id) and keep the same
        # candidate get the same answer: made once, then copied (each shot its own lists).
        made: dict[tuple[tuple[str, bool], int], Selection] = {}
        out: list[Selection] = []
        for (key, evaluation), index, note in zip(keyed, chosen, notes, strict=True):
            if note is not None:
                out.append(self._selection(evaluation, index=index, note=note))
                continue
            first = made.get((key, index))
            if first is None:
                first = made[(key, index)] = self._selection(evaluation, index=index)
                out.append(first)
            else:
                out.append(_copied(first))
        return out

    def explain(self, request: SelectionRequest, model_id: str) -> Selection | None:
        """The selection ``model_id`` would be for ``request``, whatever it ranks: its reason,
        cost and framing (crop, upscale step) under the request's limits; None when the
        limits rule it out. A shot that keeps its model after the frame changed is planned
        with the steps the model now needs."""
        evaluation = self._evaluate(request, raise_if_empty=False)
        for index, candidate in enumerate(evaluation.candidates):
            if candidate.model_id == model_id:
                return self._selection(evaluation, index=index)
        return None

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
        notes: list[Phrase | None],
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
                notes[i] = phrase(
                    "note.cheaper",
                    model=first.model_id,
                    cost=phrase("cost", usd=f"{first.estimated_cost_usd:.2f}"),
                    budget=f"{budget_usd:.2f}",
                )

    # ---------------------------------------------------------------- evaluation

    def _evaluate(self, request: SelectionRequest, *, raise_if_empty: bool = True) -> _Evaluation:
        """The scored candidates for ``request``, computed once per distinct set of inputs."""
        return self._keyed_evaluation(request, raise_if_empty=raise_if_empty)[1]

    def _keyed_evaluation(
        self, request: SelectionRequest, *, raise_if_empty: bool = True
    ) -> tuple[tuple[str, bool], _Evaluation]:
        """:meth:`_evaluate`, with the key of its inputs (the same key: the same answer)."""
        key = (request.model_dump_json(exclude={"shot_id"}), raise_if_empty)
        cached = self._evaluations.get(key)
        if cached is None:
            cached = self._evaluate_uncached(request, raise_if_empty=raise_if_empty)
            self._evaluations[key] = cached
        if cached.request is request:
            return key, cached
        return key, replace(cached, request=request)

    def _evaluate_uncached(self, request: SelectionRequest, *, raise_if_empty: bool) -> _Evaluation:
        """Every model of the request's kind ruled out or scored, best first (no cache)."""
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
        rejected: dict[str, Phrase] = {}
        for model in pool:
            scored = _score_model(model, request, upscalers, avoid, prefer, segment_model)
            if isinstance(scored, Phrase):
                rejected[model.id] = scored
            else:
                candidates.append(scored)
        candidates.sort(key=lambda c: (-c.score, c.model_id))
        if not candidates and raise_if_empty:
            raise _no_model_fits(request, pool, rejected)
        note = None
        if segment_model and segment_model in rejected:
            note = phrase(
                "note.segment_ruled_out", model=segment_model, why=rejected[segment_model]
            )
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

    def _selection(
        self, evaluation: _Evaluation, *, index: int = 0, note: Phrase | None = None
    ) -> Selection:
        chosen = evaluation.candidates[index]
        others = [c for j, c in enumerate(evaluation.candidates) if j != index]
        model = evaluation.models[chosen.model_id]
        reason = _reason(model, chosen, evaluation, note, self.language)
        return Selection(
            model_id=chosen.model_id,
            fallbacks=[c.model_id for c in others],
            reason=reason,
            split=chosen.split,
            clip_seconds=chosen.clip_seconds,
            estimated_cost_usd=chosen.estimated_cost_usd,
            scores={c.model_id: c.score for c in [chosen, *others]},
            rejected={m: why.render(self.language) for m, why in evaluation.rejected.items()},
            candidates=[chosen, *others],
            upscaler=chosen.upscaler,
            upscale_from=chosen.upscale_from,
            upscale_to=str(evaluation.request.target_resolution) if chosen.upscaler else None,
            crop_from=chosen.crop_from,
            crop_to=chosen.crop_to,
        )


def _copied(selection: Selection) -> Selection:
    """Another shot's copy of ``selection``: its own lists and dicts (the candidates, which
    are not changed, are shared)."""
    return selection.model_copy(
        update={
            "fallbacks": list(selection.fallbacks),
            "scores": dict(selection.scores),
            "rejected": dict(selection.rejected),
            "candidates": list(selection.candidates),
        }
    )


def _score_model(
    model: ModelCapability,
    request: SelectionRequest,
    upscalers: Sequence[ModelCapability],
    avoid: Sequence[str],
    prefer: Sequence[str],
    segment_model: str | None,
) -> CandidateScore | Phrase:
    """``model`` scored for ``request``, or the hard constraint that rules it out."""
    split, clip_seconds, cost = _shape(model, request)
    why = _rule_out(model, request, avoid, split, cost)
    upscaler: ModelCapability | None = None
    if not why:
        upscaler, why = _upscale_step(model, request, upscalers, avoid)
        if upscaler is not None:
            cost += upscale_cost(upscaler, exact(request.duration_seconds))
            why = _over_budget(request, cost)
    if why:
        return why
    components = _components(model, request, prefer, segment_model, split, cost)
    components["upscale"] = -UPSCALE_PENALTY if upscaler is not None else 0.0
    crop = frame_crop(model, request)
    components["crop"] = -CROP_PENALTY if crop is not None else 0.0
    target = request.target_resolution
    native: tuple[int, int] | None = None
    if upscaler is not None and target is not None:
        native = crop.crop if crop else model.native_size(target.width, target.height)
    return CandidateScore(
        model_id=model.id,
        score=round(sum(components.values()), 4),
        split=split,
        clip_seconds=None if clip_seconds is None else round(float(clip_seconds), 3),
        estimated_cost_usd=round(float(cost), 4),
        components=components,
        upscaler=upscaler.id if upscaler is not None else None,
        upscale_from=f"{native[0]}x{native[1]}" if native else None,
        crop_from=crop.render_text if crop else None,
        crop_to=_crop_ratio(request) if crop else None,
    )


def _crop_ratio(request: SelectionRequest) -> str | None:
    """The delivery ratio a crop is made to, as people write it ("4:5", "2.39:1")."""
    frame = delivery_frame(request)
    return ratio_name(*frame) if frame else None


def _no_model_fits(
    request: SelectionRequest, pool: Sequence[ModelCapability], rejected: dict[str, Phrase]
) -> NoModelFits:
    """The error for a request no model passes: an empty registry, or each model's reason
    (in English, as every error is)."""
    said = {model_id: why.render() for model_id, why in rejected.items()}
    if not pool:
        return NoModelFits(
            f"no {request.kind.value} model is in the registry for {request.label()}", said
        )
    frame = delivery_frame(request)
    visual = [m for m in pool if m.id in rejected]
    if frame is not None and visual and all(not m.reaches_ratio(*frame) for m in visual):
        return NoModelFits(_no_ratio_message(request, frame, pool), said)
    reasons = "; ".join(f"{model_id}: {why}" for model_id, why in said.items())
    return NoModelFits(f"no {request.kind.value} model fits {request.label()}: {reasons}", said)


def _no_ratio_message(
    request: SelectionRequest, frame: tuple[int, int], pool: Sequence[ModelCapability]
) -> str:
    """One sentence for a ratio no model reaches, natively or with a centre crop: the ratio
    asked and the ratios that can be planned (every model fails the same way, so listing
    each model's reason would say the same thing once per model)."""
    asked = ratio_name(*frame)
    if request.target_resolution or request.resolution:
        asked += f" ({frame[0]}x{frame[1]})"
    plannable = [
        name
        for name, ratio in ASPECT_RATIOS.items()
        if any(m.reaches_ratio(ratio.numerator, ratio.denominator) for m in pool)
    ]
    return (
        f"no {request.kind.value} model can make a {asked} frame for {request.label()}, "
        f"natively or with a centre crop; the ratios that can be planned are "
        f"{', '.join(plannable)}"
    )
