"""Plan versus render: conforming a model's native clip to the project's rate and length.

A video model makes clips at its own rate and length (Wan: 81 frames at 16 fps, 5.06 s). The
rule, applied to every clip whose decoded rate or frame count differs from the plan:

1. **Rate**: the clip is converted to the project rate by nearest-frame sampling (ffmpeg's
   ``fps`` filter: frames are repeated or dropped, never blended, and the speed is kept). A
   clip of ``n`` frames at ``r`` becomes ``round(n * R / r)`` frames at the project rate ``R``.
2. **Length**: the converted clip is cut to the planned ``duration_frames`` if longer, or its
   last frame held if shorter. A difference of at most one frame (:data:`ABSORBED_FRAMES`) is
   absorbed silently: it is rounding. A larger one is **reported** (``Conform.report``) and
   offered as a retime: ``Conform.retime_frames`` is the length that would show the whole
   clip, which the user can give the shot ("shot 3 should last 5.06 seconds").

The project's frame count is therefore always exact; what was cut or held is never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from storycore.tools.production.media import aside, fsync_file, run_ffmpeg

__all__ = ["ABSORBED_FRAMES", "Conform", "conform_clip", "plan_conform"]

#: A difference the rule absorbs without a report (rounding between rates).
ABSORBED_FRAMES = 1


@dataclass(frozen=True)
class Conform:
    """What conforming a clip does."""

    planned_frames: int
    native_frames: int
    native_fps: Fraction
    project_fps: Fraction
    converted_frames: int  # after the rate conversion, before cutting or holding

    @property
    def needed(self) -> bool:
        """False when the clip is already at the project rate and length."""
        return self.native_fps != self.project_fps or self.native_frames != self.planned_frames

    @property
    def difference(self) -> int:
        """Converted minus planned frames (+: frames cut, -: frames held)."""
        return self.converted_frames - self.planned_frames

    @property
    def absorbed(self) -> bool:
        return abs(self.difference) <= ABSORBED_FRAMES

    @property
    def retime_frames(self) -> int | None:
        """The planned length that would show the whole clip, when the rule cannot absorb it."""
        return None if self.absorbed else self.converted_frames

    def report(self) -> str | None:
        """One line for the user when frames are cut or held beyond rounding."""
        if self.absorbed:
            return None
        verb = "cut" if self.difference > 0 else "held"
        return (
            f"the clip has {self.converted_frames} frames at the project rate for "
            f"{self.planned_frames} planned: {abs(self.difference)} frames {verb}; retime the "
            f"shot to {self.converted_frames} frames to use the whole clip"
        )


def plan_conform(
    planned_frames: int, native_frames: int, native_fps: Fraction, project_fps: Fraction
) -> Conform:
    """Apply the rule's arithmetic (no file is touched)."""
    converted = round(Fraction(native_frames) * project_fps / native_fps)
    return Conform(planned_frames, native_frames, native_fps, project_fps, max(1, converted))


def conform_clip(source: Path, target: Path, conform: Conform) -> None:
    """Write ``target`` (re-encoded, audio dropped for a silent stereo track) per the rule."""
    rate = conform.project_fps
    q = f"{rate.numerator}/{rate.denominator}"
    hold = max(0, -conform.difference)
    vf = f"fps={q}"
    if hold:
        vf += f",tpad=stop_mode=clone:stop={hold}"
    seconds = float(Fraction(conform.planned_frames) / rate)
    tmp = aside(target)
    run_ffmpeg(
        [
            "-i",
            str(source),
            "-f",
            "lavfi",
            "-t",
            f"{seconds:.6f}",
            "-i",
            "anullsrc=r=48000:cl=stereo",
            "-map",
            "0:v:0",
            "-map",
            "1:a",
            "-vf",
            vf + ",format=yuv420p",
            "-frames:v",
            str(conform.planned_frames),
            "-r",
            q,
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "18",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-f",
            "mp4",
            str(tmp),
        ],
        what=f"conforming {source.name}",
    )
    fsync_file(tmp)
    tmp.replace(target)
