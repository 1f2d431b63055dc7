"""The animatic backend: each shot's keyframe or storyboard panel, timed and moved, as an MP4.

What a clip is:

- H.264 (libx264 ultrafast, constant quantizer 18, one thread), yuv420p, the project's
  resolution and exact rate (24000/1001 is written as that rational, the MP4 time base a
  multiple of its numerator), a silent 48 kHz stereo AAC track (encoded once per length,
  copied into each clip: :func:`silent_audio`) so editors conform it and
  joined files do not drift;
- exactly ``frame_count`` frames (``-frames:v``; the tests count them by decoding);
- the picture moved as the shot's camera movement says (:data:`MOVES`): the image sits in a
  padded canvas (its edges blurred outwards), the view starts on the image itself and travels
  (push in for dolly in, a pan for pan...), eased in and out;
- a burn-in: shot id and version (top left), ``ANIMATIC`` (top right), the record timecode
  (SMPTE, ``;`` before the frames in drop-frame, bottom left) and the frame within the shot
  (bottom right). The font is Pillow's bundled one, written to a cache file for ffmpeg's
  drawtext, so no system font is needed;
- provenance in the MP4 tags (``storycore_shot_id``... and a JSON ``comment``).

Beside the clip the backend writes the clean first and last frames (no burn-in) as PNGs with
the same provenance in text chunks: the shot's start and end keyframes. A shot that continues
from another gets that one's clean last frame as its start image, and since every movement
starts on the image itself, its first frame is that image.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import os
import struct
import tempfile
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from PIL import Image, ImageFilter, ImageFont, PngImagePlugin

from storycore.tools.production.backend import (
    BackendError,
    JobState,
    ProgressCallback,
    RenderJob,
    RenderOutput,
)
from storycore.tools.production.media import (
    aside,
    check_ffmpeg,
    ffmpeg_exe,
    fsync_file,
    metadata_args,
    provenance_tags,
    run_ffmpeg,
)

__all__ = ["MOVES", "AnimaticBackend", "Move", "png_provenance", "read_png_provenance"]

#: The canvas margin around the image, as a fraction of its size on each side.
PAD = 0.2


@dataclass(frozen=True)
class Move:
    """A camera movement as the view's relative zoom and centre offset over u in [0, 1]."""

    zoom_end: float = 1.0  # relative zoom at the end (1: the image; >1 pushes in)
    dx_end: float = 0.0  # centre offset at the end, in image widths (+: right)
    dy_end: float = 0.0  # in image heights (+: down)
    shake: float = 0.0  # handheld: amplitude in image widths

    @property
    def moves(self) -> bool:
        return (self.zoom_end, self.dx_end, self.dy_end, self.shake) != (1.0, 0.0, 0.0, 0.0)


#: How each camera movement moves the view (every one starts on the image itself).
MOVES: dict[str, Move] = {
    "static": Move(),
    "pan": Move(dx_end=0.12),
    "tilt": Move(dy_end=-0.10),
    "dolly_in": Move(zoom_end=1.2),
    "dolly_out": Move(zoom_end=1 / 1.2),
    "zoom_in": Move(zoom_end=1.25),
    "zoom_out": Move(zoom_end=1 / 1.25),
    "truck": Move(dx_end=-0.12),
    "pedestal": Move(dy_end=0.08),
    "crane": Move(zoom_end=1.08, dy_end=-0.12),
    "handheld": Move(zoom_end=1.04, shake=0.008),
    "tracking": Move(zoom_end=1.05, dx_end=0.10),
    "orbit": Move(zoom_end=1.1, dx_end=0.10),
}


def _ease(u: float) -> float:
    return u * u * (3 - 2 * u)


def view_at(move: Move, u: float, t_seconds: float) -> tuple[float, float, float]:
    """The view at ``u``: (relative zoom, centre dx, centre dy) in image units."""
    e = _ease(min(max(u, 0.0), 1.0))
    zoom = 1.0 + (move.zoom_end - 1.0) * e
    dx = move.dx_end * e + move.shake * math.sin(2 * math.pi * 1.3 * t_seconds)
    dy = move.dy_end * e + move.shake * 0.8 * math.sin(2 * math.pi * 1.7 * t_seconds)
    return zoom, dx, dy


# -- provenance in PNGs ------------------------------------------------------------------


def png_provenance(provenance: dict[str, str]) -> PngImagePlugin.PngInfo:
    """PNG text chunks (``storycore:<key>``) for a provenance dict."""
    info = PngImagePlugin.PngInfo()
    for key, value in provenance.items():
        info.add_itxt(f"storycore:{key}", str(value))
    return info


def read_png_provenance(path: Path | str) -> dict[str, str]:
    """The ``storycore:`` text chunks of a PNG, without their prefix."""
    with Image.open(path) as image:
        text = getattr(image, "text", {}) or {}
        return {k.split(":", 1)[1]: str(v) for k, v in text.items() if k.startswith("storycore:")}


# -- the font ----------------------------------------------------------------------------


@functools.cache
def font_file() -> str:
    """Pillow's bundled TrueType font written once to a cache file (for drawtext)."""
    font = ImageFont.load_default(20)
    data = getattr(font, "font_bytes", b"")
    if not data:  # Pillow without FreeType: no TrueType font to give ffmpeg
        raise BackendError("Pillow was built without FreeType; the animatic cannot burn in text")
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = _cache_folder() / f"font-{digest}.ttf"
    if not path.is_file() or path.stat().st_size != len(data):
        tmp = aside(path)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return str(path)


def _cache_folder() -> Path:
    """This user's cache folder for the files ffmpeg reads (the font, silent audio)."""
    folder = Path(tempfile.gettempdir()) / f"storycore-{os.getuid()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


#: What every clip's silent track is: 48 kHz stereo AAC at 64 kb/s.
SILENCE_ARGS = ("-c:a", "aac", "-b:a", "64k", "-flags:a", "+bitexact")


def silent_audio(seconds: float) -> str:
    """The path of a silent track of ``seconds`` (:data:`SILENCE_ARGS`), encoded once per
    length (and ffmpeg binary) into a cache file the clips copy their audio from: encoding
    it in each clip's ffmpeg cost about 15 ms a clip. Written aside and renamed, so a file
    under its name is complete."""
    exe = Path(ffmpeg_exe())
    stat = exe.stat()
    binary = hashlib.sha256(f"{exe}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()
    path = _cache_folder() / f"silence-{seconds:.6f}s-{binary[:12]}.m4a"
    if not path.is_file():
        tmp = aside(path)
        try:
            run_ffmpeg(
                [
                    *("-f", "lavfi", "-t", f"{seconds:.6f}", "-i", "anullsrc=r=48000:cl=stereo"),
                    *SILENCE_ARGS,
                    *("-fflags", "+bitexact", "-f", "mp4", str(tmp)),
                ],
                what="encoding a silent audio track",
            )
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return str(path)


def _esc(text: str) -> str:
    """Escape a value for an ffmpeg filtergraph option inside single quotes."""
    return text.replace("\\", "\\\\").replace("'", "\\'").replace(":", "\\:").replace(";", "\\;")


# -- pictures ----------------------------------------------------------------------------


def _source_image(job: RenderJob) -> tuple[Image.Image, bool]:
    """The picture the clip is made of, and whether it is the storyboard panel (which
    carries its own labels) rather than a keyframe, a card shot's card (its words as the
    panel shows them, at the clip's size: the panel scaled up blurs them) or the
    placeholder."""
    card = str(job.extras.get("card") or "")
    if job.start_image is None and card:  # a card shot: the card, drawn at the clip's size
        from storycore.tools.storyboard.card import card_picture

        return card_picture(card, job.width, job.height), False
    path = job.start_image or job.extras.get("panel")
    if path is None:
        return _placeholder(job), False
    try:
        with Image.open(path) as image:
            return image.convert("RGB"), job.start_image is None
    except (OSError, ValueError) as exc:
        raise BackendError(
            f"{job.target_id}: cannot read its image {Path(path).name}: {exc}"
        ) from None


def _placeholder(job: RenderJob) -> Image.Image:
    return Image.new("RGB", (320, 180), (90, 90, 96))


def _cover(image: Image.Image, width: int, height: int) -> Image.Image:
    """Scale and centre-crop ``image`` to exactly width x height (no distortion)."""
    scale = max(width / image.width, height / image.height)
    w, h = max(width, round(image.width * scale)), max(height, round(image.height * scale))
    left, top = (w - width) // 2, (h - height) // 2
    # Only the part that stays is resampled (a 320x180 panel covering 1080x1920 is not
    # scaled to 3413x1920 first): the same scale and centres, within a level of the crop.
    sx, sy = image.width / w, image.height / h
    box = (left * sx, top * sy, (left + width) * sx, (top + height) * sy)
    return image.resize((width, height), Image.Resampling.LANCZOS, box=box)


def _canvas(image: Image.Image, inner_w: int, inner_h: int) -> Image.Image:
    """The image at inner_w x inner_h in the middle of a padded canvas of blurred edges."""
    cw, ch = _even(inner_w * (1 + 2 * PAD)), _even(inner_h * (1 + 2 * PAD))
    inner = _cover(image, inner_w, inner_h)
    back = inner.resize((max(1, cw // 8), max(1, ch // 8))).filter(ImageFilter.GaussianBlur(2))
    canvas = back.resize((cw, ch), Image.Resampling.BILINEAR).point(lambda v: int(v * 0.55))
    canvas.paste(inner, ((cw - inner_w) // 2, (ch - inner_h) // 2))
    return canvas


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def _view_image(
    canvas: Image.Image, inner: tuple[int, int], view: tuple[float, float, float], out: tuple
) -> Image.Image:
    """The clean frame for a view (what the clip shows, without the burn-in)."""
    zoom, dx, dy = view
    iw, ih = inner
    w, h = iw / zoom, ih / zoom
    cx, cy = canvas.width / 2 + dx * iw, canvas.height / 2 + dy * ih
    box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    whole = (round(box[0]), round(box[1]), round(box[2]), round(box[3]))
    if (w, h) == out and all(abs(a - b) < 1e-9 for a, b in zip(box, whole, strict=True)):
        return canvas.crop(whole)  # the view is the image itself, pixel for pixel
    return canvas.resize(out, Image.Resampling.LANCZOS, box=box)


@dataclass(frozen=True)
class _ClipPictures:
    """What ffmpeg needs of a clip's pictures: its move, the padded canvas (for a move) or
    the held picture, and the image's size inside the canvas. The clean first and last
    frames (no burn-in) come from :func:`_clean_frames`."""

    move: Move
    canvas: Image.Image | None  # None for a held picture (no movement: no canvas needed)
    inner: tuple[int, int]
    still: Image.Image | None  # the held picture (None for a move)
    #: How far a storyboard panel's own labels reach into the first frame from its top and
    #: bottom edges, in pixels (0 for a keyframe): the burn-in goes just inside them.
    labels_reach: int = 0


def _clip_pictures(job: RenderJob) -> _ClipPictures:
    """The canvas (or the held picture) of the job's clip."""
    W, H = job.width, job.height
    move = MOVES[str(job.extras.get("camera_movement", "static"))]
    source, labelled = _source_image(job)
    if not move.moves:  # a held picture: the image itself, covering the frame
        still = _cover(source, W, H)
        reach = _labels_reach(source, W, H) if labelled else 0
        return _ClipPictures(move, None, (W, H), still, reach)
    # The working size of the image inside the canvas: the output's, unless the source is
    # much smaller (a 320x180 panel), where twice its size looks the same and is faster.
    scale = min(1.0, max(2 * source.width / W, 2 * source.height / H, 0.5))
    inner = (_even(W * scale), _even(H * scale))
    canvas = _canvas(source, *inner)
    # The first view shows the inner picture whole, scaled to the frame's height.
    reach = _labels_reach(source, *inner, zoom=H / inner[1]) if labelled else 0
    return _ClipPictures(move, canvas, inner, None, reach)


def _clean_frames(job: RenderJob, pictures: _ClipPictures) -> tuple[Image.Image, Image.Image]:
    """The clip's clean first and last frames (no burn-in); the same image twice when the
    view ends where it starts."""
    if pictures.canvas is None:
        assert pictures.still is not None
        return pictures.still, pictures.still
    W, H, N = job.width, job.height, job.frame_count
    move, canvas, inner = pictures.move, pictures.canvas, pictures.inner
    first_view = view_at(move, 0.0, 0.0)
    first = _view_image(canvas, inner, first_view, (W, H))
    last_view = view_at(move, 1.0, float((N - 1) / job.native_fps))
    last = first if last_view == first_view else _view_image(canvas, inner, last_view, (W, H))
    return first, last


def _keyframe_pngs(job: RenderJob, pictures: _ClipPictures) -> tuple[bytes, bytes]:
    """The PNGs of the clean first and last frames, with the job's provenance."""
    first_image, last_image = _clean_frames(job, pictures)
    first = _png_bytes(first_image, {**job.provenance, "frame": "first"})
    last = _relabelled(first, "last") if last_image is first_image else None
    if last is None:
        last = _png_bytes(last_image, {**job.provenance, "frame": "last"})
    return first, last


def _labels_reach(panel: Image.Image, width: int, height: int, zoom: float = 1.0) -> int:
    """How far the labels of ``panel`` reach when it covers ``width`` x ``height``, then is
    shown ``zoom`` times larger."""
    from storycore.tools.storyboard.drawing import label_band

    return math.ceil(label_band() * max(width / panel.width, height / panel.height) * zoom)


# -- the backend -------------------------------------------------------------------------


@dataclass
class AnimaticBackend:
    """Renders locally with the bundled ffmpeg; costs nothing; keeps nothing between runs."""

    name: str = "animatic"
    preset: str = "ultrafast"
    #: x264's constant quantizer: the quality crf 23 gave (Y-PSNR against the uncompressed
    #: frames 53-59 dB, within 1.4 dB of crf 23's on every shot measured, held shots higher),
    #: smaller files on storyboard panels, and no crf lookahead analysis of every frame
    #: (about a fifth of x264's time at 1080x1920).
    qp: int = 18
    threads: int = 1  # x264 threads (fixed, so the bytes never depend on the machine)
    #: Shots rendered side by side by the producer: one single-threaded ffmpeg per core, up
    #: to two (each clip's bytes are the same whatever renders beside it).
    parallel: int = field(default_factory=lambda: max(1, min(2, _cores())))

    # -- the protocol ----------------------------------------------------------------------

    def preflight(self, jobs: Sequence[RenderJob]) -> None:
        """Check the binary (libx264, drawtext, zoompan, anullsrc), the font and the sizes."""
        check_ffmpeg()
        font_file()
        for job in jobs:
            if job.width % 2 or job.height % 2:
                raise BackendError(
                    f"{job.target_id}: {job.width}x{job.height} has an odd side; H.264 yuv420p "
                    "needs even width and height"
                )
            if job.kind == "video" and job.frame_count < 1:
                raise BackendError(f"{job.target_id}: a clip needs at least one frame")
            move = str(job.extras.get("camera_movement", "static"))
            if move not in MOVES:
                raise BackendError(f"{job.target_id}: unknown camera movement {move!r}")

    def estimate_cost(self, job: RenderJob) -> float:
        """The animatic is free."""
        return 0.0

    def submit(self, job: RenderJob, job_id: str) -> str:
        """Nothing to enqueue: the id is the ledger's own."""
        return f"animatic-{job_id}"

    def lookup(self, backend_job_id: str) -> JobState | None:
        """A local renderer keeps nothing between runs: rendering again is free."""
        return None

    def cancel(self, backend_job_ids: Sequence[str]) -> None:
        """Nothing runs in the background."""

    def adopt(
        self, job: RenderJob, out_dir: Path, *, tidy: bool = True
    ) -> list[RenderOutput] | None:
        """The outputs an interrupted run finished rendering into ``out_dir`` for ``job``,
        when every one is complete and made from the job's inputs (decoded and checked:
        :func:`~storycore.tools.production.staged.verified_outputs`); else None. ``tidy``
        False: only look (the dry run), the render's temporary leftovers stay."""
        from storycore.tools.production.staged import verified_outputs

        return verified_outputs(job, out_dir, _outputs(job, out_dir), tidy=tidy)

    def wait(
        self,
        backend_job_id: str,
        job: RenderJob,
        out_dir: Path,
        on_progress: ProgressCallback | None = None,
    ) -> list[RenderOutput]:
        """Render the clip and its two clean keyframes into ``out_dir``."""
        out_dir.mkdir(parents=True, exist_ok=True)
        if job.kind == "image":
            return [self._still(job, out_dir)]
        return self._clip(job, out_dir, on_progress)

    # -- rendering -------------------------------------------------------------------------

    def _still(self, job: RenderJob, out_dir: Path) -> RenderOutput:
        image = _cover(_source_image(job)[0], job.width, job.height)
        target = out_dir / f"{job.target_id}.png"
        _save_png(image, target, job.provenance)
        return RenderOutput(target, "image")

    def _clip(
        self, job: RenderJob, out_dir: Path, on_progress: ProgressCallback | None
    ) -> list[RenderOutput]:
        pictures = _clip_pictures(job)
        work = Path(tempfile.mkdtemp(prefix=f".{job.target_id}.", dir=out_dir))
        try:
            picture = work / "picture.rgb"
            video = self._video_filter(job, pictures, picture)
            target = out_dir / f"{job.target_id}.mp4"
            tmp = aside(target)
            size = pictures.canvas.size if pictures.canvas is not None else (job.width, job.height)
            args = self._encode_args(job, picture, size, video, tmp)
            # The clean keyframes are drawn and encoded while ffmpeg renders (Pillow leaves
            # the GIL while it resamples and compresses): a worker's render is no longer
            # ffmpeg, then Pillow.
            keyframes = _Background(functools.partial(_keyframe_pngs, job, pictures))
            try:
                run_ffmpeg(args, what=f"rendering {job.target_id}")
                fsync_file(tmp)
            except BaseException:
                keyframes.join()  # ffmpeg's error is the one reported
                raise
            first, last = keyframes.result()
            _write_png(first, out_dir / f"{job.target_id}_start.png")
            _write_png(last, out_dir / f"{job.target_id}_end.png")
            os.replace(tmp, target)
        finally:
            for child in work.iterdir():
                child.unlink()
            work.rmdir()
        if on_progress is not None:
            on_progress(1.0, f"{job.target_id} rendered")
        return _outputs(job, out_dir)

    def _video_filter(self, job: RenderJob, pictures: _ClipPictures, picture: Path) -> str:
        """Save the picture ffmpeg reads (the canvas for a move, else the first frame) and
        return the filtergraph: the picture moved or held, then the burn-in."""
        W, H, N = job.width, job.height, job.frame_count
        rate = job.native_fps
        move, canvas = pictures.move, pictures.canvas
        fixed, running = self._burn_in(job, N, rate, (W, H), pictures.labels_reach)
        if canvas is not None:
            _save_raw(canvas, picture)
            video = self._moving_filter(move, canvas, pictures.inner, N, rate, W, H)
            video += f",{fixed},{running}"
        else:  # the fixed labels drawn once, on the one picture the loop repeats
            assert pictures.still is not None
            _save_raw(pictures.still, picture)
            video = (
                f"[0:v]format=yuv420p,{fixed},loop=loop={N - 1}:size=1,"
                f"setpts=N/({_q(rate)}*TB),{running}"
            )
        return video + ",format=yuv420p[v]"

    def _encode_args(
        self, job: RenderJob, picture: Path, size: tuple[int, int], video: str, tmp: Path
    ) -> list[str]:
        """The ffmpeg arguments that encode the clip (and its silent audio) into ``tmp``.
        The picture is raw RGB (no PNG to encode and decode again); one x264 thread and one
        filter thread: the producer renders shots side by side, one ffmpeg per core."""
        N, rate = job.frame_count, job.native_fps
        seconds = Fraction(N) / rate
        return [
            "-filter_threads",
            "1",
            "-f",
            "rawvideo",
            "-pixel_format",
            "rgb24",
            "-video_size",
            f"{size[0]}x{size[1]}",
            "-framerate",
            "25",
            "-i",
            str(picture),
            "-i",
            silent_audio(float(seconds)),
            "-filter_complex",
            video,
            "-map",
            "[v]",
            "-map",
            "1:a",
            "-frames:v",
            str(N),
            "-r",
            _q(rate),
            "-c:v",
            "libx264",
            "-preset",
            self.preset,
            "-qp",
            str(self.qp),
            "-threads",
            str(self.threads),
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "copy",
            "-video_track_timescale",
            str(timescale(rate)),
            "-fflags",
            "+bitexact",
            "-flags:v",
            "+bitexact",
            *metadata_args(provenance_tags(job.provenance)),
            "-f",
            "mp4",
            str(tmp),
        ]

    def _moving_filter(
        self,
        move: Move,
        canvas: Image.Image,
        inner: tuple[int, int],
        frames: int,
        rate: Fraction,
        width: int,
        height: int,
    ) -> str:
        iw_img, ih_img = inner
        span = max(frames - 1, 1)
        if move.zoom_end == 1.0 and not move.shake:
            return _sliding_filter(move, canvas, inner, frames, rate, width, height)
        u = f"(on/{span})"
        e = f"({u}*{u}*(3-2*{u}))"
        t = f"(on*{rate.denominator}/{rate.numerator})"
        z0 = canvas.width / iw_img
        zoom = f"({z0:.6f}*(1+({move.zoom_end - 1:.6f})*{e}))"
        dx = f"({move.dx_end:.6f}*{e}+{move.shake:.6f}*sin(2*PI*1.3*{t}))"
        dy = f"({move.dy_end:.6f}*{e}+{move.shake * 0.8:.6f}*sin(2*PI*1.7*{t}))"
        x = f"iw/2+{dx}*{iw_img}-iw/zoom/2"
        y = f"ih/2+{dy}*{ih_img}-ih/zoom/2"
        return (
            f"[0:v]format=yuv420p,zoompan=z='{zoom}':x='{x}':y='{y}':d={frames}:s={width}x{height}"
            f":fps={_q(rate)},setpts=N/({_q(rate)}*TB)"
        )

    def _burn_in(
        self,
        job: RenderJob,
        frames: int,
        rate: Fraction,
        frame_size: tuple[int, int],
        clear: int = 0,
    ) -> tuple[str, str]:
        """The four corner labels as two filter chains: the fixed ones (shot id and version,
        ``ANIMATIC``) and the running ones (timecode, frame counter). ``clear`` pixels at the
        top and bottom are left to the storyboard panel's own labels (the burn-in goes just
        inside them).

        The text is sized by the frame's short side (a vertical frame's labels are the size
        a landscape frame of the same width gives: sized by its height, they were 77 px at
        1080x1920, the shot label 41% of the width, and slower to draw), and smaller where
        a row's two labels would not fit side by side (:func:`_label_size`)."""
        width = frame_size[0]
        short = min(frame_size)
        margin = max(6, round(short * 0.02)) + clear
        label = f"{job.target_id}  v{job.version}"
        timecode = str(job.extras.get("timecode", "00:00:00:00"))
        rows = [(label, "ANIMATIC"), (timecode, f"{frames}/{frames}")]
        size = _label_size(max(12, round(short * 0.04)), width, margin, rows)
        base = (
            f"drawtext=fontfile='{_esc(font_file())}':fontsize={size}:fontcolor=white"
            f":box=1:boxcolor=black@0.55:boxborderw={_box_border(size)}"
        )
        parts = [
            f"{base}:x={margin}:y={margin}:text='{_esc(label)}'",
            f"{base}:x=w-tw-{margin}:y={margin}:text='ANIMATIC'",
            f"{base}:x={margin}:y=h-th-{margin}:timecode='{_esc(timecode)}'"
            f":timecode_rate={_q(rate)}",
            f"{base}:x=w-tw-{margin}:y=h-th-{margin}:text='%{{eif\\:n+1\\:d}}/{frames}'",
        ]
        return ",".join(parts[:2]), ",".join(parts[2:])


def _box_border(size: int) -> int:
    """The border of a label's box around its text, in pixels."""
    return max(2, size // 5)


def _label_size(size: int, width: int, margin: int, rows: Sequence[tuple[str, str]]) -> int:
    """``size``, or the largest smaller font size at which each row's two labels (one
    ``margin`` from the left edge, one from the right) fit in ``width`` with their boxes and
    at least a ``margin`` between the boxes. The widths are measured with the font drawtext
    draws with (running digits as the widest digit: a timecode's and a counter's width
    changes with them)."""

    def fits(size: int) -> bool:
        border = _box_border(size)
        return all(
            _text_width(left, size) + _text_width(right, size) + 4 * border + 3 * margin <= width
            for left, right in rows
        )

    while size > 1 and not fits(size):
        size -= 1
    return size


@functools.lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_file(), size)


def _text_width(text: str, size: int) -> float:
    font = _font(size)
    widest = max("0123456789", key=font.getlength)
    return float(font.getlength("".join(widest if c.isdigit() else c for c in text)))


def _sliding_filter(
    move: Move,
    canvas: Image.Image,
    inner: tuple[int, int],
    frames: int,
    rate: Fraction,
    width: int,
    height: int,
) -> str:
    """A movement that only slides the view (pan, tilt, truck, pedestal): the canvas scaled
    once so that the image is the frame's size, then a window of the frame's size moved over
    it, frame by frame. The same views as zoompan's, which scales a crop of the canvas again
    for every frame: cheaper (about 0.8 ms less a frame at 1080x1920), and closer to the
    exact views, since the window moves in steps of two output pixels where zoompan's crop
    moves in whole canvas pixels (1.7 output pixels for a panel) and is rescaled each time."""
    iw_img, ih_img = inner
    span = max(frames - 1, 1)
    # The scaled canvas: the image at the frame's size, the margins in proportion, and
    # centred on an even pixel, so the first frame (the image itself) is not shifted.
    sw = _centred(width, canvas.width * width / iw_img)
    sh = _centred(height, canvas.height * height / ih_img)
    u = f"(n/{span})"
    e = f"({u}*{u}*(3-2*{u}))"
    # yuv420p windows start on even pixels: the nearest even one to the exact position.
    x = f"2*floor(({(sw - width) // 2}+{move.dx_end * width:.6f}*{e}+1)/2)"
    y = f"2*floor(({(sh - height) // 2}+{move.dy_end * height:.6f}*{e}+1)/2)"
    return (
        f"[0:v]format=yuv420p,scale={sw}:{sh}:flags=bicubic,loop=loop={frames - 1}:size=1,"
        f"setpts=N/({_q(rate)}*TB),crop={width}:{height}:x='{x}':y='{y}'"
    )


def _centred(size: int, scaled: float) -> int:
    """The even length nearest ``scaled`` whose margin around ``size`` is even on each side."""
    return size + max(0, 4 * round((scaled - size) / 4))


class _Background:
    """A function run on a thread of its own; :meth:`result` waits for it and returns what it
    returned (or raises what it raised)."""

    def __init__(self, fn: Callable[[], tuple[bytes, bytes]]) -> None:
        self._fn = fn
        self._value: tuple[bytes, bytes] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as exc:  # handed to whoever waits for the result
            self._error = exc

    def join(self) -> None:
        self._thread.join()

    def result(self) -> tuple[bytes, bytes]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


def _cores() -> int:
    """The cores this process may run on (its affinity, where the system tells)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _q(rate: Fraction) -> str:
    return f"{rate.numerator}/{rate.denominator}"


def timescale(rate: Fraction) -> int:
    """The MP4 video time base for a rate: a multiple of its numerator, at least 10000."""
    return rate.numerator * max(1, math.ceil(10000 / rate.numerator))


def _outputs(job: RenderJob, out_dir: Path) -> list[RenderOutput]:
    """What :meth:`AnimaticBackend.wait` writes for ``job`` into ``out_dir``."""
    if job.kind == "image":
        return [RenderOutput(out_dir / f"{job.target_id}.png", "image")]
    return [
        RenderOutput(
            out_dir / f"{job.target_id}.mp4", "video", frames=job.frame_count, fps=job.native_fps
        ),
        RenderOutput(out_dir / f"{job.target_id}_start.png", "image"),
        RenderOutput(out_dir / f"{job.target_id}_end.png", "image"),
    ]


def _save_raw(image: Image.Image, target: Path) -> None:
    """The picture ffmpeg reads, as raw RGB bytes (rawvideo rgb24)."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")  # no copy of an RGB one
    target.write_bytes(rgb.tobytes())


def _save_png(image: Image.Image, target: Path, provenance: dict[str, str]) -> None:
    _write_png(_png_bytes(image, provenance), target)


def _png_bytes(image: Image.Image, provenance: dict[str, str]) -> bytes:
    """The PNG of a keyframe with its provenance text chunks."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=png_provenance(provenance), compress_level=1)
    return buffer.getvalue()


def _write_png(data: bytes, target: Path) -> None:
    """Write aside, flush, rename into place (a half-written file never has its name)."""
    tmp = aside(target)
    tmp.write_bytes(data)
    fsync_file(tmp)
    os.replace(tmp, target)


def _itxt_chunk(key: str, value: str) -> bytes:
    """An uncompressed iTXt chunk as Pillow writes it (``PngInfo.add_itxt``: no language,
    no translated keyword)."""
    data = key.encode("latin-1") + b"\0\0\0\0\0" + value.encode("utf-8")
    crc = zlib.crc32(b"iTXt" + data)
    return struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", crc)


def _relabelled(png: bytes, frame: str) -> bytes | None:
    """A held shot's last keyframe from its first: the same picture, so the same PNG but
    for the ``storycore:frame`` chunk (byte for byte what Pillow writes; tested). None when
    the chunk is not found exactly once (then the picture is encoded again)."""
    old = _itxt_chunk("storycore:frame", "first")
    if png.count(old) != 1:
        return None
    return png.replace(old, _itxt_chunk("storycore:frame", frame))


ProgressFn = Callable[[float, str], None]
