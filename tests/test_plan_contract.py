"""The written contract of a planned project, checked by reading the files ``storycore plan``
leaves behind for every example (and the short film at other rates and a target duration).

What an editor, a render farm script or a teammate reads is ``storyboard.json``,
``project.json``, the element and shot folders, the exports and ``storyboard.html``: these
tests read only those, never the planner's objects.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio
import pytest

from storycore.agent.cli.main import main
from storycore.tools.model_registry import ModelRegistry, max_clip_frames
from storycore.tools.rates import parse_rate
from storycore.tools.timecode import parse_timecode, seconds_to_frames

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SHORT_FILM = EXAMPLES / "short_film.fountain"

SHOT_SIZES = {"EWS", "WS", "FS", "MWS", "MS", "MCU", "CU", "ECU"}
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
}
SHOT_LIST_COLUMNS = [
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
]
SMPTE = re.compile(r"^\d{2}:\d{2}:\d{2}([:;])\d{2}$")
FOLDER = re.compile(r"^\d{2,3}_[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class Case:
    brief: Path
    args: tuple[str, ...] = ()
    frame_rate: str | None = None  # the exact rational storyboard.json must carry
    drop_frame: bool | None = None
    duration: float | None = None


CASES: dict[str, Case] = {
    "ad_brief": Case(EXAMPLES / "ad_brief.md", frame_rate="24", drop_frame=False),
    "french_prose": Case(EXAMPLES / "french_prose_brief.md", frame_rate="24", drop_frame=False),
    "short_film": Case(SHORT_FILM, frame_rate="24", drop_frame=False),
    "short_film_2997": Case(
        SHORT_FILM, ("--fps", "29.97"), frame_rate="30000/1001", drop_frame=True
    ),
    "short_film_23976": Case(
        SHORT_FILM, ("--fps", "23.976"), frame_rate="24000/1001", drop_frame=False
    ),
    "short_film_25": Case(SHORT_FILM, ("--fps", "25"), frame_rate="25", drop_frame=False),
    "short_film_60s": Case(SHORT_FILM, ("--duration", "60"), duration=60.0),
}


@dataclass
class Planned:
    name: str
    case: Case
    root: Path

    @property
    def storyboard(self) -> dict[str, Any]:
        return json.loads((self.root / "storyboard.json").read_text(encoding="utf-8"))

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.root / "project.json").read_text(encoding="utf-8"))

    def shots(self) -> list[dict[str, Any]]:
        return [shot for seg in self.storyboard["segments"] for shot in seg["shots"]]

    @property
    def rate(self) -> Fraction:
        return parse_rate(self.storyboard["frame_rate"])


@pytest.fixture(scope="module", params=sorted(CASES))
def planned(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Planned:
    name: str = request.param
    case = CASES[name]
    root = tmp_path_factory.mktemp("plan") / name
    code = main(["plan", str(case.brief), "--out", str(root), "--offline", "--yes", *case.args])
    assert code == 0
    return Planned(name, case, root)


def _frames(tc: str, planned: Planned) -> int:
    return parse_timecode(tc, planned.rate, drop_frame=planned.storyboard["drop_frame"])


# -- storyboard.json ----------------------------------------------------------------------


def test_storyboard_has_the_documented_fields(planned: Planned) -> None:
    board = planned.storyboard
    for key in ("schema_version", "title", "frame_rate", "drop_frame", "total_frames"):
        assert key in board, key
    assert isinstance(board["schema_version"], int)
    assert board["title"].strip()
    assert re.fullmatch(r"\d+(/\d+)?", board["frame_rate"])
    assert isinstance(board["drop_frame"], bool)
    assert isinstance(board["total_frames"], int) and board["total_frames"] > 0
    if planned.case.frame_rate is not None:
        assert board["frame_rate"] == planned.case.frame_rate
    if planned.case.drop_frame is not None:
        assert board["drop_frame"] is planned.case.drop_frame

    assert board["segments"], "a plan has at least one segment"
    for index, segment in enumerate(board["segments"], start=1):
        assert segment["segment_id"] == f"seg_{index:02d}"
        assert isinstance(segment["title"], str)
        assert segment["shots"]
        assert segment["start"] == segment["shots"][0]["start"]
        assert segment["end"] == segment["shots"][-1]["end"]
    for shot in planned.shots():
        missing = SHOT_KEYS - set(shot)
        assert not missing, f"{shot.get('shot_id')} lacks {sorted(missing)}"
        assert re.fullmatch(r"shot_\d{2,3}[a-z]{0,2}", shot["shot_id"])
        assert shot["shot_size"] in SHOT_SIZES
        assert isinstance(shot["camera_angle"], str) and shot["camera_angle"]
        assert isinstance(shot["camera_movement"], str) and shot["camera_movement"]
        assert isinstance(shot["lens_mm"], int | float) and shot["lens_mm"] > 0
        assert shot["description"].strip()
        assert isinstance(shot["characters"], list)
        assert shot["location"] is None or isinstance(shot["location"], str)
        assert isinstance(shot["props"], list)
        assert shot["model_id"]
        assert shot["image_prompt"].strip() and shot["video_prompt"].strip()
        assert isinstance(shot["negative_prompt"], str)
    ids = [shot["shot_id"] for shot in planned.shots()]
    assert len(ids) == len(set(ids))


def test_timecodes_are_contiguous_and_add_up(planned: Planned) -> None:
    board = planned.storyboard
    shots = planned.shots()
    for before, after in itertools.pairwise(shots):
        assert before["end"] == after["start"], (before["shot_id"], after["shot_id"])
    first, last = _frames(shots[0]["start"], planned), _frames(shots[-1]["end"], planned)
    assert last - first == board["total_frames"]
    for shot in shots:
        assert (
            _frames(shot["end"], planned) - _frames(shot["start"], planned)
            == (shot["duration_frames"])
        )
        assert shot["duration_frames"] > 0


def test_smpte_separator_follows_drop_frame(planned: Planned) -> None:
    board = planned.storyboard
    expected = ";" if board["drop_frame"] else ":"
    labels = [board.get("start"), board.get("end")]
    labels += [tc for seg in board["segments"] for tc in (seg["start"], seg["end"])]
    labels += [tc for shot in planned.shots() for tc in (shot["start"], shot["end"])]
    for label in filter(None, labels):
        match = SMPTE.match(label)
        assert match, label
        assert match.group(1) == expected, label


def test_every_shot_fits_its_models_longest_clip(planned: Planned) -> None:
    registry = ModelRegistry.load(planned.root)
    for shot in planned.shots():
        limit = max_clip_frames(registry.get(shot["model_id"]), planned.rate)
        assert shot["duration_frames"] <= limit, (shot["shot_id"], shot["model_id"])


def test_target_duration_is_met_to_the_frame(planned: Planned) -> None:
    if planned.case.duration is None:
        pytest.skip("no --duration for this case")
    expected = seconds_to_frames(planned.case.duration, planned.rate)
    assert planned.storyboard["total_frames"] == expected


# -- project.json, elements and shot folders ------------------------------------------------


def test_manifest_has_the_documented_fields(planned: Planned) -> None:
    manifest = planned.manifest
    for key in ("schema_version", "title", "technical_specs", "phase", "elements", "shots"):
        assert key in manifest, key
    assert manifest["title"] == planned.storyboard["title"]
    assert manifest["phase"] == "planned"
    assert manifest["technical_specs"]["fps"] == planned.storyboard["frame_rate"]
    for element in manifest["elements"]:
        assert {"element_id", "type", "name", "folder"} <= set(element)
    for ref in manifest["shots"]:
        assert {"shot_id", "folder", "status", "version"} <= set(ref)
    # The manifest indexes the shots in timeline order.
    assert [ref["shot_id"] for ref in manifest["shots"]] == [s["shot_id"] for s in planned.shots()]


def test_referenced_elements_exist_with_their_folders(planned: Planned) -> None:
    elements = {e["element_id"]: e for e in planned.manifest["elements"]}
    for element in elements.values():
        assert FOLDER.match(element["folder"]), element["folder"]
        assert (planned.root / "01_elements" / element["folder"] / "element.json").is_file()
    for shot in planned.shots():
        referenced = [*shot["characters"], *shot["props"]]
        if shot["location"]:
            referenced.append(shot["location"])
        for element_id in referenced:
            assert element_id in elements, (shot["shot_id"], element_id)


def test_every_shot_has_its_folder(planned: Planned) -> None:
    for ref in planned.manifest["shots"]:
        assert FOLDER.match(ref["folder"]), ref["folder"]
        assert (planned.root / "02_shots" / ref["folder"]).is_dir()
    folders = [ref["folder"] for ref in planned.manifest["shots"]]
    assert len(folders) == len(set(folders))


def test_character_descriptions_are_in_every_image_prompt(planned: Planned) -> None:
    folders = {e["element_id"]: e["folder"] for e in planned.manifest["elements"]}
    descriptions: dict[str, str] = {}
    for element_id, folder in folders.items():
        data = json.loads(
            (planned.root / "01_elements" / folder / "element.json").read_text(encoding="utf-8")
        )
        # The prompt builder ends each element with the template's own punctuation
        # ("Nour: ...; Léo: ..."), so only a final full stop may differ.
        descriptions[element_id] = data["canonical_description"].strip().rstrip(".。")
    shown = 0
    for shot in planned.shots():
        for character in shot["characters"]:
            assert descriptions[character], character
            assert descriptions[character] in shot["image_prompt"], (shot["shot_id"], character)
            shown += 1
    assert shown, "every example shows its characters somewhere"


def test_fountain_scene_numbers_are_kept(planned: Planned) -> None:
    if planned.case.brief != SHORT_FILM:
        pytest.skip("not a screenplay")
    headings = re.findall(
        r"^(?:INT|EXT|EST|INT\./EXT|I/E)[. ].*?(?:#([\w.-]+)#)?\s*$",
        SHORT_FILM.read_text(encoding="utf-8"),
        re.M,
    )
    assert any(headings), "the example carries scene numbers"
    in_order: list[str] = []
    for shot in planned.shots():
        if not in_order or in_order[-1] != shot["scene"]:
            in_order.append(shot["scene"])
    assert len(in_order) == len(headings) == len(set(in_order))
    for written, kept in zip(headings, in_order, strict=True):
        if written:
            assert kept == written


# -- exports and the HTML storyboard -------------------------------------------------------


def _export(planned: Planned, fmt: str, capsys: pytest.CaptureFixture[str]) -> Path:
    """Export to the default destination; the path is what the command prints."""
    capsys.readouterr()
    assert main(["export", str(planned.root), "--format", fmt, "--json"]) == 0
    path = Path(json.loads(capsys.readouterr().out)["path"])
    assert path.parent == planned.root / "exports"
    return path


def _clip_durations(timeline: otio.schema.Timeline) -> list[tuple[str, int]]:
    return [(clip.name, round(clip.duration().value)) for clip in timeline.find_clips()]


@pytest.mark.parametrize("fmt", ["edl", "fcpxml"])
def test_editor_timelines_read_back_with_the_shots(
    planned: Planned, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _export(planned, fmt, capsys)
    if fmt == "edl":
        timeline = otio.adapters.read_from_file(str(path), rate=float(planned.rate))
    else:
        timeline = otio.adapters.read_from_file(str(path))
    clips = _clip_durations(timeline)
    shots = planned.shots()
    assert len(clips) == len(shots)
    assert [d for _, d in clips] == [s["duration_frames"] for s in shots]
    assert [name for name, _ in clips] == [s["shot_id"] for s in shots]


def test_otio_export_has_one_clip_per_shot(planned: Planned, tmp_path: Path) -> None:
    target = tmp_path / "cut.otio"
    assert main(["export", str(planned.root), "--format", "otio", "--out", str(target)]) == 0
    timeline = otio.adapters.read_from_file(str(target))
    clips = _clip_durations(timeline)
    assert [(name, d) for name, d in clips] == [
        (s["shot_id"], s["duration_frames"]) for s in planned.shots()
    ]


def test_shot_list_csv_has_the_production_columns(planned: Planned, tmp_path: Path) -> None:
    target = tmp_path / "shots.csv"
    assert main(["export", str(planned.root), "--format", "csv", "--out", str(target)]) == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows
    assert all(column in rows[0] for column in SHOT_LIST_COLUMNS)
    assert [row["Shot"] for row in rows] == [s["shot_id"] for s in planned.shots()]
    assert [row["Scene"] for row in rows] == [s["scene"] for s in planned.shots()]


def test_storyboard_html_is_offline_and_shows_every_shot(planned: Planned) -> None:
    html = (planned.root / "storyboard.html").read_text(encoding="utf-8")
    assert not re.search(r"https?://", html, re.I)
    for shot in planned.shots():
        assert shot["shot_id"] in html
