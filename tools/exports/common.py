"""What every export shares: the formats, file names, media paths and reel names, and the CSV
writing both spreadsheets (the shot list and the breakdown) use."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal, get_args

from storycore.tools.naming import slugify
from storycore.tools.production.records import MediaRecord
from storycore.tools.project import Project
from storycore.tools.structure import VIDEOS

ExportFormat = Literal["otio", "edl", "fcpxml", "csv", "md", "html", "json", "breakdown"]
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)


def media_path(shot_id: str, media: Mapping[str, MediaRecord] | None = None) -> str:
    """The shot's rendered clip, relative to the project: its current media when it was
    produced (``03_videos/shot_01_v2.mp4``), else where it will be (the seed's naming)."""
    if media and shot_id in media:
        return media[shot_id].path
    return f"{VIDEOS}/{shot_id}_video.mp4"


def title_slug(title: str) -> str:
    """The file name stem of the exports: ``the_red_umbrella``."""
    return slugify(title, fallback="storycore", max_length=60).lower()


def _file_url(path: Path) -> str:
    # FCP7 XML writes file URLs with an explicit localhost, as Premiere does.
    return path.resolve().as_uri().replace("file://", "file://localhost", 1)


def _media_url(
    project: Project,
    shot_id: str,
    base_dir: Path | None,
    absolute: bool,
    media: Mapping[str, MediaRecord] | None = None,
) -> str:
    target = project.root / media_path(shot_id, media)
    if absolute:
        return _file_url(target)
    if base_dir is None:
        return media_path(shot_id, media)
    try:
        return Path(_relpath(target, base_dir)).as_posix()
    except ValueError:  # another drive: no relative path exists
        return _file_url(target)


def _relpath(target: Path, base: Path) -> str:
    return os.path.relpath(target, base.resolve())


def reel_name(shot_id: str) -> str:
    """The CMX3600 reel of a shot: ``SHOT01``, ``SHOT04A`` (at most 8 of A-Z0-9)."""
    rest = re.sub(r"[^A-Z0-9]", "", shot_id.upper().removeprefix("SHOT_"))
    reel = f"SHOT{rest}"
    return reel if len(reel) <= 8 else f"SH{rest}"[:8]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _csv_text(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(" ".join(str(row.get(key, "")).split())) for key in columns})
    return buffer.getvalue().encode("utf-8-sig")
