"""What a user checks after production: every shot has its clip, and each clip (and the film)
decodes to the frames the plan gives it."""

from __future__ import annotations

from pathlib import Path

import av

from storycore.tools.production.records import media_records
from storycore.tools.project import Project
from storycore.tools.structure import load_shots


def decoded_frames(path: Path) -> int:
    """The frames a video file decodes to (PyAV)."""
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def assert_every_shot_produced(root: Path) -> int:
    """Every shot of the project at ``root`` has media decoding to its planned frames; the
    film's planned frame count is returned."""
    project = Project.open(root)
    shots = load_shots(project)
    media = media_records(project)
    assert sorted(media) == sorted(s.shot_id for s in shots)
    for shot in shots:
        assert decoded_frames(root / media[shot.shot_id].path) == shot.duration_frames
    return shots[-1].end_frame - shots[0].start_frame
