"""Production: render jobs, the render ledger, backends (animatic; ComfyUI next), the media
gate, the conform rule and the assembly of segments and the film. See docs/production.md.

The modules, one idea each:

- :mod:`.backend`: ``RenderJob``, ``JobState``, the ``Backend`` protocol;
- :mod:`.ledger`: the render ledger (SQLite, crash-safe);
- :mod:`.animatic`: the animatic backend (the bundled ffmpeg);
- :mod:`.media`: ffmpeg and PyAV helpers (frame counts by decoding, tags);
- :mod:`.gate`: the media gate; :mod:`.conform`: plan versus render;
- :mod:`.producer`: ``Production`` (segment by segment, assembly), made of
  :mod:`.selection` (the shots, their jobs, the checks before a run, ``get_backend``),
  :mod:`.rendering` (``produce_segment`` and its commit) and :mod:`.assembly` (segments and
  the film); :mod:`.run`: the phases in order without a graph; :mod:`.records`: each
  shot's current media in project.json; :mod:`.status`: production for ``storycore status``.

Heavy imports (PyAV, ffmpeg) happen inside the functions that need them.
"""

from storycore.tools.production.backend import (
    Backend,
    BackendError,
    JobState,
    RenderJob,
    RenderOutput,
)

__all__ = ["Backend", "BackendError", "JobState", "RenderJob", "RenderOutput"]
