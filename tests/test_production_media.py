"""The animatic backend, the media gate, the conform rule and the ledger, on small clips.

Frame counts are always counted by decoding (PyAV), never read from the container.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import pytest
from PIL import Image, ImageChops, ImageStat

from storycore.tools.production.animatic import AnimaticBackend, read_png_provenance
from storycore.tools.production.backend import BackendError, JobState, RenderJob
from storycore.tools.production.conform import conform_clip, plan_conform
from storycore.tools.production.gate import check_clip
from storycore.tools.production.ledger import Ledger
from storycore.tools.production.media import ffmpeg_exe, probe, read_frame, run_ffmpeg


def _decoded_frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def _panel(tmp_path: Path, colour: tuple[int, int, int] = (200, 120, 60)) -> Path:
    image = Image.new("RGB", (320, 180), colour)
    for x in range(0, 320, 40):  # some structure, so a movement shows
        image.paste((20, 20, 20), (x, 0, x + 8, 180))
    path = tmp_path / "panel.png"
    image.save(path)
    return path


def _job(tmp_path: Path, **changes: object) -> RenderJob:
    fields: dict[str, object] = {
        "target_id": "shot_03",
        "generation_hash": "h" * 64,
        "kind": "video",
        "prompt": "A woman: on a bridge; 'rain'",
        "width": 160,
        "height": 90,
        "frame_count": 37,
        "native_fps": Fraction(24000, 1001),
        "version": 2,
        "provenance": {"shot_id": "shot_03", "version": "2", "prompt": "A woman: on a bridge"},
        "extras": {
            "camera_movement": "dolly_in",
            "timecode": "01:00:10:00",
            "panel": str(_panel(tmp_path)),
        },
    }
    fields.update(changes)
    return RenderJob(**fields)  # type: ignore[arg-type]


def test_the_bundled_ffmpeg_has_what_the_animatic_needs() -> None:
    AnimaticBackend().preflight([])  # libx264, aac, drawtext, zoompan, anullsrc, loop
    assert Path(ffmpeg_exe()).is_file()


@pytest.mark.parametrize(
    ("rate", "frames", "movement", "timecode"),
    [
        (Fraction(24000, 1001), 37, "dolly_in", "01:00:10:00"),
        (Fraction(30000, 1001), 61, "static", "01:00:59;28"),
        (Fraction(25), 1, "pan", "01:00:00:00"),
        (Fraction(24), 50, "handheld", "01:00:00:00"),
    ],
)
def test_an_animatic_clip_has_exactly_its_frames_at_the_exact_rate(
    tmp_path: Path, rate: Fraction, frames: int, movement: str, timecode: str
) -> None:
    job = _job(
        tmp_path,
        native_fps=rate,
        frame_count=frames,
        extras={"camera_movement": movement, "timecode": timecode, "panel": str(_panel(tmp_path))},
    )
    outputs = AnimaticBackend().wait("x", job, tmp_path / "out")
    video = outputs[0].path
    assert video.name == "shot_03.mp4"
    assert _decoded_frames(video) == frames
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert Fraction(stream.average_rate) == rate
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.format.name == "yuv420p"
        assert (stream.codec_context.width, stream.codec_context.height) == (160, 90)
        assert container.streams.audio[0].codec_context.channels == 2
        assert container.metadata["storycore_shot_id"] == "shot_03"
        assert container.metadata["storycore_prompt"] == "A woman: on a bridge"
    # no temporary file is left beside the outputs
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "shot_03.mp4",
        "shot_03_end.png",
        "shot_03_start.png",
    ]


def test_keyframes_carry_provenance_and_the_movement_shows(tmp_path: Path) -> None:
    outputs = AnimaticBackend().wait("x", _job(tmp_path), tmp_path / "out")
    start, end = outputs[1].path, outputs[2].path
    assert read_png_provenance(start)["shot_id"] == "shot_03"
    assert read_png_provenance(end)["frame"] == "last"
    # a dolly in: the last frame is not the first
    a = Image.open(start).convert("L").resize((32, 18))
    b = Image.open(end).convert("L").resize((32, 18))
    assert ImageStat.Stat(ImageChops.difference(a, b)).mean[0] > 5
    # the clip's first frame is the clean start keyframe (the burn-in is in the corners)
    result = check_clip(
        outputs[0].path,
        frames=37,
        width=160,
        height=90,
        rate=Fraction(24000, 1001),
        start_image=start,
    )
    assert result.ok, result.problems


def test_a_held_shots_keyframes_are_the_pngs_pillow_writes(tmp_path: Path) -> None:
    from storycore.tools.production.animatic import png_provenance

    extras = {"camera_movement": "static", "timecode": "01:00:10:00"}
    job = _job(tmp_path, extras={**extras, "panel": str(_panel(tmp_path))})
    outputs = AnimaticBackend().wait("x", job, tmp_path / "out")
    start, end = outputs[1].path, outputs[2].path
    with Image.open(start) as image:
        picture = image.convert("RGB")
    for path, frame in ((start, "first"), (end, "last")):
        expected = tmp_path / f"expected_{frame}.png"
        info = png_provenance({**job.provenance, "frame": frame})
        picture.save(expected, format="PNG", pnginfo=info, compress_level=1)
        assert path.read_bytes() == expected.read_bytes(), frame


def test_preflight_refuses_an_odd_size_and_an_unknown_movement(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="odd side"):
        AnimaticBackend().preflight([_job(tmp_path, width=161)])
    with pytest.raises(BackendError, match="camera movement"):
        AnimaticBackend().preflight([_job(tmp_path, extras={"camera_movement": "teleport"})])


def _lavfi_clip(path: Path, source: str, frames: int, rate: str = "24") -> Path:
    sep = ":" if "=" in source else "="
    run_ffmpeg(
        [
            *("-f", "lavfi", "-i", f"{source}{sep}s=160x90:r={rate}"),
            *("-frames:v", str(frames), "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)),
        ],
        what="making a test clip",
    )
    return path


def test_the_gate_finds_black_frozen_short_and_foreign_clips(tmp_path: Path) -> None:
    rate = Fraction(24)
    kwargs = {"width": 160, "height": 90, "rate": rate}
    black = _lavfi_clip(tmp_path / "black.mp4", "color=c=black", 48)
    assert "black from start to end" in check_clip(black, frames=48, **kwargs).problems
    frozen = _lavfi_clip(tmp_path / "frozen.mp4", "color=c=orange", 72)
    assert any("frozen" in p for p in check_clip(frozen, frames=72, **kwargs).problems)
    moving = _lavfi_clip(tmp_path / "moving.mp4", "testsrc2", 72)
    assert check_clip(moving, frames=72, **kwargs).ok
    problems = check_clip(moving, frames=73, width=320, height=180, rate=Fraction(25)).problems
    assert "72 frames decoded for 73 planned" in problems
    assert any("320x180" in p for p in problems)
    assert any("25/1" in p for p in problems)
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"not a video at all" * 100)
    result = check_clip(garbage, frames=10, **kwargs)
    assert not result.ok and "cannot be read" in result.problems[0]


def test_the_conform_rule(tmp_path: Path) -> None:
    # Wan: 81 frames at 16 fps for a 5 s shot at 24 fps (120 frames): 122 frames, 2 cut.
    rule = plan_conform(120, 81, Fraction(16), Fraction(24))
    assert rule.converted_frames == 122 and rule.difference == 2
    assert not rule.absorbed and rule.retime_frames == 122
    assert "2 frames cut" in (rule.report() or "")
    assert plan_conform(121, 81, Fraction(16), Fraction(24)).report() is None  # one frame
    short = plan_conform(130, 81, Fraction(16), Fraction(24))
    assert "8 frames held" in (short.report() or "")
    clip = _lavfi_clip(tmp_path / "native.mp4", "testsrc2", 81, rate="16")
    conform_clip(clip, tmp_path / "conformed.mp4", short)
    assert _decoded_frames(tmp_path / "conformed.mp4") == 130
    assert probe(tmp_path / "conformed.mp4").fps == Fraction(24)
    assert read_frame(tmp_path / "conformed.mp4", -1).size == (160, 90)


def test_the_ledger_is_idempotent_and_keeps_the_backend_id(tmp_path: Path) -> None:
    job = _job(tmp_path)
    with Ledger.open(tmp_path) as ledger:
        row = ledger.queue(job, "comfyui")
        assert ledger.queue(job, "comfyui").job_id == row.job_id  # same job, same row
        assert ledger.queue(job, "animatic").job_id != row.job_id  # another backend
        ledger.submitted(row.job_id, "prompt-123")
    with Ledger.open(tmp_path) as ledger:  # a new process after a crash
        again = ledger.get(row.job_id)
        assert again is not None
        assert again.state is JobState.SUBMITTED
        assert again.backend_job_id == "prompt-123" and again.attempts == 1
        ledger.done(row.job_id, ["a.mp4"], 0.5, 1.0)
        assert ledger.spent_usd() == 0.5
        assert ledger.summary()["jobs"]["done"] == 1


@pytest.mark.parametrize("movement", ["static", "dolly_in"])
def test_the_burn_in_leaves_the_panels_own_labels_readable(tmp_path: Path, movement: str) -> None:
    """A storyboard panel carries its labels in its top and bottom bands (shot, size, lens;
    duration): the animatic's burn-in goes just inside them, not over them."""
    import av

    from storycore.tools.storyboard.drawing import label_band

    _, outputs = _plain_panel_clip(tmp_path, movement)
    with av.open(str(outputs[0].path)) as container:
        first = next(container.decode(video=0)).to_image().convert("RGB")
    band = label_band()  # the panel covers the 320x180 frame at scale 1 when held
    top = first.crop((0, 0, 320, band - 2)).convert("L")
    below = first.crop((0, band, 320, band + 14)).convert("L")
    assert ImageStat.Stat(top).extrema[0][0] > 150, "the burn-in covers the panel's top band"
    assert ImageStat.Stat(below).extrema[0][0] < 120, "the burn-in is just inside the band"


def _plain_panel_clip(tmp_path: Path, movement: str) -> tuple[Any, list[Any]]:
    """A 320x180 clip of a plain grey panel (held or moving) and its job."""
    panel = tmp_path / "plain.png"
    Image.new("RGB", (320, 180), (200, 200, 200)).save(panel)
    extras = {**_job(tmp_path).extras, "camera_movement": movement, "panel": str(panel)}
    job = _job(tmp_path, width=320, height=180, extras=extras)
    return job, AnimaticBackend().wait("x", job, tmp_path / "out")


def _dark_runs(band: Image.Image) -> list[tuple[int, int]]:
    """The runs of columns (first, last) of a light grey band that hold a label's dark box."""
    width, height = band.size
    pixels = band.load()
    dark = [any(pixels[x, y] < 150 for y in range(height)) for x in range(width)]
    runs: list[tuple[int, int]] = []
    for x, is_dark in enumerate(dark):
        if is_dark and (x == 0 or not dark[x - 1]):
            runs.append((x, x))
        elif is_dark:
            runs[-1] = (runs[-1][0], x)
    return runs


@pytest.mark.parametrize(
    ("width", "height", "shot"),
    [
        (1080, 1920, "seq_12_shot_0345"),  # a vertical frame, a long shot id
        (1920, 1080, "seq_12_shot_0345"),
        (160, 90, "shot_03"),
        (96, 54, "shot_03"),  # the labels' usual 12 px do not fit side by side here
    ],
)
def test_the_burn_in_labels_fit_side_by_side_in_the_frame(
    tmp_path: Path, width: int, height: int, shot: str
) -> None:
    """Each row of the burn-in (shot and version, ANIMATIC at the top; timecode and frame
    counter at the bottom) is two separate labels, both whole inside the frame."""
    panel = tmp_path / "plain.png"
    Image.new("RGB", (width, height), (200, 200, 200)).save(panel)
    extras = {"camera_movement": "static", "timecode": "01:00:10:00", "panel": str(panel)}
    job = _job(tmp_path, target_id=shot, width=width, height=height, frame_count=2, extras=extras)
    video = AnimaticBackend().wait("x", job, tmp_path / "out")[0].path
    with av.open(str(video)) as container:
        first = next(container.decode(video=0)).to_image().convert("L")
    for name, band in [
        ("top", first.crop((0, 0, width, height // 2))),
        ("bottom", first.crop((0, height // 2, width, height))),
    ]:
        runs = _dark_runs(band)
        assert len(runs) == 2, f"{name}: the two labels overlap or one is missing: {runs}"
        assert runs[0][0] > 0 and runs[1][1] < width - 1, f"{name}: a label leaves the frame"


@pytest.mark.parametrize("movement", ["static", "dolly_in"])
def test_every_frame_carries_the_fixed_labels_and_a_running_counter(
    tmp_path: Path, movement: str
) -> None:
    """Shot id + version and ANIMATIC are in every frame (on a held shot, drawn once on the
    picture the loop repeats: the same pixels in every frame); the timecode and the frame
    counter at the bottom change from each frame to the next."""
    import av

    job, outputs = _plain_panel_clip(tmp_path, movement)
    with av.open(str(outputs[0].path)) as container:
        frames = [f.to_image().convert("L") for f in container.decode(video=0)]
    assert len(frames) == job.frame_count
    tops = [f.crop((0, 0, 320, 60)) for f in frames]  # both fixed labels
    bottoms = [f.crop((0, 120, 320, 180)) for f in frames]  # timecode and counter
    for top in tops:
        low, high = ImageStat.Stat(top).extrema[0]
        assert low < 120 and high > 230, "a label's dark box and white text in every frame"
    if movement == "static":
        for top in tops[1:]:
            assert ImageStat.Stat(ImageChops.difference(top, tops[0])).mean[0] < 0.5
    for before, after in itertools.pairwise(bottoms):
        assert ImageStat.Stat(ImageChops.difference(before, after)).mean[0] > 0.05


@pytest.mark.parametrize(
    ("source", "size"),
    [
        ((320, 180), (1080, 1920)),
        ((320, 180), (1280, 720)),
        ((333, 177), (160, 90)),
        ((1280, 720), (640, 1138)),
        ((512, 512), (1000, 1002)),
    ],
)
def test_cover_resamples_only_what_it_keeps(source: tuple[int, int], size: tuple[int, int]) -> None:
    from storycore.tools.production.animatic import _cover

    image = Image.effect_noise(source, 60).convert("RGB")
    covered = _cover(image, *size)
    assert covered.size == size
    # what scaling the whole image and cropping its middle gives, within a level or two
    scale = max(size[0] / source[0], size[1] / source[1])
    w, h = max(size[0], round(source[0] * scale)), max(size[1], round(source[1] * scale))
    left, top = (w - size[0]) // 2, (h - size[1]) // 2
    whole = image.resize((w, h), Image.Resampling.LANCZOS)
    expected = whole.crop((left, top, left + size[0], top + size[1]))
    extrema = ImageChops.difference(covered, expected).getextrema()
    assert max(high for _, high in extrema) <= 2


@pytest.mark.parametrize("movement", ["pan", "tilt", "truck", "pedestal"])
def test_a_sliding_view_follows_the_exact_views_frame_by_frame(
    tmp_path: Path, movement: str
) -> None:
    """Pan, tilt, truck and pedestal slide a window over the canvas scaled once: every frame
    is within a few levels of the exact (LANCZOS) view and its first is the image itself.
    zoompan, which scaled a crop of the canvas taken in whole canvas pixels for every frame,
    was up to 13 levels off here."""
    from storycore.tools.production import animatic

    panel = Image.new("RGB", (320, 180), (200, 120, 60))
    for v in range(0, 320, 40):  # structure both ways, so any slide shows
        panel.paste((20, 20, 20), (v, 0, v + 8, 180))
        panel.paste((240, 240, 240), (0, v * 180 // 320, 320, v * 180 // 320 + 5))
    panel.save(tmp_path / "panel.png")
    job = _job(
        tmp_path,
        width=320,
        height=180,
        frame_count=48,
        native_fps=Fraction(24),
        start_image=tmp_path / "panel.png",
        extras={"camera_movement": movement, "timecode": "01:00:10:00"},
    )
    outputs = AnimaticBackend().wait("x", job, tmp_path / "out")
    pictures = animatic._clip_pictures(job)
    assert pictures.canvas is not None
    box = (64, 63, 256, 117)  # the centre, clear of the burn-in
    diffs = []
    with av.open(str(outputs[0].path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            view = animatic.view_at(pictures.move, i / 47, i / 24)
            exact = animatic._view_image(pictures.canvas, pictures.inner, view, (320, 180))
            got = frame.to_image().convert("L").crop(box)
            diffs.append(
                ImageStat.Stat(ImageChops.difference(got, exact.convert("L").crop(box))).mean[0]
            )
    assert len(diffs) == 48
    assert diffs[0] < 3 and max(diffs) < 9, [round(d, 1) for d in diffs]
    result = check_clip(
        outputs[0].path,
        frames=48,
        width=320,
        height=180,
        rate=Fraction(24),
        start_image=outputs[1].path,
    )
    assert result.ok, result.problems


def test_every_clip_has_silent_stereo_audio_as_long_as_its_video(tmp_path: Path) -> None:
    """The silent track is encoded once per length and copied into each clip: clips of
    different lengths each get a track of their own length, never a neighbour's."""
    from storycore.tools.production.animatic import silent_audio

    for frames, rate in ((37, Fraction(24000, 1001)), (50, Fraction(24)), (37, Fraction(25))):
        name = f"s{frames}_{rate.numerator}"
        job = _job(tmp_path, frame_count=frames, native_fps=rate, target_id=name)
        video = AnimaticBackend().wait("x", job, tmp_path / "out")[0].path
        seconds = float(Fraction(frames) / rate)
        with av.open(str(video)) as container:
            audio = container.streams.audio[0]
            assert (audio.codec_context.name, audio.codec_context.sample_rate) == ("aac", 48000)
            assert audio.codec_context.channels == 2
            samples = sum(f.samples for f in container.decode(audio))
        # as long as the video, to within one AAC frame (1024 samples)
        assert abs(samples / 48000 - seconds) <= 1024 / 48000, (frames, rate, samples)
    assert silent_audio(37 / 25) != silent_audio(37 * 1001 / 24000)
