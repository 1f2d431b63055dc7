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
    assert sampled.spots == [full.spots[j] for j in starts]
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


PORTRAIT = {"width": 1080, "height": 1920, "rate": Fraction(24)}


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080), (1280, 720)])
def test_a_held_animatic_clip_passes_in_one_sampled_decode(
    tmp_path: Path, decodes: list[int], size: tuple[int, int]
) -> None:
    """A held panel: only its burned-in timecode and counter change, which the thumbnail
    averages to less than FROZEN_DIFF on some sampled pairs. It passes, measured in its one
    decode, sampled (1080x1920 and 1920x1080 clips were decoded a second time, every frame
    measured; 1280x720 ones were measured every frame in their one decode)."""
    clip = _animatic_clip(tmp_path, 96, "static", size)
    width, height = size
    assert check_clip(clip, frames=96, width=width, height=height, rate=Fraction(24)).ok
    assert decodes == [STATS_EVERY]
    sampled = sampled_stats(clip)
    assert sampled.every == STATS_EVERY
    assert min(sampled.diffs) < gate.FROZEN_DIFF  # the average alone would leave a doubt


def test_a_portrait_clip_whose_counter_stops_is_frozen(tmp_path: Path, decodes: list[int]) -> None:
    """The same held panel with 49 of its frames replaced by the one before them (the
    counter stops for 50 frames, over 2 s), encoded as the animatic encodes: frozen."""
    clip = _animatic_clip(tmp_path, 96, "static", (1080, 1920))
    stopped = tmp_path / "stopped.mp4"
    args = ["-i", str(clip), "-vf", _frozen_between(20, 68), "-c:v", "libx264"]
    args += ["-preset", "ultrafast", "-qp", "18", "-pix_fmt", "yuv420p", str(stopped)]
    run_ffmpeg(args, what="stopping the counter")
    assert check_clip(stopped, frames=96, **PORTRAIT).problems == ["frozen for 50 frames"]
    assert decodes == [STATS_EVERY, 1]  # a sampled pair was still: every frame measured


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


# -- broken clips: cut short, without an index, a frame missing or one too many ------------

FRAMES = 30
ANIMATIC_KW = {"width": 96, "height": 54, "rate": Fraction(24)}


def _animatic_clip(
    tmp_path: Path,
    frames: int = FRAMES,
    movement: str = "pan",
    size: tuple[int, int] = (96, 54),
) -> Path:
    """A clip as the animatic renders it (H.264, silent AAC, index first)."""
    from PIL import Image

    from storycore.tools.production.animatic import AnimaticBackend
    from storycore.tools.production.backend import RenderJob

    panel = tmp_path / f"panel{frames}.png"
    Image.radial_gradient("L").convert("RGB").save(panel)
    job = RenderJob(
        target_id=f"shot_{frames:02d}",
        generation_hash="g" * 64,
        kind="video",
        prompt="a test",
        width=size[0],
        height=size[1],
        frame_count=frames,
        native_fps=Fraction(24),
        provenance={"shot_id": f"shot_{frames:02d}"},
        extras={"camera_movement": movement, "panel": str(panel)},
    )
    return AnimaticBackend().wait("x", job, tmp_path / f"out{frames}")[0].path


def _packet_ends(path: Path) -> list[tuple[int, str]]:
    """Where each packet of the file ends (byte offset) and its stream's kind, in file order."""
    import av

    with av.open(str(path)) as container:
        return sorted((p.pos + p.size, p.stream.type) for p in container.demux() if p.size)


def _cut(clip: Path, size: int, name: str) -> Path:
    cut = clip.with_name(name)
    cut.write_bytes(clip.read_bytes()[:size])
    return cut


def _problems(path: Path, frames: int = FRAMES) -> list[str]:
    return check_clip(path, frames=frames, **ANIMATIC_KW).problems


def test_a_clip_cut_short_is_refused_wherever_it_ends(tmp_path: Path) -> None:
    clip = _animatic_clip(tmp_path)
    assert _problems(clip) == []
    size = clip.stat().st_size
    ends = _packet_ends(clip)
    assert ends[-1][0] == size  # the index is first (faststart): the data ends the file
    last_video = max(end for end, kind in ends if kind == "video")
    cuts = {
        # three bytes short: only the last (silent audio) packet is cut; every frame decodes
        "last-bytes": (size - 3, "it ends inside audio packet"),
        "half-way": (size // 2, "it ends inside video frame"),
        # right after the last video frame: no packet is cut, the audio's last ones are gone
        "after-the-video": (last_video, "audio packets its index lists"),
    }
    for name, (at, expected) in cuts.items():
        problems = _problems(_cut(clip, at, f"{name}.mp4"))
        assert len(problems) == 1, (name, problems)
        assert problems[0].startswith(f"{name}.mp4 is cut short: "), problems
        assert expected in problems[0], (name, problems)


def test_a_clip_cut_inside_a_frame_says_which(tmp_path: Path) -> None:
    clip = _animatic_clip(tmp_path)
    video_ends = [end for end, kind in _packet_ends(clip) if kind == "video"]
    # a cut one byte before the end of frame 10: frames 1-9 are whole, frame 10 is not
    problems = _problems(_cut(clip, video_ends[9] - 1, "cut10.mp4"))
    assert problems == [f"cut10.mp4 is cut short: it ends inside video frame 10 of {FRAMES}"]


def test_a_clip_without_its_index_is_refused(tmp_path: Path) -> None:
    clip = _animatic_clip(tmp_path)
    # the same clip with its index last, as ffmpeg writes it until the end of a render
    last = tmp_path / "index_last.mp4"
    run_ffmpeg(["-i", str(clip), "-c", "copy", "-map", "0", str(last)], what="moving the index")
    assert _problems(last) == []
    data = last.read_bytes()
    index_at = data.rindex(b"moov") - 4
    no_index = tmp_path / "no_index.mp4"
    no_index.write_bytes(data[:index_at])  # every frame is there, the index is not
    assert _problems(no_index) == [
        "no_index.mp4 cannot be read as a video: it has no index "
        "(no 'moov' box: the render that wrote it did not finish)"
    ]
    stopped = _cut(last, len(data) // 3, "stopped.mp4")  # a render stopped a third of the way
    assert _problems(stopped) == [
        "stopped.mp4 cannot be read as a video: it has no index "
        "(no 'moov' box: the render that wrote it did not finish) and is cut short"
    ]
    index_cut = _cut(clip, 200, "index_cut.mp4")  # the index first, cut inside it
    assert _problems(index_cut) == [
        "index_cut.mp4 cannot be read as a video: it is cut short inside its index (its 'moov' box)"
    ]
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert _problems(empty) == ["empty.mp4 cannot be read as a video: the file is empty"]


@pytest.mark.parametrize("movement", ["static", "dolly_in"])
def test_a_clip_a_frame_short_or_a_frame_long_is_refused(tmp_path: Path, movement: str) -> None:
    clip = _animatic_clip(tmp_path, FRAMES, movement)
    assert _problems(clip) == []
    # the planned clip without its last frame (stream copy: the other frames' bytes kept)
    short = tmp_path / "short.mp4"
    run_ffmpeg(
        ["-i", str(clip), "-map", "0", "-c", "copy", "-frames:v", str(FRAMES - 1), str(short)],
        what="dropping a frame",
    )
    assert _problems(short) == [f"{FRAMES - 1} frames decoded for {FRAMES} planned"]
    long = _animatic_clip(tmp_path, FRAMES + 1, movement)
    assert _problems(long) == [f"{FRAMES + 1} frames decoded for {FRAMES} planned"]


def test_production_refuses_a_rendered_clip_cut_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's view: a shot whose render came out cut short fails with that reason, is
    not committed, and the next run renders it again."""
    import sys

    from storycore.tools.production.animatic import AnimaticBackend
    from storycore.tools.production.producer import Production
    from storycore.tools.production.records import media_records
    from storycore.tools.production.run import run_production
    from storycore.tools.project import Project

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import produce_bench

    root = tmp_path / "p"
    produce_bench.build(root, 3, 64, 36)
    original = AnimaticBackend._clip

    def cut_shot_2(self, job, out_dir, on_progress):  # type: ignore[no-untyped-def]
        outputs = original(self, job, out_dir, on_progress)
        if job.target_id == "shot_002":
            clip = outputs[0].path
            clip.write_bytes(clip.read_bytes()[:-5])
        return outputs

    monkeypatch.setattr(AnimaticBackend, "_clip", cut_shot_2)
    result = run_production(Production(Project.open(root), "animatic"))
    assert [f["shot_id"] for f in result.failed] == ["shot_002"]
    assert "shot_002.mp4 is cut short: it ends inside audio packet" in result.failed[0]["error"]
    assert sorted(media_records(Project.open(root))) == ["shot_001", "shot_003"]
    assert result.final is None  # no film with a shot missing
    monkeypatch.setattr(AnimaticBackend, "_clip", original)
    again = run_production(Production(Project.open(root), "animatic"))
    assert again.rendered == ["shot_002"] and not again.failed and again.final
