"""Storyboard panels drawn locally with Pillow, hashed by their inputs (unchanged: not redrawn)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
from collections import OrderedDict, deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar, Protocol

from PIL import Image, ImageDraw, PngImagePlugin

from storycore.tools.domain import (
    ASPECT_RATIOS,
    ShotSpec,
    TechnicalSpecs,
)
from storycore.tools.project import Transaction
from storycore.tools.storyboard.card import shot_card_words
from storycore.tools.storyboard.drawing import (
    _LABEL_BG,
    _LABEL_FG,
    _SUPERSAMPLE,
    _downsample,
    _draw_background,
    _draw_labels,
    _font,
    _label_boxes,
    card_label,
)
from storycore.tools.storyboard.plan import Plan
from storycore.tools.storyboard.subjects import framed_part
from storycore.tools.timecode import format_seconds

#: Width of a storyboard panel in pixels; the height follows the project's aspect ratio.
PANEL_WIDTH = 320
#: Bump when the drawing changes, so cached panels are redrawn.
PANEL_STYLE = 1
#: The PNG text chunk that holds the hash of a panel's inputs.
PANEL_HASH_KEY = "storycore-panel"


# --------------------------------------------------------------------------------------
# Panels
# --------------------------------------------------------------------------------------


def panel_size(aspect_ratio: str) -> tuple[int, int]:
    """Pixel size of a panel: :data:`PANEL_WIDTH` wide, the height from the aspect ratio."""
    ratio = ASPECT_RATIOS.get(aspect_ratio, Fraction(16, 9))
    return PANEL_WIDTH, max(1, round(PANEL_WIDTH / ratio))


def _panel_inputs(shot: ShotSpec, specs: TechnicalSpecs, names: Sequence[str]) -> dict[str, Any]:
    """Everything a panel is drawn from (its cache key)."""
    return {
        "style": PANEL_STYLE,
        "aspect_ratio": specs.aspect_ratio,
        "shot_id": shot.shot_id,
        "shot_size": shot.shot_size.value,
        "framing": shot.framing.value,
        "camera_angle": shot.camera_angle.value,
        "camera_movement": shot.camera_movement.value,
        "lens_mm": shot.lens_mm,
        "characters": list(names),
        "has_location": shot.location is not None,
        "has_props": bool(shot.props),
        "duration": format_seconds(shot.duration_frames, specs.rate),
        # A card's words and what its label calls it, in the project's language (only a
        # card shot has the keys: other panels keep their hash).
        **(
            {"card": card, "card_label": card_label(specs.language)}
            if (card := shot_card_words(shot))
            else {}
        ),
        # What a close-up frames when it is not the face (hands, eyes): only those shots
        # have the key, so every other panel keeps its hash.
        **({"subject": part} if (part := framed_part(shot)) else {}),
    }


def panel_hash(shot: ShotSpec, specs: TechnicalSpecs, names: Sequence[str] = ()) -> str:
    """The hash stored in a panel PNG: it changes exactly when the drawing would."""
    blob = json.dumps(_panel_inputs(shot, specs, names), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def draw_panel(
    shot: ShotSpec, specs: TechnicalSpecs, names: Sequence[str] | None = None
) -> Image.Image:
    """A storyboard panel for ``shot``: the frame at the project's aspect ratio with a framing
    guide whose scale follows the shot size (EWS..ECU), two-shot/group/OTS/POV/insert cues, the
    camera angle (horizon, dutch tilt), a movement arrow, and the shot id, size and duration.

    ``names`` labels the figures (defaults to the character ids). Shots that differ only by
    their labels (id, lens, duration) share a background (:class:`_Backgrounds`): it is
    drawn and downsampled once, then only the two label boxes are drawn and downsampled,
    which gives the same pixels as drawing the whole panel (:func:`_draw_whole_panel`).
    """
    labels = list(names) if names is not None else list(shot.characters)
    key = _background_key(shot, specs, labels)
    background = _backgrounds.get(key)
    if background is None:
        background = _Background.draw(shot, specs, labels)
        _backgrounds.put(key, background)
    panel = background.with_labels(shot, specs)
    return panel if panel is not None else _draw_whole_panel(shot, specs, labels)


def _draw_whole_panel(shot: ShotSpec, specs: TechnicalSpecs, labels: list[str]) -> Image.Image:
    """The reference drawing of a panel: background and labels at 2x, then downsampled."""
    width, height = panel_size(specs.aspect_ratio)
    card = shot_card_words(shot)
    image = _draw_background(shot, labels, width * _SUPERSAMPLE, height * _SUPERSAMPLE, card)
    _draw_labels(ImageDraw.Draw(image), shot, specs, image.width, image.height)
    return _downsample(image, (width, height))


def _background_key(shot: ShotSpec, specs: TechnicalSpecs, labels: list[str]) -> tuple[Any, ...]:
    """Everything :func:`_draw_background` reads: panels with the same key share it."""
    return (
        panel_size(specs.aspect_ratio),
        shot.shot_size.value,
        shot.framing.value,
        shot.camera_angle.value,
        shot.camera_movement.value,
        bool(shot.characters),
        bool(shot.props),
        tuple(labels),
        shot_card_words(shot),
        framed_part(shot),
    )


@dataclass(frozen=True)
class _Background:
    """A panel background at 2x (to draw the labels on) and downsampled (the rest).

    ``labels`` keeps each label drawn on it, downsampled, by its box, text and anchor: the
    same label on the same background gives the same pixels, and many panels that share a
    background share their duration label ("2.5s"). Shared by the drawing threads: two
    threads that draw the same label at once draw the same pixels."""

    large: Image.Image
    small: Image.Image
    labels: dict[tuple[Any, ...], Image.Image] = field(default_factory=dict, compare=False)

    #: Duration labels kept per background (each a few kB).
    LABELS_KEPT: ClassVar[int] = 64

    @classmethod
    def draw(cls, shot: ShotSpec, specs: TechnicalSpecs, labels: list[str]) -> _Background:
        width, height = panel_size(specs.aspect_ratio)
        size = (width * _SUPERSAMPLE, height * _SUPERSAMPLE)
        large = _draw_background(shot, labels, *size, shot_card_words(shot))
        return cls(large, _downsample(large, (width, height)))

    def with_labels(self, shot: ShotSpec, specs: TechnicalSpecs) -> Image.Image | None:
        """The panel: the two label boxes drawn on 2x crops of the background (aligned on
        2x2 blocks, so each downsampled pixel sees the same four pixels as in the whole
        panel) pasted on the downsampled background. None if the boxes overlap."""
        w, h = self.large.size
        boxes = _label_boxes(shot, specs, w, h)
        regions = [_block_region(box[0], w, h) for box in boxes]
        (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = regions
        if ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1:
            return None
        panel = self.small.copy()
        (head, head_region), (tail, tail_region) = zip(boxes, regions, strict=True)
        # The head names the shot (never the same twice); the tail is its duration, which
        # many panels on one background share: kept (at most LABELS_KEPT of them).
        drawn = self._label(*head, head_region)
        panel.paste(drawn, (head_region[0] // _SUPERSAMPLE, head_region[1] // _SUPERSAMPLE))
        key = (*tail, tail_region)
        kept = self.labels.get(key)
        if kept is None:
            kept = self._label(*tail, tail_region)
            if len(self.labels) < self.LABELS_KEPT:
                self.labels[key] = kept
        panel.paste(kept, (tail_region[0] // _SUPERSAMPLE, tail_region[1] // _SUPERSAMPLE))
        return panel

    def _label(
        self,
        rect: tuple[int, int, int, int],
        at: tuple[int, int],
        text: str,
        anchor: str | None,
        region: tuple[int, int, int, int],
    ) -> Image.Image:
        """One label drawn on the 2x crop ``region`` of the background, downsampled."""
        x0, y0, x1, y1 = region
        crop = self.large.crop((x0, y0, x1, y1))
        draw = ImageDraw.Draw(crop)
        draw.rectangle((rect[0] - x0, rect[1] - y0, rect[2] - x0, rect[3] - y0), fill=_LABEL_BG)
        font = _font(12 * _SUPERSAMPLE)
        draw.text((at[0] - x0, at[1] - y0), text, font=font, fill=_LABEL_FG, anchor=anchor)
        return _downsample(crop, (crop.width // _SUPERSAMPLE, crop.height // _SUPERSAMPLE))


def _block_region(rect: tuple[int, int, int, int], w: int, h: int) -> tuple[int, int, int, int]:
    """The 2x2 blocks covering ``rect`` (inclusive corners), as a box (end exclusive)."""
    s = _SUPERSAMPLE
    x0, y0 = max(0, rect[0] // s * s), max(0, rect[1] // s * s)
    x1, y1 = min(w, (rect[2] // s + 1) * s), min(h, (rect[3] // s + 1) * s)
    return x0, y0, max(x0, x1), max(y0, y1)


class _Backgrounds:
    """The last few panel backgrounds, shared by the drawing threads.

    :func:`write_panels` draws the panels that share a background one after another, so a
    few entries are enough; each holds two images (about 1.2 MB at 16:9)."""

    SIZE = 8

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Any, ...], _Background] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> _Background | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], background: _Background) -> None:
        with self._lock:
            self._entries[key] = background
            while len(self._entries) > self.SIZE:
                self._entries.popitem(last=False)


_backgrounds = _Backgrounds()


def panel_png(shot: ShotSpec, specs: TechnicalSpecs, names: Sequence[str] = ()) -> bytes:
    """The PNG bytes of a shot's panel, with its input hash in a text chunk."""
    # Looked up through the package, so ``storycore.tools.storyboard.draw_panel`` stays the one
    # name to replace (the tests count redraws by patching it there).
    from storycore.tools import storyboard

    image = storyboard.draw_panel(shot, specs, names)
    info = PngImagePlugin.PngInfo()
    info.add_text(PANEL_HASH_KEY, panel_hash(shot, specs, names))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info, compress_level=3)
    return buffer.getvalue()


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _text_chunk(head: bytes, key: str) -> str | None:
    """The ``tEXt`` chunk ``key`` among the chunks at the start of a PNG (before its image
    data, where Pillow writes them), or None if it is not there."""
    if not head.startswith(_PNG_SIGNATURE):
        return None
    wanted = key.encode("latin-1") + b"\0"
    at = len(_PNG_SIGNATURE)
    while at + 8 <= len(head):
        length = int.from_bytes(head[at : at + 4], "big")
        kind = head[at + 4 : at + 8]
        if kind == b"IDAT" or at + 12 + length > len(head):
            return None
        data = head[at + 8 : at + 8 + length]
        if kind == b"tEXt" and data.startswith(wanted):
            return data[len(wanted) :].decode("latin-1")
        at += 12 + length
    return None


def stored_panel_hash(path: Path) -> str | None:
    """The input hash of an existing panel PNG, or None if there is none or it is unreadable.

    The text chunk is read from the first bytes of the file (a panel is checked on every
    plan and change, so decoding it with Pillow would cost more than the check)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError:
        return None
    found = _text_chunk(head, PANEL_HASH_KEY)
    if found is not None:
        return found
    try:
        with Image.open(path) as image:
            value = image.info.get(PANEL_HASH_KEY)
    except (OSError, ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


#: Below this many panels to draw, the thread pool costs more than it saves.
PARALLEL_MIN_PANELS = 16


def panel_workers() -> int:
    """How many threads draw panels: the cores this process may use (at most 4).

    Pillow releases the GIL while it resamples and PNG-encodes, which is most of a panel's
    cost, so threads use every core without a second process or a pickled plan."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


#: A panel to draw: its path in the project, the hash it must carry, the shot and the
#: names of its figures.
PanelJob = tuple[str, str, ShotSpec, list[str]]


class PanelSource(Protocol):
    """Panels drawn elsewhere beforehand (:mod:`.ahead`): the PNG of a job, or None."""

    def take(self, rel: str, wanted: str) -> bytes | None: ...

    @property
    def steal_min_left(self) -> int:
        """:func:`write_panels` draws the last panels itself while the next one is not
        ready, as long as at least this many are left."""
        ...

    def ready(self, rel: str) -> bool:
        """Whether :meth:`take` of ``rel`` would answer without waiting."""
        ...

    def forget(self, rel: str) -> bool:
        """``rel`` is to be drawn by the caller, who will not take it: True, or False when
        the source is drawing it already (the caller then takes it as any other)."""
        ...

    def close(self) -> None:
        """Nothing more will be taken: stop drawing."""
        ...


#: :func:`write_panels` draws the last panels itself while the worker processes' next one
#: is not ready, as long as at least this many are left (below, waiting costs little).
STEAL_MIN_LEFT = 64


#: The panels drawn ahead for the storyboard being written, if any (see :mod:`.ahead`).
drawn_ahead: ContextVar[PanelSource | None] = ContextVar("storycore_panels_ahead", default=None)


def panels_to_draw(root: Path, plan: Plan) -> tuple[list[str], list[PanelJob]]:
    """Every shot's panel path, and the panels whose stored hash is not the wanted one, in
    drawing order: those that share a background one after another (see draw_panel), so
    each background is drawn once."""
    written = []
    todo: list[PanelJob] = []
    for planned in plan.shots:
        names = [plan.element_name(i) for i in planned.spec.characters]
        wanted = panel_hash(planned.spec, plan.specs, names)
        rel = planned.panel_path
        # Read straight under the root (only the hash is compared; writes stay confined).
        if stored_panel_hash(root / rel) != wanted:
            todo.append((rel, wanted, planned.spec, names))
        written.append(rel)
    todo.sort(key=lambda job: _background_key(job[2], plan.specs, job[3]))
    return written, todo


def _take_drawn(
    tx: Transaction, plan: Plan, todo: list[PanelJob], source: PanelSource
) -> list[PanelJob]:
    """Write the panels of ``todo`` that ``source`` drew (the ones it did not: returned).
    While its next panel is not ready and ``source.steal_min_left`` are left, this thread
    draws the last one itself rather than wait (the source and this thread meet halfway)."""
    jobs = deque(todo)
    rest: list[PanelJob] = []
    while jobs:
        if (
            len(jobs) >= source.steal_min_left
            and not source.ready(jobs[0][0])
            and source.forget(jobs[-1][0])
        ):
            rel, _, spec, names = jobs.pop()
            tx.write_bytes(rel, panel_png(spec, plan.specs, names))
            continue
        job = jobs.popleft()
        data = source.take(job[0], job[1])
        if data is None:
            rest.append(job)
        else:
            tx.write_bytes(job[0], data)
    source.close()  # not drawing what this thread drew (the cores go to the rest)
    return rest


def write_panels(tx: Transaction, plan: Plan) -> list[str]:
    """Draw every shot's panel into its folder, skipping panels whose inputs did not change.

    Panels are drawn on :func:`panel_workers` threads (or taken from :data:`drawn_ahead`
    when their hash is the wanted one) and written by this thread through the transaction,
    each file once, those that share a background together (only the order of the writes
    changes, not what is written)."""
    written, todo = panels_to_draw(tx.project.root, plan)
    source = drawn_ahead.get()
    if source is not None:
        todo = _take_drawn(tx, plan, todo, source)
    workers = panel_workers()
    if workers == 1 or len(todo) < PARALLEL_MIN_PANELS:
        for rel, _, spec, names in todo:
            tx.write_bytes(rel, panel_png(spec, plan.specs, names))
        return written
    ahead = 4 * workers  # PNGs drawn ahead of the writer: bounded, so memory stays flat
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="storycore-panel") as pool:
        pending: deque[tuple[str, Future[bytes]]] = deque()
        for rel, _, spec, names in todo:
            pending.append((rel, pool.submit(panel_png, spec, plan.specs, names)))
            if len(pending) >= ahead:
                done_rel, future = pending.popleft()
                tx.write_bytes(done_rel, future.result())
        while pending:
            done_rel, future = pending.popleft()
            tx.write_bytes(done_rel, future.result())
    return written
