"""The media gate: deterministic checks of every rendered clip before a human reviews it.

A clip passes when all of these hold (each failure is one readable line):

- it is **whole**: its index (the MP4 ``moov`` box) is there and complete, and every packet
  the index lists, video and audio, is in the file and not cut (read while demuxing, in the
  same pass as the decode: a clip a few bytes short, whose last audio packet is cut, fails
  as "cut short" though every frame decodes);
- it **decodes** to the end (PyAV; a foreign file fails here);
- its **frame count**, counted by decoding, equals the plan's ``duration_frames`` (a frame
  missing or one too many fails);
- its **resolution** is the project's (and so its aspect ratio);
- its **rate** is the project's exact rate (24000/1001 is not 24);
- it is **not black**: some frame has a pixel brighter than :data:`BLACK_MAX_LUMA` (on 0..255,
  measured on a 96x54 grey thumbnail, so a lone hot pixel does not count). A fade to black
  inside a clip is fine: only a clip black from start to end fails;
- it is **not frozen**: no run of :data:`FROZEN_SECONDS` or more in which consecutive frames
  are still: they differ by less than :data:`FROZEN_DIFF` (mean absolute difference on the
  thumbnail) and by less than :data:`FROZEN_SPOT_DIFF` in every cell the thumbnail averages
  (mean of the pixels' absolute differences in the cell). An animatic's held panel is not
  frozen: its burned-in frame counter changes every frame, by 0.002 to 0.008 on the
  thumbnail at 1080x1920 (the strokes of the digit that changes cancel out in the average)
  but by 23 or more in a cell; identical frames (an encoder's repeated frame) give 0 to both;
- a shot that **continues from** another starts from that one's last frame: its first frame
  and its start image differ by less than :data:`CONTINUITY_DIFF` on their centre (the middle
  three fifths across, 35% to 65% down: the burn-in lives in bands at the top and bottom).

Every frame is decoded (the count, and a file that does not decode), but the black and
frozen checks first measure only pairs of consecutive frames (j, j + 1) for j a multiple of
:data:`~storycore.tools.production.media.STATS_EVERY` (12). That decides exactly as
measuring every frame would when it passes: one bright sample is a clip that is not black,
and every run of still frames long enough to fail holds a sampled pair, so when every
sampled pair moves there is none. When a sample is black or still, every frame is measured
(a second decode) and the verdict is the one of every frame, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from storycore.tools.production.backend import BackendError
from storycore.tools.production.conform import crop_box
from storycore.tools.production.media import (
    SPOT_BELOW,
    FrameStats,
    MediaInfo,
    frame_stats,
    probe,
    read_frame,
    sampled_stats,
)

__all__ = [
    "BLACK_MAX_LUMA",
    "CONTINUITY_DIFF",
    "FROZEN_DIFF",
    "FROZEN_SECONDS",
    "FROZEN_SPOT_DIFF",
    "GateResult",
    "check_clip",
]

BLACK_MAX_LUMA = 32
FROZEN_DIFF = SPOT_BELOW  # the pairs below it are the ones measured cell by cell
FROZEN_SPOT_DIFF = 8.0
FROZEN_SECONDS = 2.0
CONTINUITY_DIFF = 12.0
_THUMB = (96, 54)


@dataclass
class GateResult:
    """The gate's verdict on one clip."""

    path: Path
    problems: list[str] = field(default_factory=list)
    info: MediaInfo | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def check_clip(
    path: Path,
    *,
    frames: int,
    width: int,
    height: int,
    rate: Fraction,
    start_image: Path | None = None,
) -> GateResult:
    """Run every check on one clip; never raises for a bad clip (the result says why)."""
    result = GateResult(path)
    try:
        info = probe(path)
    except BackendError as exc:
        result.problems.append(str(exc))
        return result
    result.info = info
    if info.frames != frames:
        result.problems.append(f"{info.frames} frames decoded for {frames} planned")
    if (info.width, info.height) != (width, height):
        result.problems.append(
            f"{info.width}x{info.height} instead of the project's {width}x{height}"
        )
    if info.fps is not None and info.fps != rate:
        result.problems.append(
            f"{info.fps.numerator}/{info.fps.denominator} fps instead of "
            f"{rate.numerator}/{rate.denominator}"
        )
    if info.frames:
        still = max(2, round(FROZEN_SECONDS * float(rate)))  # frames that make a clip frozen
        stats = _stats(path, still)
        if stats.max_luma and max(stats.max_luma) <= BLACK_MAX_LUMA:
            result.problems.append("black from start to end")
        run = _longest_still_run(stats) if stats.every == 1 else 0
        if run + 1 >= still:
            result.problems.append(f"frozen for {run + 1} frames")
    if start_image is not None and info.frames:
        diff = _centre_difference(read_frame(path, 0), start_image)
        if diff >= CONTINUITY_DIFF:
            result.problems.append(
                f"does not start from its start image {start_image.name} (difference {diff:.1f})"
            )
    return result


def _stats(path: Path, still: int) -> FrameStats:
    """The sampled statistics when they settle both checks (a bright sample, every sampled
    pair moving, and samples close enough that a still run of ``still`` frames holds one);
    else every frame's."""
    sampled = sampled_stats(path)
    if (
        sampled.every < still  # a still run of ``still`` frames has ``still - 1`` differences
        and max(sampled.max_luma, default=0) > BLACK_MAX_LUMA
        and not any(_still(sampled, i) for i in range(len(sampled.diffs)))
    ):
        return sampled
    return frame_stats(path)


def _still(stats: FrameStats, pair: int) -> bool:
    """Whether the ``pair``-th measured pair of frames is still: nothing moved on average,
    nor in any one place."""
    if stats.diffs[pair] >= FROZEN_DIFF:
        return False
    spot = stats.spots[pair]
    return spot is None or spot < FROZEN_SPOT_DIFF  # None: not measured, the mean says


def _longest_still_run(stats: FrameStats) -> int:
    best = current = 0
    for pair in range(len(stats.diffs)):
        current = current + 1 if _still(stats, pair) else 0
        best = max(best, current)
    return best


def _centre_difference(frame: Image.Image, start_image: Path) -> float:
    with Image.open(start_image) as image:
        # A start image at a model's native frame (9:16 for a 4:5 project) is compared as
        # the clip was made of it: centre-cropped to the clip's ratio, then scaled.
        x, y, w, h = crop_box(image.size, frame.size)
        expected = image.convert("RGB").crop((x, y, x + w, y + h)).resize(frame.size)
    w, h = frame.size
    # The centre: clear of the burn-in's top and bottom bands even at tiny frame sizes.
    box = (w // 5, round(h * 0.35), w - w // 5, round(h * 0.65))
    a = frame.convert("L").crop(box).resize(_THUMB)
    b = expected.convert("L").crop(box).resize(_THUMB)
    return float(ImageStat.Stat(ImageChops.difference(a, b)).mean[0])
