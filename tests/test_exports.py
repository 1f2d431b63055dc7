"""Exports: EDL, FCP7 XML and OTIO read back with OpenTimelineIO; shot list; breakdown."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import opentimelineio as otio
import pytest

from storycore.tools import exports
from storycore.tools.domain import ShotSpec
from storycore.tools.errors import InvalidInput
from storycore.tools.project import Project
from storycore.tools.structure import ELEMENTS, load_shots, read_shot, write_shot
from storycore.tools.timecode import format_smpte, parse_timecode

sys.path.insert(0, str(Path(__file__).parent))
from plan_fixtures import build_planned_project

RATES = [
    pytest.param("24", None, id="24"),
    pytest.param("25", None, id="25"),
    pytest.param("29.97", None, id="29.97DF"),
    pytest.param("29.97", False, id="29.97NDF"),
    pytest.param("23.976", None, id="23.976"),
]


def _project(tmp_path: Path, fps: str, drop_frame: bool | None = None, **kw: object) -> Project:
    return build_planned_project(tmp_path / "p", fps=fps, drop_frame=drop_frame, **kw)


def _clips(timeline: otio.schema.Timeline) -> list[tuple[str, int, int, int]]:
    """(name, record position, source in, duration) of every clip, in frames."""
    tracks = timeline.tracks
    video = [t for t in tracks if t.kind == otio.schema.TrackKind.Video]
    assert len(video) == 1
    track = video[0]
    out = []
    for item in track:
        if isinstance(item, otio.schema.Clip):
            position = track.range_of_child(item).start_time
            out.append(
                (
                    item.name,
                    round(position.value),
                    round(item.source_range.start_time.value),
                    round(item.source_range.duration.value),
                )
            )
    return out


def _expected(project: Project) -> list[tuple[str, int, int, int]]:
    shots = load_shots(project)
    first = shots[0].start_frame
    return [(s.shot_id, s.start_frame - first, 0, s.duration_frames) for s in shots]


def _rate(project: Project) -> float:
    return float(project.manifest.technical_specs.rate)


@pytest.mark.parametrize(("fps", "drop_frame"), RATES)
def test_edl_reads_back_with_the_plans_clips(
    tmp_path: Path, fps: str, drop_frame: bool | None
) -> None:
    project = _project(tmp_path, fps, drop_frame)
    path = exports.export(project, "edl")
    assert path == project.root / "exports" / "the_red_umbrella.edl"

    timeline = otio.adapters.read_from_file(str(path), rate=_rate(project))
    assert _clips(timeline) == _expected(project)

    # Record timecodes: the plan's frames placed at 01:00:00:00, in the project's labels.
    specs = project.manifest.technical_specs
    df = specs.uses_drop_frame
    start = parse_timecode("01:00:00;00" if df else "01:00:00:00", specs.rate, drop_frame=df)
    text = path.read_text(encoding="ascii")
    events = re.findall(r"^(\d{3})  (\S+)\s+V\s+C\s+(\S+) (\S+) (\S+) (\S+)$", text, re.M)
    shots = load_shots(project)
    assert len(events) == len(shots)
    for (_, reel, _src_in, _src_out, rec_in, rec_out), shot in zip(events, shots, strict=True):
        assert rec_in == format_smpte(start + shot.start_frame, specs.rate, drop_frame=df)
        assert rec_out == format_smpte(start + shot.end_frame, specs.rate, drop_frame=df)
        assert re.fullmatch(r"[A-Z0-9]{1,8}", reel)
    assert len({e[1] for e in events}) == len(events)  # reels are unique
    assert ("FCM: DROP FRAME" if df else "FCM: NON-DROP FRAME") in text.splitlines()[:3]
    assert (";" in text) is df


@pytest.mark.parametrize(("fps", "drop_frame"), RATES)
def test_fcp_xml_reads_back_with_the_plans_clips(
    tmp_path: Path, fps: str, drop_frame: bool | None
) -> None:
    project = _project(tmp_path, fps, drop_frame)
    path = exports.export(project, "fcpxml")
    assert path.suffix == ".xml"

    timeline = otio.adapters.read_from_file(str(path))
    assert _clips(timeline) == _expected(project)
    specs = project.manifest.technical_specs
    df = specs.uses_drop_frame
    start = parse_timecode("01:00:00;00" if df else "01:00:00:00", specs.rate, drop_frame=df)
    assert round(timeline.global_start_time.value) == start
    text = path.read_text(encoding="utf-8")
    sequence_tc = re.findall(r"<string>([0-9:;]+)</string>", text)[-1]
    assert sequence_tc == ("01:00:00;00" if df else "01:00:00:00")

    # Media: absolute file URLs to where the rendered clips will be.
    clips = list(timeline.find_clips())
    for clip, shot in zip(clips, load_shots(project), strict=True):
        url = clip.media_reference.target_url
        assert url.startswith("file://localhost/")
        assert Path(unquote(urlparse(url).path)) == project.root / "03_videos" / (
            f"{shot.shot_id}_video.mp4"
        )


@pytest.mark.parametrize(("fps", "drop_frame"), RATES)
def test_otio_round_trips(tmp_path: Path, fps: str, drop_frame: bool | None) -> None:
    project = _project(tmp_path, fps, drop_frame)
    path = exports.export(project, "otio")
    text = path.read_text(encoding="utf-8")
    timeline = otio.adapters.read_from_file(str(path))
    assert _clips(timeline) == _expected(project)
    assert otio.adapters.write_to_string(timeline, "otio_json").strip() == text.strip()

    specs = project.manifest.technical_specs
    assert timeline.global_start_time.rate == float(specs.rate)
    meta = timeline.metadata["storycore"]
    assert meta["frame_rate"] == specs.fps
    assert meta["drop_frame"] is specs.uses_drop_frame
    for clip, shot in zip(timeline.find_clips(), load_shots(project), strict=True):
        assert clip.metadata["storycore"]["shot_id"] == shot.shot_id
        assert clip.metadata["storycore"]["shot_size"] == shot.shot_size.value
        # Relative to the .otio file: resolves to the rendered clip's place in the project.
        url = clip.media_reference.target_url
        assert not url.startswith(("/", "file:"))
        assert (path.parent / url).resolve() == project.root / "03_videos" / (
            f"{shot.shot_id}_video.mp4"
        )
    markers = [m.name for m in timeline.tracks.markers]
    assert markers == ["seg_01 Rain", "seg_02 The Letter"]


def test_build_timeline_media_is_relative_to_the_project(tmp_path: Path) -> None:
    project = _project(tmp_path, "25")
    timeline = exports.build_timeline(project)
    urls = [clip.media_reference.target_url for clip in timeline.find_clips()]
    assert urls[0] == "03_videos/shot_01_video.mp4"
    assert urls[2] == "03_videos/shot_02a_video.mp4"
    assert round(timeline.global_start_time.value) == 25 * 3600


def test_exports_are_deterministic(tmp_path: Path) -> None:
    project = _project(tmp_path, "29.97")
    for fmt in ("otio", "edl", "fcpxml", "csv", "breakdown"):
        path = exports.export(project, fmt)
        first = path.read_bytes()
        assert exports.export(project, fmt).read_bytes() == first, fmt


def test_edl_refuses_more_events_than_cmx3600_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, "24")
    monkeypatch.setattr(exports, "EDL_MAX_EVENTS", 5)
    with pytest.raises(InvalidInput, match="at most 5 events"):
        exports.export(project, "edl")
    assert not (project.root / "exports" / "the_red_umbrella.edl").exists()


def test_reel_names_are_cmx_safe() -> None:
    assert exports.reel_name("shot_01") == "SHOT01"
    assert exports.reel_name("shot_04a") == "SHOT04A"
    assert exports.reel_name("shot_123ab") == "SH123AB"
    for shot_id in ("shot_99", "shot_100", "shot_999zz"):
        assert re.fullmatch(r"[A-Z0-9]{1,8}", exports.reel_name(shot_id))


def _csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames or []), list(reader)


def test_shot_list_csv(tmp_path: Path) -> None:
    project = _project(tmp_path, "25")
    path = exports.export(project, "csv")
    assert path == project.root / "exports" / "the_red_umbrella.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    columns, rows = _csv_rows(path)
    for wanted in (
        "Scene",
        "Shot",
        "Description",
        "Shot Size",
        "Angle",
        "Movement",
        "Lens",
        "Equipment",
        "Cast",
        "Sound",
        "Estimated Time",
        "Notes",
        "Start",
        "End",
        "Duration",
        "Model",
    ):
        assert wanted in columns
    shots = load_shots(project)
    assert [r["Shot"] for r in rows] == [s.shot_id for s in shots]
    assert [int(r["Duration"]) for r in rows] == [s.duration_frames for s in shots]
    by_id = {r["Shot"]: r for r in rows}
    assert by_id["shot_04"]["Shot Size"] == "CU"
    assert by_id["shot_04"]["Lens"] == "85mm"
    assert by_id["shot_04"]["Movement"] == "Dolly in"
    assert by_id["shot_04"]["Equipment"] == "Dolly and track"
    assert by_id["shot_05"]["Cast"] == "GaBy, Judas"
    assert "Dialogue: JUDAS" in by_id["shot_03"]["Sound"]
    assert "SFX: rain" in by_id["shot_01"]["Sound"]
    assert by_id["shot_01"]["Start"] == "00:00:00:00"
    assert by_id["shot_01"]["End"] == by_id["shot_02"]["Start"]
    assert by_id["shot_01"]["Estimated Time"] == "6.000 s"
    assert by_id["shot_06"]["Model"] == ""
    assert "fade out" in by_id["shot_06"]["Notes"]


def test_shot_list_cells_never_run_as_formulas(tmp_path: Path) -> None:
    project = _project(tmp_path, "24")
    with project.transaction("hostile description") as tx:
        shot = read_shot(project, "shot_02")
        write_shot(tx, shot.model_copy(update={"description": '=HYPERLINK("x","y")'}))
    _, rows = _csv_rows(exports.export(project, "csv"))
    assert rows[1]["Description"] == '\'=HYPERLINK("x","y")'


def test_breakdown_sheets(tmp_path: Path) -> None:
    project = _project(tmp_path, "24")
    path = exports.export(project, "breakdown")
    assert path == project.root / "exports" / "the_red_umbrella_breakdown.csv"
    markdown = (project.root / "exports" / "the_red_umbrella_breakdown.md").read_text("utf-8")

    columns, rows = _csv_rows(path)
    categories = [
        "Cast",
        "Extras",
        "Stunts",
        "Props",
        "Wardrobe",
        "Makeup/hair",
        "Vehicles",
        "Animals",
        "Special Effects",
        "Visual Effects",
        "Sound",
        "Set Dressing",
        "Locations",
        "Special Equipment",
    ]
    assert columns[-len(categories) :] == categories
    assert [r["Scene"] for r in rows] == ["1", "2", "3"]
    scene = {r["Scene"]: r for r in rows}
    assert scene["1"]["Cast"] == "GaBy"
    assert scene["1"]["Props"] == "Red Umbrella"
    assert scene["1"]["Locations"] == "Old Bridge"
    assert scene["1"]["Special Effects"] == "rain"
    assert "Crane / jib" in scene["1"]["Special Equipment"]
    assert scene["2"]["Cast"] == "Judas; GaBy"  # JUDAS's line is Judas, not a second person
    assert "GaBy — hair: blonde curly" in scene["2"]["Makeup/hair"]
    assert "Judas — wardrobe: dark overcoat" in scene["2"]["Wardrobe"]
    assert scene["3"]["Vehicles"] == "Taxi"
    # Nothing in the plan says extras, stunts, animals, VFX or set dressing: they stay empty.
    for row in rows:
        for empty in ("Extras", "Stunts", "Animals", "Visual Effects", "Set Dressing"):
            assert row[empty] == ""

    assert markdown.count("## Scene ") == 3
    for category in categories:
        assert markdown.count(f"| {category} |") == 3


def test_an_element_can_be_filed_under_a_breakdown_category(tmp_path: Path) -> None:
    project = _project(tmp_path, "24")
    ref = next(r for r in project.manifest.elements if r.element_id == "prop_letter")
    rel = f"{ELEMENTS}/{ref.folder}/element.json"
    data = json.loads((project.root / rel).read_text("utf-8"))
    data["attributes"]["breakdown"] = "set dressing"
    with project.transaction("file the letter as set dressing") as tx:
        tx.write_json(rel, data)
    sheets = {s.scene: s for s in exports.build_breakdown(exports.load_plan(project))}
    assert sheets["2"].categories["set dressing"] == ["Letter"]
    assert sheets["2"].categories["props"] == []


def test_export_to_an_explicit_path_outside_the_project(tmp_path: Path) -> None:
    project = _project(tmp_path, "24")
    target = tmp_path / "handoff" / "cut.edl"
    assert exports.export(project, "edl", target) == target
    timeline = otio.adapters.read_from_file(str(target), rate=24.0)
    assert len(list(timeline.find_clips())) == len(load_shots(project))
    assert not (project.root / "exports" / "the_red_umbrella.edl").exists()

    page = exports.export(project, "html", tmp_path / "handoff" / "board.html")
    html = page.read_text("utf-8")
    assert html.count('src="data:image/png;base64,') == len(load_shots(project))

    md = exports.export(project, "breakdown", tmp_path / "handoff" / "breakdown.md")
    assert md.read_text("utf-8").startswith("# The Red Umbrella")


def test_export_refuses_a_folder_as_destination(tmp_path: Path) -> None:
    project = _project(tmp_path, "24")
    folder = tmp_path / "somewhere"
    folder.mkdir()
    with pytest.raises(InvalidInput, match="is a folder"):
        exports.export(project, "csv", folder)
    assert list(folder.iterdir()) == []


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    project = _project(tmp_path, "24")
    with pytest.raises(InvalidInput, match="unknown export format"):
        exports.export(project, "pdf")


def test_storyboard_formats_write_the_documents(tmp_path: Path) -> None:
    project = _project(tmp_path, "25")
    assert exports.export(project, "json") == project.root / "storyboard.json"
    assert exports.export(project, "md") == project.root / "storyboard.md"
    assert exports.export(project, "html") == project.root / "storyboard.html"
    data = json.loads((project.root / "storyboard.json").read_text("utf-8"))
    assert data["frame_rate"] == "25"
    page = (project.root / "storyboard.html").read_text("utf-8")
    for ref in project.manifest.shots:
        assert (project.root / "02_shots" / ref.folder / "panel.png").is_file()
        assert f'id="{ref.shot_id}"' in page
    # Inside the project an export is journaled (atomic) but it is not a change of the plan:
    # it is not in the undo history, and undo leaves the exported files alone (issue 11).
    assert not any(entry.note.startswith("export") for entry in project.history())
    if project.history():
        project.undo()
    assert (project.root / "storyboard.html").is_file()


def test_exported_timeline_ignores_a_plan_not_starting_at_zero(tmp_path: Path) -> None:
    # A plan that starts at frame 48: the cut still starts at 01:00:00:00.
    project = _project(tmp_path, "24")
    with project.transaction("shift") as tx:
        for shot in load_shots(project):
            shifted: ShotSpec = shot.model_copy(
                update={"start_frame": shot.start_frame + 48, "end_frame": shot.end_frame + 48}
            )
            write_shot(tx, shifted)
    timeline = otio.adapters.read_from_file(str(exports.export(project, "edl")), rate=24.0)
    assert _clips(timeline) == _expected(project)
    assert "01:00:00:00" in exports.export(project, "edl").read_text("ascii")
