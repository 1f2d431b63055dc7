"""``storycore produce`` end to end with the animatic backend, at small frame sizes.

Every frame count is counted by decoding (PyAV), never read from a container header.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from urllib.parse import unquote

import av
import opentimelineio as otio
import pytest

from storycore.tools.domain import Phase, Resolution
from storycore.tools.production.backend import JobState, RenderJob, RenderOutput
from storycore.tools.production.ledger import LEDGER_FILE, Ledger
from storycore.tools.production.producer import Production
from storycore.tools.production.records import media_records
from storycore.tools.production.run import run_production
from storycore.tools.project import Project
from storycore.tools.structure import load_shots

from .conftest import snapshot, storycore_executable

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def decoded_frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [storycore_executable(), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def shrink(root: Path, short_side: int = 72) -> None:
    """Give a planned project a tiny frame size of its aspect ratio (fast tests)."""
    project = Project.open(root)
    with project.transaction("test: small frames", undoable=False) as tx:
        specs = tx.manifest.technical_specs
        res = specs.resolution
        if res.width >= res.height:
            width = round(short_side * res.width / res.height / 2) * 2
            size = Resolution(width=width, height=short_side)
        else:
            height = round(short_side * res.height / res.width / 2) * 2
            size = Resolution(width=short_side, height=height)
        tx.manifest.technical_specs = specs.model_copy(update={"resolution": size})


def produce_json(root: Path, *extra: str) -> dict:
    proc = run_cli("produce", str(root), "--yes", "--json", *extra)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def produced(film_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The example short film produced once as an animatic (do not change it)."""
    root = Path(shutil.copytree(film_template, tmp_path_factory.mktemp("p") / "film"))
    shrink(root)
    data = produce_json(root)
    (root.parent / "first.json").write_text(json.dumps(data))
    yield root


@pytest.fixture
def produced_copy(produced: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(produced, tmp_path / "film"))


def test_every_shot_segment_and_the_film_have_exactly_the_planned_frames(produced: Path) -> None:
    data = json.loads((produced.parent / "first.json").read_text())
    assert set(data) == {"rendered", "reused", "failed", "segments", "final", "cost_usd"}
    project = Project.open(produced)
    shots = load_shots(project)
    assert data["rendered"] == [s.shot_id for s in shots]
    assert data["reused"] == [] and data["failed"] == [] and data["cost_usd"] == 0
    media = media_records(project)
    for shot in shots:
        record = media[shot.shot_id]
        assert record.path == f"03_videos/{shot.shot_id}_v{shot.version}.mp4"
        assert decoded_frames(produced / record.path) == shot.duration_frames == record.frames
        assert shot.generation_hash == record.generation_hash
        folder = next(r.folder for r in project.manifest.shots if r.shot_id == shot.shot_id)
        assert (produced / "02_shots" / folder / "start_keyframe.png").is_file()
        assert (produced / "02_shots" / folder / "end_keyframe.png").is_file()
    for segment, entry in zip(project.manifest.segments, data["segments"], strict=True):
        assert entry["segment_id"] == segment.segment_id
        assert entry["path"] == f"05_sequences/{segment.folder}/{segment.segment_id}.mp4"
        frames = segment.end_frame - segment.start_frame
        assert entry["frames"] == frames == decoded_frames(produced / entry["path"])
    total = shots[-1].end_frame - shots[0].start_frame
    assert data["final"] == {"path": "05_sequences/the_red_umbrella.mp4", "frames": total}
    assert decoded_frames(produced / data["final"]["path"]) == total
    # provenance inside the film's clips
    with av.open(str(produced / media["shot_02"].path)) as container:
        tags = container.metadata
    assert tags["storycore_shot_id"] == "shot_02"
    assert tags["storycore_backend"] == "animatic"
    assert tags["storycore_generation_hash"] == media["shot_02"].generation_hash
    assert tags["storycore_prompt"] == shots[1].video_prompt


def test_producing_again_renders_nothing_and_changes_no_byte(produced_copy: Path) -> None:
    before = snapshot(produced_copy)
    data = produce_json(produced_copy)
    assert data["rendered"] == [] and len(data["reused"]) == 32
    assert data["final"]["frames"] > 0
    assert snapshot(produced_copy) == before


def test_status_shows_production(produced_copy: Path) -> None:
    proc = run_cli("status", str(produced_copy), "--json")
    assert proc.returncode == 0, proc.stderr
    production = json.loads(proc.stdout)["production"]
    assert production["counts"] == {"done": 32}
    assert production["film"] == "05_sequences/the_red_umbrella.mp4"
    assert production["spent_usd"] == 0
    text = run_cli("status", str(produced_copy)).stdout
    assert "Production" in text and "seg_01" in text


def test_feedback_then_produce_renders_exactly_the_changed_shot(produced_copy: Path) -> None:
    root = produced_copy
    project = Project.open(root)
    segment_of = {s: seg.segment_id for seg in project.manifest.segments for s in seg.shot_ids}
    before = snapshot(root)
    proc = run_cli("feedback", str(root), "make shot 2 a close-up", "--yes", "--offline")
    assert proc.returncode == 0, proc.stderr
    data = produce_json(root)
    assert data["rendered"] == ["shot_02"]
    assert "shot_02" not in data["reused"] and len(data["reused"]) == 31
    after = snapshot(root)
    # every other clip and every other segment keep their bytes; v1 is kept beside v2
    for rel, content in before.items():
        if rel.startswith("03_videos/") and rel.endswith(".mp4"):
            assert after[rel] == content, rel
    assert "03_videos/shot_02_v2.mp4" in after
    changed_segments = {
        entry["path"]
        for entry in data["segments"]
        if before.get(entry["path"]) != after.get(entry["path"])
    }
    seg = segment_of["shot_02"]
    assert changed_segments == {e["path"] for e in data["segments"] if e["segment_id"] == seg}
    assert before[data["final"]["path"]] != after[data["final"]["path"]]
    media = media_records(Project.open(root))
    assert media["shot_02"].version == 2
    assert decoded_frames(root / media["shot_02"].path) == media["shot_02"].frames
    assert decoded_frames(root / data["final"]["path"]) == data["final"]["frames"]
    # undo brings the previous media back (the joins, the approval, then the shot's render)
    notes = []
    while not notes or not notes[-1].startswith("produce"):
        notes.append(project.undo().note)
    assert len(notes) <= 4, notes
    assert (root / "03_videos/shot_02_v1.mp4").read_bytes() == before["03_videos/shot_02_v1.mp4"]
    assert media_records(Project.open(root))["shot_02"].version == 1


def test_a_panel_drawn_differently_renders_its_animatic_clip_again(produced_copy: Path) -> None:
    """The animatic moves a shot's panel: a clip made from a panel drawn otherwise (by an
    earlier version's drawing rules, or from a storyboard since redrawn) is made again, and
    only that clip."""
    from storycore.tools.production.records import set_media_records
    from storycore.tools.storyboard import stored_panel_hash

    root = produced_copy
    project = Project.open(root)
    media = media_records(project)
    folder = next(r.folder for r in project.manifest.shots if r.shot_id == "shot_03")
    drawn = stored_panel_hash(root / "02_shots" / folder / "panel.png")
    assert drawn is not None and media["shot_03"].picture_hash == drawn
    assert media["shot_01"].picture_hash is not None  # every panel-made clip records it
    with project.transaction("test: shot_03 made from another drawing", undoable=False) as tx:
        older = media["shot_03"].model_copy(update={"picture_hash": "0" * 64})
        set_media_records(tx, {**media, "shot_03": older})
    data = produce_json(root)
    assert data["rendered"] == ["shot_03"] and len(data["reused"]) == 31
    assert media_records(Project.open(root))["shot_03"].picture_hash == drawn
    assert produce_json(root)["rendered"] == []


def test_a_produced_project_exports_with_media_that_exist(produced_copy: Path) -> None:
    proc = run_cli("export", str(produced_copy), "--format", "otio")
    assert proc.returncode == 0, proc.stderr
    path = next((produced_copy / "exports").glob("*.otio"))
    timeline = otio.adapters.read_from_file(str(path))
    clips = list(timeline.find_clips())
    assert len(clips) == 32
    for clip in clips:
        url = unquote(clip.media_reference.target_url)
        assert (path.parent / url).resolve().is_file(), url
        assert clip.media_reference.metadata["storycore"]["rendered"] is True
    transitions = [t for t in timeline.tracks[0] if isinstance(t, otio.schema.Transition)]
    assert transitions, "the film plans dissolves: they are exported as transitions"
    assert {t.transition_type for t in transitions} == {otio.schema.TransitionTypes.SMPTE_Dissolve}
    # the record times are those of the plan (transitions overlap, they add no time)
    total = sum(c.source_range.duration.to_frames() for c in clips)
    assert timeline.tracks[0].duration().to_frames() == total
    for fmt in ("fcpxml", "edl"):
        proc = run_cli("export", str(produced_copy), "--format", fmt)
        assert proc.returncode == 0, proc.stderr
    xml = next((produced_copy / "exports").glob("*.xml")).read_text(encoding="utf-8")
    assert "shot_02_v1.mp4" in xml
    edl = next((produced_copy / "exports").glob("*.edl")).read_text(encoding="utf-8")
    assert "shot_02_v1.mp4" in edl


def _not_planned(root: Path) -> list[str]:
    Project.create(root, title="Empty")
    return ["produce", str(root), "--yes"]


def _corrupt_media(root: Path) -> list[str]:
    (root / "03_videos" / "shot_01_video.mp4").write_bytes(b"\x00garbage" * 500)
    return ["produce", str(root), "--yes"]


def _folder_is_a_file(root: Path) -> list[str]:
    shutil.rmtree(root / "05_sequences")
    (root / "05_sequences").write_text("not a folder")
    return ["produce", str(root), "--yes"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_not_planned, "is not planned yet"),
        (lambda r: ["produce", str(r), "--yes", "--shot", "shot_99"], "no shot 'shot_99'"),
        (lambda r: ["produce", str(r), "--yes", "--segment", "seg_42"], "no segment 'seg_42'"),
        (lambda r: ["produce", str(r), "--yes", "--backend", "blender"], "unknown backend"),
        (_corrupt_media, "is not a readable video"),
        (_folder_is_a_file, "is a file, not a folder"),
        (lambda r: ["produce", str(r)], "pass --yes"),
    ],
    ids=[
        "not-planned",
        "unknown-shot",
        "unknown-segment",
        "unknown-backend",
        "corrupt-media",
        "folder-is-a-file",
        "no-yes-without-terminal",
    ],
)
def test_bad_input_is_one_error_exit_2_and_changes_nothing(
    film: Path, tmp_path: Path, make, message: str
) -> None:
    root = film if make is not _not_planned else tmp_path / "empty"
    args = make(root)
    before = snapshot(root)
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], lines
    assert snapshot(root) == before
    assert not (root / LEDGER_FILE).exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through any permission")
def test_an_unwritable_folder_is_refused(film: Path) -> None:
    (film / "03_videos").chmod(0o555)
    try:
        proc = run_cli("produce", str(film), "--yes")
    finally:
        (film / "03_videos").chmod(0o755)
    assert proc.returncode == 2 and "cannot write to 03_videos" in proc.stderr


def test_dry_run_lists_the_work_and_writes_nothing(film: Path) -> None:
    before = snapshot(film)
    proc = run_cli("produce", str(film), "--dry-run", "--json", "--shot", "shot_02")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["would_render"] == ["shot_02"] and data["estimate"]["total_usd"] == 0
    assert snapshot(film) == before and not (film / LEDGER_FILE).exists()


class QueueBackend:
    """A remote-queue backend double: remembers what it was sent, like a server would."""

    name = "fakequeue"

    def __init__(self, inner, crash_in_wait: bool = False) -> None:
        self.inner = inner
        self.crash_in_wait = crash_in_wait
        self.submitted: list[str] = []
        self.known: dict[str, JobState] = {}

    def preflight(self, jobs: list[RenderJob]) -> None:
        self.inner.preflight(jobs)

    def estimate_cost(self, job: RenderJob) -> float:
        return 0.25

    def submit(self, job: RenderJob, job_id: str) -> str:
        self.submitted.append(job.target_id)
        self.known[f"q-{job_id}"] = JobState.RUNNING
        return f"q-{job_id}"

    def lookup(self, backend_job_id: str) -> JobState | None:
        return self.known.get(backend_job_id)

    def wait(self, backend_job_id, job, out_dir, on_progress=None) -> list[RenderOutput]:
        if self.crash_in_wait:
            raise KeyboardInterrupt  # the process dies while the server renders
        return self.inner.wait(backend_job_id, job, out_dir, on_progress)

    def cancel(self, ids) -> None:
        pass


def test_a_job_the_backend_already_has_is_never_submitted_again(film: Path) -> None:
    from storycore.tools.production.animatic import AnimaticBackend

    shrink(film, 36)
    backend = QueueBackend(AnimaticBackend(), crash_in_wait=True)
    production = Production(Project.open(film), backend, shots=["shot_01"])
    with pytest.raises(KeyboardInterrupt):
        run_production(production)
    assert backend.submitted == ["shot_01"]
    backend.crash_in_wait = False  # a new run, the same server
    production = Production(Project.open(film), backend, shots=["shot_01"])
    result = run_production(production)
    assert backend.submitted == ["shot_01"], "waited on the known job instead"
    assert result.rendered == ["shot_01"] and result.cost_usd == 0.25
    with Ledger.open(film) as ledger:
        (row,) = ledger.rows("shot_01")
        assert row.state is JobState.DONE and row.attempts == 1 and row.cost_usd == 0.25
    assert Project.open(film).manifest.phase is Phase.PLANNED


@pytest.mark.parametrize("example", ["ad_brief.md", "french_prose_brief.md"])
def test_every_example_is_produced_with_exactly_its_planned_frames(
    example: str, tmp_path: Path
) -> None:
    root = tmp_path / "p"
    proc = run_cli("plan", str(EXAMPLES / example), "-o", str(root), "--offline", "--yes")
    assert proc.returncode == 0, proc.stderr
    # 72 px, not less: at 36 px the media gate's continuity check compares a centre of a few
    # pixels, where H.264's blocks alone can exceed its threshold on a continued shot.
    shrink(root, 72)
    data = produce_json(root)
    project = Project.open(root)
    shots = load_shots(project)
    media = media_records(project)
    assert data["rendered"] == [s.shot_id for s in shots] and not data["failed"]
    for shot in shots:
        assert decoded_frames(root / media[shot.shot_id].path) == shot.duration_frames
    for entry in data["segments"]:
        assert decoded_frames(root / entry["path"]) == entry["frames"]
    total = shots[-1].end_frame - shots[0].start_frame
    assert data["final"]["frames"] == total == decoded_frames(root / data["final"]["path"])
    rate = project.manifest.technical_specs.rate
    with av.open(str(root / data["final"]["path"])) as container:
        assert Fraction(container.streams.video[0].average_rate) == rate
