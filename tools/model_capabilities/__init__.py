"""The model capability registry's code; :mod:`storycore.tools.model_registry` is its door.

Import from :mod:`storycore.tools.model_registry`, which re-exports the public names. One
file per part:

- ``vocabulary``: :class:`Kind`, :class:`Mode`, the modes of each kind, capability names,
  strength keys and their parsers, :func:`exact`
- ``capability``: :class:`ModelCapability` (one entry of ``models.yaml``, validated) and
  :func:`max_clip_frames`
- ``loading``: the shipped, user and project models files, checked and merged by id
- ``registry``: :class:`ModelRegistry` and its queries (by id, name or alias; by kind)
"""
