"""ffmpeg and media reading: the bundled binary, its capabilities, probing by decoding.

ffmpeg comes from the ``imageio-ffmpeg`` package (a static binary in its wheel), never from the
system. It ships no ffprobe: media are read with PyAV (``av``), and frame counts are always
**decoded**, never taken from the container's duration or header (a header can say anything).
The header is used only the other way: a file holding fewer packets than its index lists, or
ending inside one, is cut short (:func:`probe` raises).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from storycore.tools.production.backend import BackendError

__all__ = [
    "MediaInfo",
    "ffmpeg_exe",
    "ffmpeg_features",
    "frame_stats",
    "probe",
    "read_frame",
    "read_tags",
    "run_ffmpeg",
    "sampled_stats",
]

#: The MP4 tag prefix of StoryCore's provenance (written with ``-movflags use_metadata_tags``).
TAG_PREFIX = "storycore_"
#: Filters and encoders the animatic needs from the binary.
REQUIRED_FILTERS = ("zoompan", "drawtext", "anullsrc", "loop", "scale", "crop")
REQUIRED_ENCODERS = ("libx264", "aac")
#: The size frames are measured at (the gate's black and frozen checks).
STATS_THUMB = (96, 54)


@functools.cache
def ffmpeg_exe() -> str:
    """The path of the ffmpeg binary shipped by imageio-ffmpeg (raises BackendError if absent)."""
    try:
        import imageio_ffmpeg
    except ImportError:  # pragma: no cover - a declared dependency
        raise BackendError(
            "imageio-ffmpeg is not installed; reinstall storycore-assistant (pip install -e .)"
        ) from None
    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as exc:  # pragma: no cover - a broken wheel
        raise BackendError(f"the bundled ffmpeg binary is missing: {exc}") from None


@functools.cache
def ffmpeg_features() -> dict[str, set[str]]:
    """The filters and encoders the bundled binary has (cached per process)."""
    exe = ffmpeg_exe()
    out: dict[str, set[str]] = {}
    for what in ("filters", "encoders"):
        proc = subprocess.run(
            [exe, "-hide_banner", f"-{what}"], capture_output=True, text=True, check=False
        )
        names = set()
        for line in proc.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 2 and not line.startswith(" ="):
                names.add(parts[1])
        out[what] = names
    return out


def check_ffmpeg() -> None:
    """Raise BackendError naming what the bundled ffmpeg lacks for the animatic."""
    features = ffmpeg_features()
    missing = [f for f in REQUIRED_FILTERS if f not in features["filters"]]
    missing += [e for e in REQUIRED_ENCODERS if e not in features["encoders"]]
    if missing:
        raise BackendError(
            f"the bundled ffmpeg ({ffmpeg_exe()}) lacks {', '.join(missing)}; "
            "install an imageio-ffmpeg wheel built with them"
        )


def run_ffmpeg(args: Sequence[str], *, what: str) -> None:
    """Run ffmpeg quietly; raise BackendError with its last error line."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        detail = lines[-1] if lines else f"exit code {proc.returncode}"
        if "No space left" in proc.stderr:
            detail = "the disk is full"
        raise BackendError(f"ffmpeg failed while {what}: {detail}")


@dataclass(frozen=True)
class MediaInfo:
    """What decoding a video file found."""

    path: Path
    frames: int  # decoded video frames
    width: int
    height: int
    fps: Fraction | None
    audio_streams: int
    audio_channels: int
    tags: dict[str, str] = field(default_factory=dict)
    codec: str = ""
    pix_fmt: str = ""

    @property
    def provenance(self) -> dict[str, str]:
        """The StoryCore tags without their prefix."""
        return {k[len(TAG_PREFIX) :]: v for k, v in self.tags.items() if k.startswith(TAG_PREFIX)}


@dataclass(frozen=True)
class FrameStats:
    """Luma statistics of a clip's frames (on a STATS_THUMB grey thumbnail).

    With ``every`` 1 (:func:`frame_stats`) every frame is measured: ``mean_luma`` and
    ``max_luma`` per frame, ``diffs[i]`` between frames i and i + 1. With ``every`` k > 1
    (:func:`sampled_stats`) only the pairs of frames (j, j + 1) for j a multiple of k are:
    ``mean_luma`` and ``max_luma`` per measured frame in decoding order, ``diffs[n]`` between
    frames n * k and n * k + 1. Every frame is decoded either way."""

    frames: int
    mean_luma: list[float]  # 0..255 per measured frame
    max_luma: list[int]
    diffs: list[float]  # mean absolute difference of a frame to the next, 0..255
    every: int = 1
    #: Per pair, as ``diffs``: the largest mean absolute difference over one cell of the
    #: frame (the cells the thumbnail averages), 0..255, differences taken before
    #: averaging. Measured only for pairs whose ``diffs`` is below :data:`SPOT_BELOW`
    #: (None for the others: they move already).
    spots: list[float | None] = field(default_factory=list)


#: The sampled statistics measure the frame pairs (j, j + 1) for j a multiple of this: any run
#: of ``STATS_EVERY`` or more consecutive frame differences holds one (the gate's frozen check
#: looks for runs of 47 at 24 fps; it measures every frame when a sample leaves a doubt).
STATS_EVERY = 12
#: Pairs whose thumbnails differ by less than this on average (0..255, the gate's
#: ``FROZEN_DIFF``) are also measured cell by cell (``FrameStats.spots``): the thumbnail
#: averages a small change away (a burned-in frame counter's new digit moves 0.002 to 0.008
#: of a 96x54 thumbnail at 1080x1920, the strokes it adds and removes cancelling out in
#: each cell), the differences averaged per cell do not (23 or more in its cells).
SPOT_BELOW = 0.008


def _open(path: Path) -> Any:
    import av

    try:
        return av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        why = _unreadable_mp4(path) or getattr(exc, "strerror", None) or str(exc)
        raise BackendError(f"{path.name} cannot be read as a video: {why}") from None


#: The top-level boxes (atoms) of an MP4 or QuickTime file that begins with them.
_MP4_FIRST_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"}


def _unreadable_mp4(path: Path) -> str | None:
    """What is wrong with an MP4's index, from its top-level box headers alone (16 bytes
    each, nothing else is read): none (no ``moov`` box: ffmpeg writes it last, so a render
    stopped early has none) or cut short. None when the index is whole, or when the file
    does not start like an MP4 (then the decoder's own message is the clearest); a file
    cut short after its index is found by its packets (:func:`_analyse`)."""
    boxes: list[bytes] = []
    cut: bytes | None = None  # the box the file ends inside
    try:
        size = path.stat().st_size
        if size == 0:
            return "the file is empty"
        with path.open("rb") as f:
            offset = 0
            while offset < size:
                f.seek(offset)
                header = f.read(16)
                length, kind = int.from_bytes(header[:4], "big"), header[4:8]
                if not boxes and kind not in _MP4_FIRST_BOXES:
                    return None
                if length == 1 and len(header) == 16:  # a 64-bit size follows the type
                    length = int.from_bytes(header[8:16], "big")
                elif length == 0:  # the box runs to the end of the file
                    length = size - offset
                if len(header) < 8 or offset + length > size:
                    cut = kind
                    break
                if length < 8:
                    return "its MP4 structure is damaged"
                boxes.append(kind)
                offset += length
    except OSError:
        return None
    if cut == b"moov":
        return "it is cut short inside its index (its 'moov' box)"
    if b"moov" not in boxes:
        return "it has no index (no 'moov' box: the render that wrote it did not finish)" + (
            " and is cut short" if cut is not None else ""
        )
    return None  # the index is whole: the packets say where the data is cut


def probe(path: Path | str) -> MediaInfo:
    """Decode every video frame of ``path`` and report what is in it (BackendError if it
    does not decode). One decode also measures sampled frames (:func:`sampled_stats`); both
    are cached per file state (path, size, modification time)."""
    path = Path(path)
    if not path.is_file():
        raise BackendError(f"{path} does not exist")
    return _analysed(path)[0]


def _identity(path: Path) -> tuple[int, int, int, int]:
    # A rename keeps the inode and the modification time: a clip moved from the staging
    # folder into 03_videos/ is not decoded again.
    stat = path.stat()
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


_CACHE: dict[tuple[int, int, int, int], tuple[MediaInfo, FrameStats]] = {}
_FULL: dict[tuple[int, int, int, int], FrameStats] = {}


def _analysed(path: Path) -> tuple[MediaInfo, FrameStats]:
    key = _identity(path)
    found = _CACHE.get(key)  # one lookup: renders decode side by side (threads)
    if found is None:
        if len(_CACHE) > 512:
            _CACHE.clear()
        found = _CACHE[key] = _analyse(path, STATS_EVERY)
    info, stats = found
    if info.path != path:
        from dataclasses import replace

        info = replace(info, path=path)
    return info, stats


def _analyse(path: Path, every: int) -> tuple[MediaInfo, FrameStats]:
    """Decode every frame; measure the frame pairs (j, j + 1) for j a multiple of ``every``
    (every frame when it is 1)."""
    import av
    from PIL import ImageChops, ImageStat

    means: list[float] = []
    maxes: list[int] = []
    diffs: list[float] = []
    spots: list[float | None] = []
    previous = None  # (thumbnail, frame) of the frame a difference is taken from
    w, h = STATS_THUMB
    # The demuxer reads what it can of an index cut short (a video stream may be missing,
    # or list fewer frames): the index is checked first, from its box headers.
    broken = _unreadable_mp4(path)
    if broken is not None:
        raise BackendError(f"{path.name} cannot be read as a video: {broken}")
    with _open(path) as container:
        if not container.streams.video:
            raise BackendError(f"{path.name} has no video stream")
        stream = container.streams.video[0]
        # One decoding thread: frame threads cost more CPU in all than they save, and the
        # producer already decodes one clip while the next renders.
        frames = 0
        # Every stream's packets are read (the audio's are small): a file cut short ends
        # inside a packet (flagged corrupt) or before the last packets its index lists.
        packets = dict.fromkeys(range(len(container.streams)), 0)
        try:
            for packet in container.demux():
                if packet.size:
                    packets[packet.stream.index] += 1
                    if packet.is_corrupt:
                        number, listed = packets[packet.stream.index], packet.stream.frames
                        raise BackendError(
                            f"{path.name} is cut short: it ends inside "
                            f"{_packet_name(packet.stream, number)} of {listed}"
                        )
                if packet.stream is not stream:
                    continue
                for frame in packet.decode():  # the last, empty packet flushes the decoder
                    phase = frames % every  # 0 for every frame when every is 1
                    frames += 1
                    if phase > 1:
                        continue
                    image = _luma_thumbnail(frame, (w, h))
                    stat = ImageStat.Stat(image)
                    means.append(float(stat.mean[0]))
                    maxes.append(int(stat.extrema[0][1]))
                    if previous is not None:
                        diff = ImageStat.Stat(ImageChops.difference(image, previous[0])).mean[0]
                        diffs.append(float(diff))
                        below = diff < SPOT_BELOW
                        spots.append(_spot(frame, previous[1], (w, h)) if below else None)
                    previous = (image, frame) if every == 1 or phase == 0 else None
        except av.error.FFmpegError as exc:
            why = getattr(exc, "strerror", None) or str(exc)
            raise BackendError(f"{path.name} does not decode: {why}") from None
        for index, read in packets.items():
            listed = container.streams[index].frames  # 0: the container does not say
            if read < listed:
                raise BackendError(
                    f"{path.name} is cut short: it holds {read} of the {listed} "
                    f"{_packet_name(container.streams[index])}s its index lists"
                )
        audio = container.streams.audio
        rate = stream.average_rate or stream.base_rate
        info = MediaInfo(
            path=path,
            frames=frames,
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            fps=Fraction(rate) if rate else None,
            audio_streams=len(audio),
            audio_channels=audio[0].codec_context.channels if audio else 0,
            tags={str(k): str(v) for k, v in container.metadata.items()},
            codec=stream.codec_context.name,
            pix_fmt=str(stream.codec_context.format.name if stream.codec_context.format else ""),
        )
    return info, FrameStats(frames, means, maxes, diffs, every, spots)


def _packet_name(stream: Any, number: int | None = None) -> str:
    """``video frame 37``, ``audio packet 140`` (``number`` None: ``video frame``)."""
    name = "video frame" if stream.type == "video" else f"{stream.type} packet"
    return name if number is None else f"{name} {number}"


def read_tags(path: Path | str) -> dict[str, str]:
    """The container's metadata tags (MP4) without decoding any frame."""
    with _open(Path(path)) as container:
        return {str(k): str(v) for k, v in container.metadata.items()}


def read_frame(path: Path | str, index: int) -> Any:
    """One decoded frame as a Pillow RGB image; a negative index counts from the end."""
    path = Path(path)
    with _open(path) as container:
        stream = container.streams.video[0]
        if index >= 0:
            for i, frame in enumerate(container.decode(stream)):
                if i == index:
                    return frame.to_image()
            raise BackendError(f"{path.name} has no frame {index}")
        keep: list[Any] = []
        for frame in container.decode(stream):
            keep.append(frame)
            if len(keep) > -index:
                keep.pop(0)
        if len(keep) < -index:
            raise BackendError(f"{path.name} has fewer than {-index} frames")
        return keep[0].to_image()


def frame_stats(path: Path | str) -> FrameStats:
    """Luma statistics of every frame (``every`` 1), from a decode of its own (cached per
    file state like :func:`probe`); the gate asks for it only when the samples leave a
    doubt."""
    path = Path(path)
    probe(path)  # a file that does not decode raises here, as before
    key = _identity(path)
    found = _FULL.get(key)
    if found is None:
        if len(_FULL) > 64:
            _FULL.clear()
        found = _FULL[key] = _analyse(path, 1)[1]
    return found


def sampled_stats(path: Path | str) -> FrameStats:
    """Luma statistics of the frame pairs (j, j + 1) for j a multiple of :data:`STATS_EVERY`
    (``every`` set to it), from the same decode as :func:`probe`, at every frame size: the
    cells (``spots``) see the change of a burned-in counter that the thumbnail's average
    loses, so a held animatic shot's samples move at 1280x720 as at 1080x1920."""
    path = Path(path)
    probe(path)
    return _analysed(path)[1]


_LUMA_FORMATS = ("yuv420p", "yuvj420p", "gray", "yuv444p", "yuv422p")


def _luma_plane(frame: Any) -> Any:
    """The frame's grey picture at full size as a Pillow image. For the formats of
    :data:`_LUMA_FORMATS`, the Y plane's own memory (no copy, no colour conversion: the Y
    plane of a yuv420p frame is already the grey picture; its rows may be padded past
    ``frame.width``); other formats are converted."""
    from PIL import Image

    if frame.format.name not in _LUMA_FORMATS:
        return frame.reformat(format="gray").to_image()
    plane = frame.planes[0]
    return Image.frombuffer("L", (plane.line_size, frame.height), plane, "raw", "L", 0, 1)


def _cell(frame: Any, size: tuple[int, int]) -> int:
    """The side of the square cells a frame is averaged over for a ``size`` thumbnail."""
    return max(1, min(frame.width // size[0], frame.height // size[1]))


def _luma_thumbnail(frame: Any, size: tuple[int, int]) -> Any:
    """The frame's luma plane, sampled down to ``size``."""
    from PIL import Image

    if frame.format.name not in _LUMA_FORMATS:
        return frame.reformat(width=size[0], height=size[1], format="gray").to_image()
    box = (0, 0, frame.width, frame.height)
    factor = _cell(frame, size)
    # A box average in C (every pixel counts, a burned-in counter too) of the picture only:
    # the plane is not copied first.
    image = _luma_plane(frame)
    image = image.reduce(factor, box=box) if factor > 1 else image.crop(box)
    return image.resize(size, Image.Resampling.BILINEAR)


def _spot(frame: Any, previous: Any, size: tuple[int, int]) -> float:
    """The largest mean absolute difference of two frames' luma over one cell (the cells of
    a ``size`` thumbnail, :func:`_cell`), 0..255. The differences are taken pixel by pixel,
    then averaged: averaging first cancels a small change out (the strokes a digit that
    changes adds and removes in the same cell). Identical frames give 0."""
    from PIL import ImageChops

    box = (0, 0, frame.width, frame.height)
    factor = _cell(frame, size)
    diff = ImageChops.difference(_luma_plane(frame), _luma_plane(previous))
    cells = diff.reduce(factor, box=box) if factor > 1 else diff.crop(box)
    _low, high = cells.getextrema()  # one band ("L"): two numbers
    assert isinstance(high, (int, float)), high
    return float(high)


def count_packets(path: Path | str) -> int:
    """The video frames of a file by demuxing (no decoding): each H.264 packet is one frame.
    For joins made with ``-c copy`` of clips that were decoded and checked one by one."""
    with _open(Path(path)) as container:
        stream = container.streams.video[0]
        return sum(1 for packet in container.demux(stream) if packet.size)


def metadata_args(tags: dict[str, str]) -> list[str]:
    """ffmpeg arguments that write ``tags`` into an MP4 (custom keys kept)."""
    args: list[str] = ["-map_metadata", "-1", "-movflags", "+use_metadata_tags+faststart"]
    for key, value in tags.items():
        args += ["-metadata", f"{key}={value}"]
    return args


def provenance_tags(provenance: dict[str, str]) -> dict[str, str]:
    """MP4 tags for a provenance dict: each key prefixed, plus a JSON ``comment``."""
    tags = {f"{TAG_PREFIX}{k}": str(v) for k, v in provenance.items()}
    tags["comment"] = json.dumps(provenance, sort_keys=True, ensure_ascii=False)
    if "shot_id" in provenance:
        tags["title"] = f"{provenance['shot_id']} v{provenance.get('version', '1')}"
    return tags


def aside(path: Path) -> Path:
    """A temporary name beside ``path`` (same folder, so the final rename is atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    return Path(tmp)


def fsync_file(path: Path) -> None:
    """Flush a finished file to the disk before it is renamed into place."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
