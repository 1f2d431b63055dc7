"""The storyboard documents: the storyboard.json contract, Markdown, HTML, panels, strategy."""

from __future__ import annotations

import json
import re
import shutil
import sys
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from storycore.tools import storyboard as sb
from storycore.tools.domain import ASPECT_RATIOS, ShotSize, ShotSpec, TechnicalSpecs
from storycore.tools.errors import ProjectError
from storycore.tools.project import Project
from storycore.tools.structure import load_shots, read_shot, write_shot
from storycore.tools.timecode import parse_timecode

sys.path.insert(0, str(Path(__file__).parent))
from plan_fixtures import HOSTILE_TEXT, build_planned_project, count_panel_draws

RATES = [
    pytest.param("24", None, "24", False, id="24"),
    pytest.param("25", None, "25", False, id="25"),
    pytest.param("29.97", None, "30000/1001", True, id="29.97DF"),
    pytest.param("29.97", False, "30000/1001", False, id="29.97NDF"),
    pytest.param("23.976", None, "24000/1001", False, id="23.976"),
]

TOP_KEYS = {"schema_version", "title", "frame_rate", "drop_frame", "total_frames", "segments"}
SEGMENT_KEYS = {"segment_id", "title", "start", "end", "shots"}
SHOT_KEYS = {
    "shot_id",
    "scene",
    "start",
    "end",
    "duration_frames",
    "shot_size",
    "camera_angle",
    "camera_movement",
    "lens_mm",
    "description",
    "characters",
    "location",
    "props",
    "model_id",
    "image_prompt",
    "video_prompt",
    "negative_prompt",
    "time_range",
}
SHOT_SIZES = {"EWS", "WS", "FS", "MWS", "MS", "MCU", "CU", "ECU"}


def write_docs(project: Project) -> list[str]:
    with project.transaction("storyboard") as tx:
        return sb.write_documents(tx)


def all_shots(storyboard: dict) -> list[dict]:
    return [shot for segment in storyboard["segments"] for shot in segment["shots"]]


@pytest.mark.parametrize(("fps", "drop_frame", "rate_text", "df"), RATES)
def test_storyboard_json_follows_the_contract(
    tmp_path: Path, fps: str, drop_frame: bool | None, rate_text: str, df: bool
) -> None:
    project = build_planned_project(tmp_path / "p", fps=fps, drop_frame=drop_frame)
    write_docs(project)
    data = json.loads((project.root / "storyboard.json").read_text(encoding="utf-8"))

    assert data.keys() >= TOP_KEYS
    assert data["frame_rate"] == rate_text
    assert Fraction(data["frame_rate"]) == project.manifest.technical_specs.rate
    assert data["drop_frame"] is df
    assert isinstance(data["total_frames"], int)
    for segment in data["segments"]:
        assert segment.keys() >= SEGMENT_KEYS
        assert re.fullmatch(r"seg_\d{2,3}", segment["segment_id"])
        for shot in segment["shots"]:
            assert shot.keys() >= SHOT_KEYS, SHOT_KEYS - shot.keys()
            assert shot["shot_size"] in SHOT_SIZES
            assert isinstance(shot["characters"], list)
            assert isinstance(shot["props"], list)

    rate = data["frame_rate"]
    shots = all_shots(data)
    starts = [parse_timecode(s["start"], rate, drop_frame=df) for s in shots]
    ends = [parse_timecode(s["end"], rate, drop_frame=df) for s in shots]
    # Contiguous, durations agree with the timecodes, and the total adds up.
    assert all(a == b for a, b in zip(ends, starts[1:], strict=False))
    assert [s["end"] for s in shots[:-1]] == [s["start"] for s in shots[1:]]
    assert [e - s for s, e in zip(starts, ends, strict=True)] == [
        s["duration_frames"] for s in shots
    ]
    assert ends[-1] - starts[0] == data["total_frames"]
    # Segments span exactly their shots.
    for segment in data["segments"]:
        assert segment["start"] == segment["shots"][0]["start"]
        assert segment["end"] == segment["shots"][-1]["end"]

    # The plan on disk is what the storyboard says.
    plan = load_shots(project)
    assert [s["shot_id"] for s in shots] == [s.shot_id for s in plan]
    assert [s["duration_frames"] for s in shots] == [s.duration_frames for s in plan]
    assert [s["characters"] for s in shots] == [s.characters for s in plan]
    assert starts[0] == plan[0].start_frame

    # Separators: drop-frame labels use ';' everywhere, non-drop never.
    labels = [s["start"] for s in shots] + [s["end"] for s in shots]
    if df:
        assert all(re.fullmatch(r"\d\d:\d\d:\d\d;\d\d", t) for t in labels)
    else:
        assert all(re.fullmatch(r"\d\d:\d\d:\d\d:\d\d", t) for t in labels)

    # The seed's MM:SS.cc ranges follow the same cut.
    assert shots[0]["time_range"][0] == "00:00.00"
    assert [s["time_range"][1] for s in shots[:-1]] == [s["time_range"][0] for s in shots[1:]]
    assert all(re.fullmatch(r"\d{2,}:\d\d\.\d\d", t) for s in shots for t in s["time_range"])


def test_drop_frame_storyboard_names_frames_past_a_minute_correctly(tmp_path: Path) -> None:
    # 70 s of shots at 29.97 DF: labels after the first minute skip frames 00 and 01.
    project = build_planned_project(tmp_path / "p", fps="29.97", repeat=3)
    data = sb.build_storyboard(project)
    shots = all_shots(data)
    later = [s for s in shots if s["start_frame"] >= 1800]
    assert later, "the fixture should run past one minute"
    for shot in later:
        assert parse_timecode(shot["start"], "29.97") == shot["start_frame"]


def test_documents_are_deterministic_and_rewrites_are_idempotent(tmp_path: Path) -> None:
    first = build_planned_project(tmp_path / "a", fps="29.97", hostile=True)
    second = build_planned_project(tmp_path / "b", fps="29.97", hostile=True)
    paths = write_docs(first)
    assert paths == write_docs(second)
    for rel in paths:
        assert (first.root / rel).read_bytes() == (second.root / rel).read_bytes(), rel

    before = {rel: (first.root / rel).read_bytes() for rel in paths}
    history = len(first.history())
    write_docs(first)
    assert {rel: (first.root / rel).read_bytes() for rel in paths} == before
    assert len(first.history()) == history  # nothing changed, nothing journaled


def test_unchanged_panels_are_not_redrawn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = build_planned_project(tmp_path / "p")
    write_docs(project)
    drawn = count_panel_draws(monkeypatch)
    write_docs(project)
    assert drawn == []

    with project.transaction("make shot_04 wider") as tx:
        shot = read_shot(project, "shot_04")
        write_shot(tx, shot.model_copy(update={"shot_size": ShotSize.MS}))
    write_docs(project)
    assert drawn == ["shot_04"]


def test_storyboard_changes_when_the_plan_changes(tmp_path: Path) -> None:
    project = build_planned_project(tmp_path / "p")
    write_docs(project)
    with project.transaction("edit") as tx:
        shot = read_shot(project, "shot_02")
        write_shot(tx, shot.model_copy(update={"description": "GaBy runs."}))
    write_docs(project)
    data = json.loads((project.root / "storyboard.json").read_text(encoding="utf-8"))
    assert next(s for s in all_shots(data) if s["shot_id"] == "shot_02")["description"] == (
        "GaBy runs."
    )
    assert "GaBy runs." in (project.root / "storyboard.md").read_text(encoding="utf-8")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.urls.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_escapes_hostile_text(tmp_path: Path) -> None:
    project = build_planned_project(tmp_path / "p", hostile=True)
    write_docs(project)
    page = (project.root / "storyboard.html").read_text(encoding="utf-8")

    # The only URLs in the page are the plan's own text (a prompt quoting a link).
    assert page.count("http://") == page.count("evil.example")
    assert "https://" not in page
    assert not re.search(r"url\(|@import", page)
    assert "<script" not in page.lower()
    assert "onerror=" not in page.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;" in page

    parser = _Collector()
    parser.feed(page)
    assert "script" not in parser.tags and "link" not in parser.tags and "iframe" not in parser.tags
    # The hostile text reads back as text, exactly as written.
    assert HOSTILE_TEXT in "".join(parser.text)
    # One panel per shot, each image a file of the project.
    shots = load_shots(project)
    images = [u for u in parser.urls if u.endswith(".png")]
    assert len(images) == len(shots)
    assert all(not u.startswith(("http:", "https:", "//")) for u in parser.urls)
    for url in images:
        assert not url.startswith(("/", "file:"))
        assert (project.root / url).is_file()


def test_html_for_outside_the_project_embeds_its_panels(tmp_path: Path) -> None:
    project = build_planned_project(tmp_path / "p")
    page = sb.render_html(project, sb.build_storyboard(project), embed_images=True)
    parser = _Collector()
    parser.feed(page)
    assert len(parser.urls) == len(load_shots(project))
    assert all(u.startswith("data:image/png;base64,") for u in parser.urls)
    assert "http://" not in page and "https://" not in page


@pytest.mark.parametrize("aspect", ["16:9", "9:16", "2.39:1", "4:3", "1:1"])
def test_panels_have_the_project_aspect_ratio(tmp_path: Path, aspect: str) -> None:
    project = build_planned_project(tmp_path / "p", aspect_ratio=aspect)
    paths = write_docs(project)
    panels = [p for p in paths if p.endswith("panel.png")]
    assert len(panels) == len(load_shots(project))
    ratio = ASPECT_RATIOS[aspect]
    for rel in panels:
        assert rel.startswith("02_shots/")
        with Image.open(project.root / rel) as image:
            width, height = image.size
            assert image.format == "PNG"
        assert width == sb.PANEL_WIDTH
        # Within one pixel of the exact ratio.
        assert abs(height - width / ratio) <= 1


def _figure_share(size: str) -> float:
    shot = ShotSpec(
        shot_id="shot_01", start_frame=0, end_frame=48, shot_size=size, characters=["char_a"]
    )
    image = sb.draw_panel(shot, TechnicalSpecs()).convert("RGB")
    # The figure is the only mid-dark grey of the drawing (labels are near black).
    raw = image.tobytes()
    pixels = zip(raw[0::3], raw[1::3], raw[2::3], strict=True)
    figure = sum(1 for r, g, b in pixels if 70 <= r <= 110 and abs(r - g) < 8 and b >= r)
    return figure / (image.width * image.height)


def test_the_framing_guide_grows_from_extreme_wide_to_close_up() -> None:
    shares = [_figure_share(size) for size in ["EWS", "WS", "FS", "MS", "MCU", "CU"]]
    assert shares == sorted(shares)
    assert shares[0] < 0.01 < shares[-1]


def test_markdown_has_a_table_per_segment_and_escapes_text(tmp_path: Path) -> None:
    project = build_planned_project(tmp_path / "p", hostile=True)
    text = sb.render_markdown(sb.build_storyboard(project))
    assert "<script" not in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert [h.split()[1] for h in headings] == ["seg_01", "seg_02"]
    rows = [line for line in text.splitlines() if line.startswith("| shot")]
    assert len(rows) == len(load_shots(project))
    header = next(line for line in text.splitlines() if line.startswith("| Shot |"))
    columns = len(re.findall(r"(?<!\\)\|", header))
    # A '|' in user text must not add a column.
    assert all(len(re.findall(r"(?<!\\)\|", row)) == columns for row in rows)


def test_visual_strategy(tmp_path: Path) -> None:
    project = build_planned_project(tmp_path / "p")
    write_docs(project)
    strategy = json.loads((project.root / "visual_strategy.json").read_text(encoding="utf-8"))
    anchors = strategy["style_anchors"]
    assert anchors["style"] == project.manifest.technical_specs.style
    assert anchors["required_prompt_elements"] == ["cinematic lighting", "no subtitles"]

    # "film noir ... a single red accent": the noir table and the red accent.
    palette = strategy["palette"]
    assert "noir" in palette["matched"] and "red" in palette["matched"]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c["hex"]) for c in palette["colors"])

    looks = {c["element_id"]: c for c in strategy["characters"]}
    assert set(looks) == {"char_gaby", "char_judas"}
    assert looks["char_gaby"]["attributes"]["hair"] == "blonde curly"
    assert "red raincoat" in looks["char_gaby"]["canonical_description"]
    assert looks["char_gaby"]["shots"] == ["shot_02", "shot_03", "shot_04", "shot_05"]

    shots = load_shots(project)
    totals = strategy["model_plan"]["totals"]
    assert sum(row["shots"] for row in totals) == len(shots)
    assert sum(row["frames"] for row in totals) == sum(s.duration_frames for s in shots)
    by_model = {row["model_id"]: row for row in totals}
    assert by_model["wan22_14b"]["shots"] == 3
    assert by_model[None]["shot_ids"] == ["shot_06"]
    segments = strategy["model_plan"]["by_segment"]
    assert [s["segment_id"] for s in segments] == ["seg_01", "seg_02"]
    assert sum(r["shots"] for s in segments for r in s["models"]) == len(shots)


def test_no_style_words_means_no_palette(tmp_path: Path) -> None:
    project = build_planned_project(tmp_path / "p", style=None)
    assert sb.build_visual_strategy(project)["palette"]["colors"] == []


def test_a_gap_between_shots_is_refused(tmp_path: Path) -> None:
    project = build_planned_project(tmp_path / "p")
    with project.transaction("break timing") as tx:
        shot = read_shot(project, "shot_03")
        write_shot(tx, shot.model_copy(update={"start_frame": shot.start_frame + 2}))
    with pytest.raises(ProjectError, match="shot_03 starts at frame"):
        sb.build_storyboard(project)
    before = {p.name for p in project.root.iterdir()}
    with pytest.raises(ProjectError), project.transaction("docs") as tx:
        sb.write_documents(tx)
    assert {p.name for p in project.root.iterdir()} == before  # nothing half-written


def test_a_shot_outside_every_segment_is_refused(tmp_path: Path) -> None:
    project = build_planned_project(tmp_path / "p")
    with project.transaction("drop a shot from its segment") as tx:
        segments = tx.manifest.segments
        first = segments[0].model_copy(update={"shot_ids": segments[0].shot_ids[:-1]})
        tx.manifest.segments = [first, *segments[1:]]
    with pytest.raises(ProjectError, match="shot_03 is in no segment"):
        sb.build_storyboard(project)


def test_an_unsegmented_plan_gets_one_segment(tmp_path: Path) -> None:
    project = build_planned_project(tmp_path / "p")
    with project.transaction("forget segments") as tx:
        tx.manifest.segments = []
    data = sb.build_storyboard(project)
    assert [s["segment_id"] for s in data["segments"]] == ["seg_01"]
    assert len(data["segments"][0]["shots"]) == len(load_shots(project))


def test_a_project_without_shots_is_refused(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "empty")
    with pytest.raises(ProjectError, match="no shots"):
        sb.build_storyboard(project)


def test_missing_element_files_fall_back_to_the_manifest(tmp_path: Path) -> None:
    project = build_planned_project(tmp_path / "p")
    shutil.rmtree(project.root / "01_elements")
    data = sb.build_storyboard(project)
    assert data["elements"]["char_gaby"]["name"] == "GaBy"
