"""The media gate's sampled black and frozen checks decide as measuring every frame does.

The gate measures the frame pairs (j, j + 1) for j a multiple of ``STATS_EVERY`` and measures
every frame when a sample is black or still. These clips put the defect between the samples
(a lone bright frame in a black clip, a still run just long enough to fail that starts off a
sample) and compare the verdict with the one of every frame measured.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from storycore.tools.production import gate, media
from storycore.tools.production.gate import check_clip
from storycore.tools.production.media import (
    STATS_EVERY,
    frame_stats,
    run_ffmpeg,
    sampled_stats,
)

KW = {"width": 160, "height": 90, "rate": Fraction(24)}


@pytest.fixture(autouse=True)
def _sample_small_clips(monkeypatch: pytest.MonkeyPatch) -> None:
    """These small clips are sampled as a 1080x1920 clip is."""
    monkeypatch.setattr(media, "SAMPLE_MIN_PIXELS", 0)


def _clip(path: Path, source: str, frames: int, vf: str = "") -> Path:
    sep = ":" if "=" in source else "="
    args = ["-f", "lavfi", "-i", f"{source}{sep}s=160x90:r=24"]
    if vf:
        args += ["-vf", vf]
    # lossless: a repeated frame decodes to the same picture (no refinement of a still run)
    args += ["-frames:v", str(frames), "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p"]
    args.append(str(path))
    run_ffmpeg(args, what="making a test clip")
    return path


def _every_frame_verdict(path: Path, frames: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The gate's problems with every frame measured (the gate before sampling)."""
    with monkeypatch.context() as m:
        m.setattr(gate, "_stats", lambda p, still: frame_stats(p))
        return check_clip(path, frames=frames, **KW).problems


def _frozen_between(first: int, last: int) -> str:
    """Frames first..last replaced by frame first - 1: a still run of last - first + 2."""
    return f"split[a][b];[a][b]freezeframes=first={first}:last={last}:replace={first - 1}"


@pytest.mark.parametrize(
    ("name", "source", "frames", "vf", "expected"),
    [
        # one bright frame (5: no sample) in a black clip: not black
        ("flash", "color=c=black", 48, "drawbox=c=white:t=fill:enable='eq(n,5)'", []),
        ("black", "color=c=black", 48, "", ["black from start to end", "frozen for 48 frames"]),
        # 48 still frames (47 differences) from frame 13: frozen at 24 fps
        ("still48", "testsrc2", 120, _frozen_between(14, 60), ["frozen for 48 frames"]),
        # 47 still frames: not frozen, though sampled pairs inside it are still
        ("still47", "testsrc2", 120, _frozen_between(14, 59), []),
        # a still run from the last sample to the end
        ("tail", "testsrc2", 110, _frozen_between(61, 109), ["frozen for 50 frames"]),
        ("moving", "testsrc2", 96, "", []),
    ],
)
def test_sampled_checks_decide_as_every_frame(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    source: str,
    frames: int,
    vf: str,
    expected: list[str],
) -> None:
    clip = _clip(tmp_path / f"{name}.mp4", source, frames, vf)
    problems = check_clip(clip, frames=frames, **KW).problems
    assert problems == expected
    assert problems == _every_frame_verdict(clip, frames, monkeypatch)


def test_the_samples_are_pairs_every_stats_every_frames(tmp_path: Path) -> None:
    clip = _clip(tmp_path / "moving.mp4", "testsrc2", 50)
    sampled, full = sampled_stats(clip), frame_stats(clip)
    assert (sampled.every, full.every) == (STATS_EVERY, 1)
    assert sampled.frames == full.frames == 50
    starts = range(0, 50 - 1, STATS_EVERY)  # 0, 12, 24, 36, 48
    assert sampled.diffs == [full.diffs[j] for j in starts]
    measured = [i for j in range(0, 50, STATS_EVERY) for i in (j, j + 1) if i < 50]
    assert sampled.max_luma == [full.max_luma[i] for i in measured]
    assert sampled.mean_luma == [full.mean_luma[i] for i in measured]


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ``every`` of each whole decode the gate makes, in order."""
    seen: list[int] = []
    original = media._analyse

    def counting(path: Path, every: int) -> object:
        seen.append(every)
        return original(path, every)

    monkeypatch.setattr(media, "_analyse", counting)
    return seen


def test_a_moving_clip_is_measured_once(tmp_path: Path, decodes: list[int]) -> None:
    clip = _clip(tmp_path / "moving.mp4", "testsrc2", 96)
    assert check_clip(clip, frames=96, **KW).ok
    assert decodes == [STATS_EVERY]  # no second decode of every frame
    frozen = _clip(tmp_path / "frozen.mp4", "color=c=orange", 72)
    assert "frozen for 72 frames" in check_clip(frozen, frames=72, **KW).problems
    assert decodes == [STATS_EVERY, STATS_EVERY, 1]


def test_samples_too_far_apart_for_a_slow_rate_measure_every_frame(tmp_path: Path) -> None:
    # At 6 fps a clip is frozen after 12 still frames: 11 differences, which need not hold a
    # multiple of STATS_EVERY (12). Frames 1 to 12 still: the sampled pairs (0, 1) and
    # (12, 13) both move, yet the clip is frozen; every frame is measured.
    assert STATS_EVERY == 12
    args = ["-f", "lavfi", "-i", "testsrc2=s=160x90:r=6", "-vf", _frozen_between(2, 12)]
    path = tmp_path / "slow.mp4"
    args += ["-frames:v", "30", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", str(path)]
    run_ffmpeg(args, what="making a test clip")
    assert all(diff >= gate.FROZEN_DIFF for diff in sampled_stats(path).diffs)
    result = check_clip(path, frames=30, width=160, height=90, rate=Fraction(6))
    assert result.problems == ["frozen for 12 frames"]


def test_a_small_clip_is_measured_every_frame_in_one_decode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, decodes: list[int]
) -> None:
    monkeypatch.setattr(media, "SAMPLE_MIN_PIXELS", 160 * 90 + 1)
    clip = _clip(tmp_path / "still48.mp4", "testsrc2", 120, _frozen_between(14, 60))
    assert check_clip(clip, frames=120, **KW).problems == ["frozen for 48 frames"]
    assert sampled_stats(clip).every == 1
    assert decodes == [STATS_EVERY]  # asked to sample, measured every frame: one decode
