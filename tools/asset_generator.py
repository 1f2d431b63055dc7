"""The asset generator: an element's folder, its metadata sidecar, its reference images and
its reference card.

Each element of the registry lives in ``01_elements/NN_Name/``:

```
01_elements/03_Gaby/
  element.json               the AssetMetadata sidecar (the source of truth)
  element_gaby.png           the reference card (a placeholder sheet, see below)
  element_gaby_mini.png      its thumbnail
  references/Gaby_Front.png  reference images the user gave, copied in
```

The card is drawn locally with Pillow from the element's metadata (name, type, canonical
description, attributes, reference thumbnails). It is a placeholder reference sheet that makes
the registry visible in any file browser until an image model renders the real one. Every PNG
written here carries the element's metadata in PNG text chunks (``storycore:element_id``,
``storycore:content_hash``, the full sidecar JSON under ``storycore:metadata``...), read back by
:func:`read_png_metadata`, so a card copied out of the project still says what it shows.

Every write goes through the project's :class:`~storycore.tools.project.Transaction`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeAlias

from anyascii import anyascii
from PIL import Image, ImageDraw, ImageFont, PngImagePlugin, UnidentifiedImageError

from storycore.tools import structure
from storycore.tools.card_encoding import card_batch as card_batch  # where it used to live
from storycore.tools.card_encoding import current_batch
from storycore.tools.domain import AssetMetadata, ElementType, ReferenceImage
from storycore.tools.errors import InvalidInput
from storycore.tools.naming import slugify, unique
from storycore.tools.project import Project, Transaction, dumps_json

#: The metadata sidecar in each element folder.
ELEMENT_FILE = "element.json"
#: Where copied reference images go, inside the element folder.
REFERENCES = "references"
#: Bumped when the card's drawing changes, so existing cards are redrawn once.
CARD_FORMAT = 1
CARD_SIZE = (1024, 1024)
MINI_SIZE = (256, 256)
#: PNG text keys written on every card.
KEY_PREFIX = "storycore:"
META_KEY = "storycore:metadata"
HASH_KEY = "storycore:content_hash"
FORMAT_KEY = "storycore:card_format"

_EXTENSIONS = {
    "JPEG": ".jpg",
    "PNG": ".png",
    "WEBP": ".webp",
    "GIF": ".gif",
    "TIFF": ".tif",
    "BMP": ".bmp",
}

# One colour per element type for the card's header band (readable with white text).
_TYPE_COLOURS: dict[ElementType, tuple[int, int, int]] = {
    ElementType.CHARACTER: (52, 84, 160),
    ElementType.LOCATION: (46, 120, 82),
    ElementType.PROP: (168, 98, 36),
    ElementType.WARDROBE: (140, 56, 120),
    ElementType.VEHICLE: (90, 90, 100),
    ElementType.STYLE: (120, 70, 170),
    ElementType.AUDIO: (30, 120, 140),
    ElementType.OTHER: (80, 80, 80),
}

TxOrProject: TypeAlias = Transaction | Project


# -- folders and sidecar ------------------------------------------------------------------


def element_folder_rel(project: Project, element_id: str) -> str:
    """``01_elements/NN_Name`` of a registered element, relative to the project root."""
    return project.relative(structure.element_folder(project, element_id))


def create_element_folder(tx: Transaction, element: AssetMetadata) -> str:
    """Register ``element`` in the manifest, create its folder and write its sidecar.

    Returns the folder relative to the project root. Idempotent for an element already there.
    """
    structure.add_element_folder(tx, element.element_id, element.type, element.name)
    write_sidecar(tx, element)
    return element_folder_rel(tx.project, element.element_id)


def write_sidecar(tx: Transaction, element: AssetMetadata) -> Path:
    """Write ``element.json`` in the element's folder (unchanged bytes are not rewritten)."""
    folder = element_folder_rel(tx.project, element.element_id)
    return tx.write_json(f"{folder}/{ELEMENT_FILE}", element)


# -- reference images ---------------------------------------------------------------------


def check_image(source: Path) -> str:
    """The Pillow format name of the image at ``source`` (``"PNG"``, ``"JPEG"``...).

    Raises :class:`InvalidInput` with one sentence for a missing file, a folder, a file that is
    not an image, or an image Pillow cannot decode (truncated, corrupt, too large).
    """
    path = Path(source).expanduser()
    if not path.exists():
        raise InvalidInput(f"no image at {path}: the file does not exist")
    if not path.is_file():
        raise InvalidInput(f"{path} is a folder, not an image file")
    try:
        with Image.open(path) as image:
            image.verify()  # checks the structure without decoding
            fmt = image.format
        with Image.open(path) as image:
            image.load()  # verify() misses truncated pixel data
    except UnidentifiedImageError:
        raise InvalidInput(
            f"{path} is not an image Pillow can read; give a PNG, JPEG or WebP file"
        ) from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise InvalidInput(f"{path} is a damaged or unreadable image ({reason})") from None
    if not fmt:
        raise InvalidInput(f"{path} is not an image Pillow can read; give a PNG or JPEG file")
    return fmt


def import_reference_image(
    tx: Transaction, element: AssetMetadata, source: Path, role: str = "reference"
) -> ReferenceImage:
    """Copy a user's image into ``references/`` of the element's folder.

    The copy is named from the source's stem made safe (:func:`slugify`), with the extension
    of its real format, unique in ``references/``. An image the element already has (same
    SHA-256) is not copied again: its existing record is returned.
    """
    fmt = check_image(source)
    path = Path(source).expanduser().resolve()
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    for ref in element.reference_images:
        if ref.sha256 == digest:
            return ref
    folder = element_folder_rel(tx.project, element.element_id)
    refs_dir = tx.project.path(folder, REFERENCES)
    taken = [p.stem for p in refs_dir.iterdir()] if refs_dir.is_dir() else []
    taken += [Path(ref.path).stem for ref in element.reference_images]
    stem = unique(slugify(path.stem, fallback="Image"), taken)
    extension = _EXTENSIONS.get(fmt, f".{fmt.lower()}")
    relative = f"{REFERENCES}/{stem}{extension}"
    tx.write_bytes(f"{folder}/{relative}", data)
    return ReferenceImage(
        path=relative, original_path=str(path), sha256=digest, role=role or "reference"
    )


# -- the reference card -------------------------------------------------------------------


def card_names(element: AssetMetadata) -> tuple[str, str]:
    """The seed's file names of an element's card and thumbnail: ``element_gaby.png`` and
    ``element_gaby_mini.png`` (from the id without its type prefix, so renames keep them)."""
    stem = element.element_id
    head, _, tail = stem.partition("_")
    if tail and head in {"char", "loc", "prop", "ward", "veh", "style", "audio", "elem"}:
        stem = tail
    return f"element_{stem}.png", f"element_{stem}_mini.png"


@contextmanager
def _transaction(target: TxOrProject, note: str) -> Iterator[Transaction]:
    if isinstance(target, Transaction):
        yield target
    else:
        with target.transaction(note) as tx:
            yield tx


def write_reference_card(tx_or_project: TxOrProject, element: AssetMetadata) -> list[Path]:
    """Write the element's reference card and its thumbnail; return both paths.

    The card is a PLACEHOLDER reference sheet drawn locally with Pillow (name, type, id,
    version, canonical description, attributes and thumbnails of the reference images), until
    an image model renders the real one. Both PNGs embed the element's metadata as text chunks
    (see :func:`png_text`). Cards whose embedded content hash (and card format) match the
    element's current content are left as they are, so re-runs cost nothing.
    """
    with _transaction(tx_or_project, f"elements: card of {element.element_id}") as tx:
        project = tx.project
        folder = element_folder_rel(project, element.element_id)
        names = card_names(element)
        paths = [project.path(folder, name) for name in names]
        content_hash = element.content().digest()
        if all(_card_is_current(path, content_hash) for path in paths):
            return paths
        rels = [project.relative(path) for path in paths]
        batch = current_batch(tx)
        if batch is not None:  # drawn and encoded on its threads
            batch.submit(rels, functools.partial(_card_pngs, element, project.path(folder)))
        else:
            for rel, data in zip(rels, _card_pngs(element, project.path(folder)), strict=True):
                tx.write_bytes(rel, data)
        return paths


def _card_pngs(element: AssetMetadata, folder: Path) -> list[bytes]:
    """The PNG bytes of the element's card and of its thumbnail (``folder``: the element's
    folder, for its reference images)."""
    card = render_card(element, folder)
    info = png_text(element)
    return [_png_bytes(card, info), _png_bytes(_mini(card), info)]


def _mini(card: Image.Image) -> Image.Image:
    """``card.copy().thumbnail(MINI_SIZE, LANCZOS)``, without the copy for a square card.

    For a square card larger than a square :data:`MINI_SIZE`, ``thumbnail`` keeps the
    aspect at exactly ``MINI_SIZE`` and resizes with its default ``reducing_gap`` of 2.0
    (``draft`` does nothing for a drawn image): the same call, on the card itself."""
    width, height = MINI_SIZE
    if card.width == card.height > width == height:
        return card.resize(MINI_SIZE, Image.Resampling.LANCZOS, reducing_gap=2.0)
    mini = card.copy()
    mini.thumbnail(MINI_SIZE, Image.Resampling.LANCZOS)
    return mini


def _card_is_current(path: Path, content_hash: str) -> bool:
    if not path.is_file():
        return False
    try:
        text = read_png_metadata(path)
    except InvalidInput:
        return False
    return text.get(HASH_KEY) == content_hash and text.get(FORMAT_KEY) == str(CARD_FORMAT)


def png_text(element: AssetMetadata) -> PngImagePlugin.PngInfo:
    """The PNG text chunks describing ``element`` (non-Latin-1 values go to iTXt).

    The embedded metadata is a snapshot taken when the card was drawn: status and shot
    links may have changed since (they do not redraw the card); ``element.json`` is the truth.
    """
    info = PngImagePlugin.PngInfo()
    fields = {
        "Title": element.name,
        "Description": element.canonical_description,
        "Software": "StoryCore Assistant (placeholder reference card)",
        f"{KEY_PREFIX}element_id": element.element_id,
        f"{KEY_PREFIX}type": element.type.value,
        f"{KEY_PREFIX}name": element.name,
        f"{KEY_PREFIX}version": str(element.current_version),
        HASH_KEY: element.content().digest(),
        f"{KEY_PREFIX}canonical_description": element.canonical_description,
        FORMAT_KEY: str(CARD_FORMAT),
    }
    for key, value in fields.items():
        info.add_text(key, value)
    info.add_text(META_KEY, dumps_json(element).decode("utf-8"), zip=True)
    return info


#: zlib level of the cards' PNGs: 1 encodes a 1024x1024 card in about 60 % of the time of
#: Pillow's default (6) for files about a third larger; the pixels are the same.
CARD_COMPRESS_LEVEL = 1


def _png_bytes(image: Image.Image, info: PngImagePlugin.PngInfo) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info, compress_level=CARD_COMPRESS_LEVEL)
    return buffer.getvalue()


def read_png_metadata(path: Path | str) -> dict[str, Any]:
    """The text chunks of a PNG, by key; ``storycore:metadata`` is parsed from JSON to a dict.

    Raises :class:`InvalidInput` if the file is missing or is not a PNG.
    """
    file = Path(path)
    if not file.is_file():
        raise InvalidInput(f"no PNG at {file}: the file does not exist")
    try:
        with Image.open(file) as image:
            if image.format != "PNG":
                raise InvalidInput(f"{file} is a {image.format} image, not a PNG")
            image.load()  # text chunks after the image data are read with it
            raw = dict(getattr(image, "text", {}) or {})
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InvalidInput(f"{file} is not a readable PNG ({exc})") from None
    out: dict[str, Any] = {str(k): str(v) for k, v in raw.items()}
    if META_KEY in out:
        # A damaged chunk keeps its text: still worth showing.
        with contextlib.suppress(ValueError):
            out[META_KEY] = json.loads(out[META_KEY])
    return out


# -- drawing ------------------------------------------------------------------------------

_FONT_FILES = {
    False: ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf", "arial.ttf"),
    True: ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf"),
}


@functools.lru_cache(maxsize=32)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # A system font covers accents and many scripts; Pillow's bundled one is ASCII only.
    for name in _FONT_FILES[bold]:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _render(font: Any, char: str) -> bytes:
    image = Image.new("L", (48, 48))
    ImageDraw.Draw(image).text((8, 8), char, font=font, fill=255)
    return image.tobytes()


@functools.lru_cache(maxsize=4096)
def _has_glyph(char: str) -> bool:
    font = _font(24)
    return _render(font, char) != _render(font, "\U0010fffd")  # vs. the "missing" box


def _drawable(text: str) -> str:
    """``text`` with characters the font cannot draw transliterated (an emoji to its name):
    a card must stay readable; the exact text is in the PNG's metadata."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char in "\n\t" or not unicodedata.category(char).startswith("C"):
            out.append(char if char.isascii() or _has_glyph(char) else anyascii(char))
    return "".join(out)


def _wrap(text: str, font: Any, width: int) -> list[str]:
    """Lines of ``text`` that fit in ``width`` pixels (paragraphs kept, long words cut)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        words = paragraph.split()
        line = ""
        for word in words:
            while font.getlength(word) > width:  # a word longer than the line: cut it
                cut = max(1, int(len(word) * width / font.getlength(word)) - 1)
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:cut])
                word = word[cut:]
            candidate = f"{line} {word}".strip()
            if font.getlength(candidate) <= width:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def _fit_line(text: str, font: Any, width: int) -> str:
    """``text`` on one line of ``width`` pixels, cut with an ellipsis if it is longer."""
    text = " ".join(_drawable(text).split())
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(f"{text}…") > width:
        text = text[:-1]
    return f"{text.rstrip()}…"


class _Cursor:
    """Lays text out top to bottom and stops (with an ellipsis) at the bottom margin."""

    def __init__(self, draw: ImageDraw.ImageDraw, x: int, y: int, width: int, bottom: int):
        self.draw, self.x, self.y, self.width, self.bottom = draw, x, y, width, bottom
        self.full = False

    def text(
        self, text: str, font: Any, fill: tuple[int, int, int], *, indent: int = 0, gap: int = 6
    ) -> None:
        if self.full:
            return
        height = int(getattr(font, "size", 12) * 1.3)
        width = self.width - indent
        lines = _wrap(_drawable(text), font, width)
        room = max(0, (self.bottom - self.y) // height)
        if len(lines) > room:
            lines = lines[:room]
            if lines:
                lines[-1] = _fit_line(f"{lines[-1]} …", font, width)
            self.full = True
        for line in lines:
            self.draw.text((self.x + indent, self.y), line, font=font, fill=fill)
            self.y += height
        self.y += gap


def render_card(element: AssetMetadata, folder: Path | None = None) -> Image.Image:
    """Draw the placeholder reference card of ``element`` (RGB, :data:`CARD_SIZE`).

    ``folder`` is the element's folder, used to show thumbnails of its reference images.
    """
    width, height = CARD_SIZE
    margin = 48
    card = Image.new("RGB", CARD_SIZE, (250, 248, 244))
    draw = ImageDraw.Draw(card)
    ink, grey = (30, 30, 34), (110, 110, 118)
    band = _TYPE_COLOURS.get(element.type, (80, 80, 80))
    draw.rectangle((0, 0, width, 170), fill=band)
    line_width = width - 2 * margin
    name_font = _font(54, True)
    if name_font.getlength(_drawable(element.name)) > line_width:
        name_font = _font(38, True)
    draw.text(
        (margin, 34), _fit_line(element.name, name_font, line_width), font=name_font, fill="white"
    )
    # No status or aliases on the card: they are not content, and cards are redrawn only
    # when the content changes.
    subtitle = (
        f"{element.type.value.upper()}  ·  {element.element_id}  ·  v{element.current_version}"
    )
    draw.text(
        (margin, 112),
        _fit_line(subtitle, _font(24), line_width),
        font=_font(24),
        fill=(235, 235, 240),
    )

    thumbs = _reference_thumbnails(element, folder)
    footer_top = height - 60
    bottom = footer_top - (230 if thumbs else 10)
    body = _Cursor(draw, margin, 200, width - 2 * margin, bottom)
    body.text("CANONICAL DESCRIPTION", _font(20, True), grey, gap=4)
    if element.attributes:  # leave the attributes room below a long description
        body.bottom = body.y + (bottom - body.y) * 11 // 20
    body.text(element.canonical_description or "(none yet)", _font(28), ink, gap=24)
    body.bottom, body.full = bottom, False
    if element.attributes:
        body.text("ATTRIBUTES", _font(20, True), grey, gap=4)
        for key, value in element.attributes.items():
            body.text(f"{key}: {value}", _font(26), ink, gap=2)

    if thumbs:
        draw.text((margin, bottom + 10), "REFERENCES", font=_font(20, True), fill=grey)
        x = margin
        for thumb in thumbs:
            card.paste(thumb, (x, bottom + 40))
            x += thumb.width + 16
    draw.line((margin, footer_top, width - margin, footer_top), fill=(210, 205, 198), width=2)
    draw.text(
        (margin, footer_top + 16),
        f"Placeholder reference card drawn by StoryCore (not a rendered image) · content "
        f"{element.content().digest()[:12]}",
        font=_font(18),
        fill=grey,
    )
    return card


def _reference_thumbnails(element: AssetMetadata, folder: Path | None) -> list[Image.Image]:
    thumbs: list[Image.Image] = []
    if folder is None:
        return thumbs
    for ref in element.reference_images[:4]:
        path = folder / ref.path
        try:
            with Image.open(path) as image:
                thumb = image.convert("RGB")
        except (OSError, SyntaxError, ValueError):
            continue  # a missing or damaged copy does not stop the card
        thumb.thumbnail((210, 170), Image.Resampling.LANCZOS)
        thumbs.append(thumb)
    return thumbs
