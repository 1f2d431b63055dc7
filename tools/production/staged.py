"""Finished renders an interrupted run left in a job's staging folder, verified before use.

``kill -9`` can land after the animatic's last rename into ``.storycore/renders/<job_id>/``
but before the ledger records the job ``done`` (while the clip is decoded for the gate, or
while the other worker's shot is recorded). :func:`verified_outputs` says whether such a
render is complete and was made from the job's inputs; the producer then records it ``done``
and commits it instead of rendering it again. Nothing is trusted on its name alone:

- every output the backend writes is there under its final name (each is written aside and
  renamed only when complete; the clip is renamed last);
- the clip decodes to the end (PyAV, the media gate's own decode, cached for the gate) with
  exactly the job's frames, size and rate;
- its provenance tags are exactly the ones this job writes (target id, version, generation
  hash, model, prompt...), so a clip of other inputs is never taken;
- each keyframe PNG decodes and carries the job's provenance in its text chunks.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from PIL import Image

from storycore.tools.production.backend import BackendError, RenderJob, RenderOutput
from storycore.tools.production.media import probe, provenance_tags

__all__ = ["verified_outputs"]


def verified_outputs(
    job: RenderJob, out_dir: Path, outputs: list[RenderOutput], *, tidy: bool = True
) -> list[RenderOutput] | None:
    """``outputs`` (what the backend writes for ``job`` into ``out_dir``) when every one is
    complete and made from the job's inputs, else None. Temporary leftovers of the
    interrupted render (names starting with a dot) are removed when the outputs are taken,
    unless ``tidy`` is False (``--dry-run`` only looks: nothing is removed)."""
    if not all(o.path.is_file() for o in outputs):
        return None
    try:
        for output in outputs:
            ok = _video_ok(job, output.path) if output.kind == "video" else _png_ok(job, output)
            if not ok:
                return None
    except (BackendError, OSError, SyntaxError, ValueError):
        return None  # unreadable: rendered again
    if not tidy:
        return outputs
    for leftover in out_dir.iterdir():
        if leftover.name.startswith("."):
            _remove(leftover)
    return outputs


def _video_ok(job: RenderJob, path: Path) -> bool:
    info = probe(path)
    if (info.frames, info.width, info.height) != (job.frame_count, job.width, job.height):
        return False
    if info.fps != job.native_fps:
        return False
    expected = provenance_tags(job.provenance)
    # ffmpeg writes no tag for an empty value
    return all(info.tags.get(key, "") == value for key, value in expected.items())


def _png_ok(job: RenderJob, output: RenderOutput) -> bool:
    with Image.open(output.path) as image:
        image.load()  # decodes every row: a cut file raises
        text = dict(getattr(image, "text", {}) or {})
        size = image.size
    if size != (job.width, job.height):
        return False
    found = {k.split(":", 1)[1]: str(v) for k, v in text.items() if k.startswith("storycore:")}
    return all(found.get(key) == str(value) for key, value in job.provenance.items())


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir():
            for child in path.iterdir():
                child.unlink()
            path.rmdir()
        else:
            os.unlink(path)
