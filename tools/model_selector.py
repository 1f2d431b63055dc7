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
   - ``aspect_ratio``: the delivery ratio (of ``target_resolution``, else ``resolution``,
     else ``aspect_ratio``) neither rendered natively nor covered by a centre crop of a
     native frame that keeps at least two thirds of it (``MIN_CROP_KEEP``). A model that
     covers it is planned with the crop: the native frame whose crop keeps the most pixels
     (4:5 from a 3:4 or 9:16 frame, 2.39:1 from 21:9 or 16:9), scored lower by
     :data:`CROP_PENALTY`, named in the reason and in ``Selection.crop_from``/``crop_to``.
     When no model reaches the ratio at all (10:1), the error is one sentence naming the
     ratio and the ratios that can be planned;
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
             - UPSCALE_PENALTY if it needs upscaling (0.04)
             - CROP_PENALTY if it needs a crop       (0.04: the ratio is not native)

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

The weights are constants of ``model_selection/scoring.py``, re-exported here and
documented in ``docs/model-selection.md`` too.

The code lives in the package ``tools/model_selection/``: ``request`` (the request and the
answers), ``constraints`` (a shot's clips and cost, the hard constraints, the upscale step),
``scoring`` (the weights, the score, the reason), ``wording`` (the reason's sentences,
kept as catalog keys until shown in the project's language) and ``selector``
(:class:`ModelSelector`: one shot, a plan, the cache). This module re-exports every name
callers use; it stays a file because ``tests/test_model_registry.py`` reads it.
"""

from storycore.tools.model_selection.constraints import (
    MAX_SPLIT,
    choose_upscaler,
    clip_cost,
    delivery_frame,
    frame_crop,
    shot_cost_usd,
    upscale_cost,
)
from storycore.tools.model_selection.request import (
    CandidateScore,
    NoModelFits,
    Selection,
    SelectionRequest,
    request_for_shot,
)
from storycore.tools.model_selection.scoring import (
    COST_SCALE_USD,
    CROP_PENALTY,
    PREFER_RANK_STEP,
    SPLIT_PENALTY,
    UPSCALE_PENALTY,
    W_CONSISTENCY,
    W_COST,
    W_FIT,
    W_PREFER,
)
from storycore.tools.model_selection.selector import (
    ModelSelector,
)
from storycore.tools.model_selection.wording import restate_cost

__all__ = [
    "COST_SCALE_USD",
    "CROP_PENALTY",
    "MAX_SPLIT",
    "PREFER_RANK_STEP",
    "SPLIT_PENALTY",
    "UPSCALE_PENALTY",
    "W_CONSISTENCY",
    "W_COST",
    "W_FIT",
    "W_PREFER",
    "CandidateScore",
    "ModelSelector",
    "NoModelFits",
    "Selection",
    "SelectionRequest",
    "choose_upscaler",
    "clip_cost",
    "delivery_frame",
    "frame_crop",
    "request_for_shot",
    "restate_cost",
    "shot_cost_usd",
    "upscale_cost",
]
