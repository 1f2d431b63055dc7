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

3. **Frame**: a clip whose size is not the project's (a model that does not render the
   project's ratio makes its native frame: 720x1280 for a 4:5 project) is centre-cropped to
   the project's ratio, then scaled to the project's exact size (:func:`crop_box`): never
   stretched, never letterboxed. The model selector planned that crop and says so in the
   shot's model note.

The project's frame count and size are therefore always exact; what was cut or held is never
hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from storycore.tools.model_registry import centre_crop
from storycore.tools.production.media import aside, fsync_file, run_ffmpeg

__all__ = ["ABSORBED_FRAMES", "Conform", "conform_clip", "crop_box", "plan_conform"]

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
    native_size: tuple[int, int] | None = None  # the clip's frame (None: not checked)
    project_size: tuple[int, int] | None = None  # the project's frame

    @property
    def resized(self) -> bool:
        """True when the clip's frame is not the project's: it is cropped and scaled."""
        return (
            self.native_size is not None
            and self.project_size is not None
            and self.native_size != self.project_size
        )

    @property
    def needed(self) -> bool:
        """False when the clip is already at the project rate, length and size."""
        return (
            self.native_fps != self.project_fps
            or self.native_frames != self.planned_frames
            or self.resized
        )

    def frame_filter(self) -> str | None:
        """The ffmpeg filter that turns the clip's frame into the project's (None: it is)."""
        if not self.resized or self.native_size is None or self.project_size is None:
            return None
        x, y, w, h = crop_box(self.native_size, self.project_size)
        width, height = self.project_size
        return f"crop={w}:{h}:{x}:{y},scale={width}:{height}:flags=lanczos,setsar=1"

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


def crop_box(size: tuple[int, int], target: tuple[int, int]) -> tuple[int, int, int, int]:
    """(x, y, width, height): the centred part of a ``size`` frame at ``target``'s ratio, the
    largest there is (a 720x1280 frame for 1080x1350 keeps 720x900 from y = 190)."""
    width, height = centre_crop(size[0], size[1], Fraction(target[0], target[1]))
    return (size[0] - width) // 2, (size[1] - height) // 2, width, height


def plan_conform(
    planned_frames: int,
    native_frames: int,
    native_fps: Fraction,
    project_fps: Fraction,
    native_size: tuple[int, int] | None = None,
    project_size: tuple[int, int] | None = None,
) -> Conform:
    """Apply the rule's arithmetic (no file is touched)."""
    converted = round(Fraction(native_frames) * project_fps / native_fps)
    return Conform(
        planned_frames,
        native_frames,
        native_fps,
        project_fps,
        max(1, converted),
        native_size,
        project_size,
    )


def conform_clip(source: Path, target: Path, conform: Conform) -> None:
    """Write ``target`` (re-encoded, audio dropped for a silent stereo track) per the rule."""
    rate = conform.project_fps
    q = f"{rate.numerator}/{rate.denominator}"
    hold = max(0, -conform.difference)
    framing = conform.frame_filter()
    vf = f"{framing},fps={q}" if framing else f"fps={q}"
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
