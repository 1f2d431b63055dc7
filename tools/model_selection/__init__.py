"""The model selector's code; :mod:`storycore.tools.model_selector` is its door.

Import from :mod:`storycore.tools.model_selector`, which documents the rules (hard
constraints, score, fallbacks, a plan's segments and budget) and re-exports every name. One
file per part:

- ``request``: :class:`SelectionRequest`, :func:`request_for_shot`, the answers
  (:class:`CandidateScore`, :class:`Selection`, :class:`NoModelFits`)
- ``constraints``: a shot's clips and cost (:func:`clip_cost`, :func:`upscale_cost`,
  :func:`shot_cost_usd`), the hard constraints (as :class:`~.wording.Phrase` values),
  :data:`MAX_SPLIT`, the upscale step, :func:`choose_upscaler`
- ``scoring``: the weights, the score's components, the one-line reason
- ``wording``: the selector's sentences (:class:`Phrase`, rendered in the project's answer
  language), the stated cost and :func:`restate_cost`
- ``selector``: :class:`ModelSelector` (one shot, a plan, the evaluation cache)
"""
