"""Feedback that changes the project's specs: its length, frame rate, aspect ratio and
resolution, read in English and French, re-planned exactly, applied in one transaction and
undone byte for byte."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import opentimelineio as otio
import pytest
from langgraph.checkpoint.memory import InMemorySaver

from storycore.agent.context import Context
from storycore.agent.session import Session
from storycore.tools import exports, i18n
from storycore.tools.critic import critique
from storycore.tools.errors import InvalidInput
from storycore.tools.feedback import ChangeProjectSpec, RetimeShot, parse_feedback
from storycore.tools.model_registry import ModelRegistry, max_clip_frames
from storycore.tools.model_selector import ModelSelector, request_for_shot
from storycore.tools.planner import plan_project
from storycore.tools.project import Project
from storycore.tools.regeneration import apply_changes, plan_changes
from storycore.tools.structure import load_shots
from storycore.tools.timecode import format_smpte, seconds_to_frames
from storycore.tools.validation import run_all

from .conftest import snapshot

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def ad_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The example ad (30 s, 9:16, 24 fps) planned once; each test works on a copy."""
    base = tmp_path_factory.mktemp("ad")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORYCORE_CONFIG_DIR", str(base / "config"))
        plan_project((EXAMPLES / "ad_brief.md").read_text(), base / "ad", source_name="ad_brief.md")
        yield base / "ad"


@pytest.fixture
def ad(ad_template: Path, tmp_path: Path) -> Project:
    return Project.open(shutil.copytree(ad_template, tmp_path / "ad"))


def _spec(project: Project, text: str) -> ChangeProjectSpec:
    parsed = parse_feedback(text, project)
    assert parsed.understood, (text, parsed.unparsed)
    assert len(parsed.modifications) == 1, parsed.modifications
    found = parsed.modifications[0]
    assert isinstance(found, ChangeProjectSpec), found
    return found


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        # English
        ("make it 45 seconds", "duration_seconds", "45"),
        ("Please make the whole film 2 minutes long.", "duration_seconds", "120"),
        ("cut it down to 15 s", "duration_seconds", "15"),
        ("the video should last a minute and a half", "duration_seconds", "90"),
        ("make it 1:10", "duration_seconds", "70"),
        ("I'd like a 20-second version", "duration_seconds", "20"),
        ("change the frame rate to 50", "fps", "50"),
        ("set the fps to 23.976", "fps", "24000/1001"),
        ("convert it to 29.97 fps drop-frame", "fps", "30000/1001 DF"),
        ("frame rate: 30", "fps", "30"),
        ("make it 4:3", "aspect_ratio", "4:3"),
        ("switch to a square format", "aspect_ratio", "1:1"),
        ("change the aspect ratio to 21:9", "aspect_ratio", "21:9"),
        ("make it horizontal", "aspect_ratio", "16:9"),
        ("render it in 4K", "resolution", "4k"),
        ("change the resolution to 720p", "resolution", "720p"),
        # French
        ("fais-la en 45 secondes", "duration_seconds", "45"),
        ("la pub doit durer 2 minutes", "duration_seconds", "120"),
        ("passe la durée totale à 1 min 10", "duration_seconds", "70"),
        ("je veux une version de 20 secondes", "duration_seconds", "20"),
        ("passe à 50 images par seconde", "fps", "50"),
        ("mets la cadence à 30 i/s", "fps", "30"),
        ("mets-la en 4:3", "aspect_ratio", "4:3"),
        ("passe le format en carré", "aspect_ratio", "1:1"),
        ("mets le film en paysage", "aspect_ratio", "16:9"),
        ("passe en 720p", "resolution", "720p"),
        ("change la résolution en 4K", "resolution", "4k"),
    ],
)
def test_each_phrasing_is_read_as_a_spec_change(
    ad: Project, text: str, field: str, value: str
) -> None:
    found = _spec(ad, text)
    assert (found.field, found.value) == (field, value)


def test_it_after_a_shot_is_that_shot_not_the_video(ad: Project) -> None:
    parsed = parse_feedback("make shot 3 a close-up and make it 4 seconds", ad)
    assert [m.kind for m in parsed.modifications] == ["set_shot_field", "retime_shot"]
    retime = parsed.modifications[1]
    assert isinstance(retime, RetimeShot) and retime.duration_seconds == 4
    # A shot's own length is never the project's.
    assert parse_feedback("make shot 3 4 seconds", ad).modifications[0].kind == "retime_shot"


def _passed_gates(project: Project) -> dict[str, list[str]]:
    return {v.gate: list(v.failures) for v in run_all(project)}


def _check_timeline(project: Project, seconds: float) -> None:
    specs = project.manifest.technical_specs
    shots = load_shots(project)
    assert shots[0].start_frame == 0
    for before, after in pairwise(shots):
        assert after.start_frame == before.end_frame
    assert shots[-1].end_frame == seconds_to_frames(seconds, specs.rate)
    models = ModelRegistry.load(project.root)
    for shot in shots:
        assert shot.duration_frames <= max_clip_frames(models.get(shot.model_id or ""), specs.rate)


@pytest.mark.parametrize(
    ("text", "seconds"), [("make it 90 seconds", 90), ("fais-la en 75 secondes", 75)]
)
def test_a_new_length_refits_every_shot_exactly(ad: Project, text: str, seconds: int) -> None:
    before = load_shots(ad)
    gates_before = _passed_gates(ad)
    assert sum(s.duration_frames for s in before) == 720
    plan = plan_changes(ad, [_spec(ad, text)])
    frames = seconds * 24
    assert plan.summary[0].startswith(f"duration 30 s -> {seconds} s ({frames} frames at 24 fps)")
    assert plan.outcome is not None
    assert set(plan.regenerate_shots) == {s.shot_id for s in plan.outcome.shots}
    apply_changes(ad, plan)

    assert ad.manifest.technical_specs.duration_seconds == seconds
    _check_timeline(ad, seconds)
    after = load_shots(ad)
    assert sum(s.duration_frames for s in after) == frames
    # Every planned shot is still there, in order, as itself or as its parts.
    origins = list(dict.fromkeys(s.split_from or s.shot_id for s in after))
    assert origins == [s.split_from or s.shot_id for s in before]
    gates_after = _passed_gates(ad)
    for gate, failures in gates_before.items():
        if not failures:
            assert gates_after[gate] == [], (gate, gates_after[gate])


def test_a_shorter_length_keeps_locked_shots_and_the_total_exact(ad: Project) -> None:
    shots = load_shots(ad)
    apply_changes(ad, plan_changes(ad, [{"kind": "lock", "target": shots[2].shot_id}]))
    kept = shots[2].duration_frames
    apply_changes(ad, plan_changes(ad, [_spec(ad, "fais-la durer 20 secondes")]))
    after = {s.shot_id: s for s in load_shots(ad)}
    assert after[shots[2].shot_id].duration_frames == kept
    _check_timeline(ad, 20)


def test_a_new_frame_rate_recounts_every_frame_and_exports_read_back(ad: Project) -> None:
    seconds_before = [Fraction(s.duration_frames, 24) for s in load_shots(ad)]
    exports.export(ad, "otio")
    plan = plan_changes(ad, [_spec(ad, "passe à 25 images par seconde")])
    assert len(plan.regenerate_shots) == len(seconds_before)
    assert any(doc.endswith(".otio") for doc in plan.documents)
    apply_changes(ad, plan)

    specs = ad.manifest.technical_specs
    assert specs.fps == "25"
    shots = load_shots(ad)
    assert sum(s.duration_frames for s in shots) == 30 * 25
    _check_timeline(ad, 30)
    for shot, seconds in zip(shots, seconds_before, strict=True):
        assert abs(Fraction(shot.duration_frames, 25) - seconds) <= Fraction(1, 25)
    # The exports already made were rewritten at 25 fps; a new EDL reads back at 25 too.
    timeline = otio.adapters.read_from_file(str(ad.root / "exports" / _otio_name(ad)))
    clips = list(timeline.find_clips())
    assert [round(c.source_range.duration.rate) for c in clips] == [25] * len(shots)
    assert [round(c.source_range.duration.value) for c in clips] == [
        s.duration_frames for s in shots
    ]
    edl = exports.export(ad, "edl")
    read = otio.adapters.read_from_file(str(edl), rate=25.0)
    assert [round(c.duration().value) for c in read.find_clips()] == [
        s.duration_frames for s in shots
    ]
    text = edl.read_text(encoding="ascii")
    assert format_smpte(90000 + 750, Fraction(25)) in text  # the last record out, at 25 fps


def _otio_name(project: Project) -> str:
    return exports.title_slug(project.manifest.title) + ".otio"


def test_29_97_keeps_the_total_exact_with_drop_frame(ad: Project) -> None:
    apply_changes(ad, plan_changes(ad, [_spec(ad, "set the frame rate to 29.97")]))
    specs = ad.manifest.technical_specs
    assert specs.rate == Fraction(30000, 1001) and specs.uses_drop_frame
    _check_timeline(ad, 30)
    assert _passed_gates(ad)["breakdown"] == []


def test_16_9_on_a_vertical_project_turns_the_frame_and_checks_models(ad: Project) -> None:
    assert ad.manifest.technical_specs.aspect_ratio == "9:16"
    plan = plan_changes(ad, [_spec(ad, "make it 16:9")])
    assert plan.regenerate_shots == [s.shot_id for s in load_shots(ad)]
    assert any("models checked for 16:9" in line for line in plan.summary)
    apply_changes(ad, plan)
    specs = ad.manifest.technical_specs
    assert (specs.aspect_ratio, str(specs.resolution)) == ("16:9", "1920x1080")
    models = ModelRegistry.load(ad.root)
    selector = ModelSelector(models)
    for shot in load_shots(ad):
        assert shot.generation_hash is None and shot.status.value == "pending"
        assert shot.model_id not in selector.select(request_for_shot(shot, specs)).rejected
    assert "16:9" in (ad.root / "storyboard.md").read_text(encoding="utf-8")


def test_an_aspect_a_model_cannot_make_reselects_the_model(ad: Project) -> None:
    # The ad's models (Wan 2.2, Kling) cover 4:3 with a centre crop of their 16:9 frame; made
    # 9:16-only here, they reach 4:3 neither natively nor with a crop.
    used = sorted({s.model_id or "" for s in load_shots(ad)})
    (ad.root / "models.yaml").write_text(
        "schema_version: 1\nmodels:\n"
        + "".join(f'  - id: {m}\n    aspect_ratios: ["9:16"]\n' for m in used),
        encoding="utf-8",
    )
    models = ModelRegistry.load(ad.root)
    assert all(not models.get(m).reaches_ratio(1440, 1080) for m in used)
    plan = plan_changes(ad, [_spec(ad, "mets-la en 4:3")])
    assert any("no native 4:3 output" in line for line in plan.summary)
    apply_changes(ad, plan)
    specs = ad.manifest.technical_specs
    assert (specs.aspect_ratio, str(specs.resolution)) == ("4:3", "1440x1080")
    for shot in load_shots(ad):
        assert shot.model_id not in used
        assert models.get(shot.model_id or "").reaches_ratio(1440, 1080), shot.model_id
    _check_timeline(ad, 30)


def test_an_aspect_the_models_cover_with_a_centre_crop_keeps_them(ad: Project) -> None:
    before = {s.shot_id: s.model_id for s in load_shots(ad)}
    models = ModelRegistry.load(ad.root)
    assert any(not models.get(m or "").supports_aspect("4:3") for m in before.values())
    plan = plan_changes(ad, [_spec(ad, "mets-la en 4:3")])
    assert any("4:3" in line and "every shot's model can make it" in line for line in plan.summary)
    apply_changes(ad, plan)
    for shot in load_shots(ad):
        assert shot.model_id == before[shot.shot_id]
        model = models.get(shot.model_id or "")
        assert model.reaches_ratio(1440, 1080)
        # The model note says what the shot now takes: a crop of the model's own frame.
        cropped = "centre-cropped to 4:3" in (shot.model_reason or "")
        assert cropped == (not model.supports_aspect("4:3")), shot.model_reason
    _check_timeline(ad, 30)


def test_a_resolution_the_kept_models_do_not_reach_plans_their_upscale_step(ad: Project) -> None:
    models = ModelRegistry.load(ad.root)
    planned = {s.shot_id: s.upscaler for s in load_shots(ad)}
    below = {
        s.shot_id
        for s in load_shots(ad)
        if not models.get(s.model_id or "").supports_resolution(2160, 3840)
    }
    assert below, "the ad's models should not all make 2160x3840"
    plan = plan_changes(ad, [_spec(ad, "make it 4K")])
    assert any("now upscaled to 2160x3840" in line for line in plan.summary), plan.summary
    apply_changes(ad, plan)
    for shot in load_shots(ad):
        if shot.shot_id in below:
            assert shot.upscaler and models.get(shot.upscaler).is_upscaler, shot.shot_id
            assert "upscaled to 2160x3840" in (shot.model_reason or ""), shot.model_reason
    assert critique(ad, kinds=["model_cannot_meet_specs"]).findings == []
    # Back to the old size: each shot's step is the one it was planned with.
    plan = plan_changes(ad, [_spec(ad, "make it 1080x1920")])
    assert any("no upscale step needed any more" in line for line in plan.summary), plan.summary
    apply_changes(ad, plan)
    assert {s.shot_id: s.upscaler for s in load_shots(ad)} == planned
    assert critique(ad, kinds=["model_cannot_meet_specs"]).findings == []


def test_a_resolution_keeps_the_orientation(ad: Project) -> None:
    apply_changes(ad, plan_changes(ad, [_spec(ad, "make it 4K")]))
    assert str(ad.manifest.technical_specs.resolution) == "2160x3840"


@pytest.mark.parametrize(
    "text",
    ["make it 90 seconds", "change the frame rate to 25", "make it 16:9", "passe en 4K"],
)
def test_undo_restores_the_project_byte_for_byte(ad: Project, text: str) -> None:
    exports.export(ad, "edl")
    before = snapshot(ad.root)
    applied = apply_changes(ad, plan_changes(ad, [_spec(ad, text)]))
    assert applied.history_entry is not None
    assert snapshot(ad.root) != before
    ad.undo()
    assert snapshot(ad.root) == before


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("make it -3 seconds", "negative"),
        ("change the frame rate to 7.5", "unknown frame rate '7.5'"),
        ("fais-le en 0 seconde", "duration"),
        ("make it 5 hours", "longer than 4 hours"),
        ("passe à 12 images par seconde", "unknown frame rate"),
    ],
)
def test_a_bad_value_is_one_clear_error_and_changes_nothing(
    ad: Project, text: str, says: str
) -> None:
    before = snapshot(ad.root)
    with pytest.raises(InvalidInput) as caught:
        parse_feedback(text, ad)
    message = str(caught.value)
    assert says in message and "\n" not in message
    assert snapshot(ad.root) == before


def test_too_short_for_the_shots_is_refused_whole(ad: Project) -> None:
    before = snapshot(ad.root)
    with pytest.raises(InvalidInput, match="too short for the"):
        plan_changes(ad, [{"kind": "change_project_spec", "field": "duration", "value": "2"}])
    assert snapshot(ad.root) == before


def test_the_catalog_has_a_mutating_tool_for_it() -> None:
    from storycore.tools.catalog import catalog

    spec = next(t for t in catalog() if t.name == "change_project_spec")
    assert spec.mutating
    schema = spec.args.model_json_schema()
    assert set(schema["properties"]["field"]["enum"]) == {
        "duration_seconds",
        "fps",
        "aspect_ratio",
        "resolution",
    }


def test_the_same_spec_is_a_warning_not_a_change(ad: Project) -> None:
    plan = plan_changes(ad, [_spec(ad, "make it 9:16")])
    assert plan.regenerate_shots == []
    assert any("already" in w for w in plan.warnings)


# -- the title, and the assistant's graph ---------------------------------------------------


def _session(root: Path) -> Session:
    return Session(root, checkpointer=InMemorySaver(), context=Context.from_env(offline=True))


PROSE = (
    "Une boulangère ouvre sa boutique avant l'aube. Un livreur frappe à la vitre, trempé par "
    "la pluie. Elle lui tend un croissant encore chaud."
)


def test_the_title_is_editable_at_the_briefs_confirmation(tmp_path: Path) -> None:
    s = _session(tmp_path / "p")
    turn = s.plan(PROSE, source_name="aube.txt")
    assert turn.interrupt["kind"] == "confirm_brief"
    assert "title" in turn.interrupt["edit_fields"]

    turn = s.resume({"action": "edit", "edits": {"title": "  Le   Pain de l'Aube "}})
    assert turn.interrupt["kind"] == "confirm_brief"
    title_row = i18n.t("confirm.brief.row.title", turn.interrupt["language"])
    assert dict(turn.interrupt["rows"])[title_row] == "Le Pain de l'Aube"
    turn = s.resume({"action": "edit", "edits": {"title": "   "}})
    assert turn.interrupt["kind"] == "confirm_brief"
    assert "title is empty" in turn.interrupt["details"][0]
    assert not (tmp_path / "p").exists()
    while turn.interrupt is not None:
        turn = s.resume("approve")
    assert Project.open(tmp_path / "p").manifest.title == "Le Pain de l'Aube"


def test_plan_title_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from storycore.agent.cli.main import main

    brief = tmp_path / "aube.txt"
    brief.write_text(PROSE, encoding="utf-8")
    out = tmp_path / "p"
    argv = ["plan", str(brief), "-o", str(out), "--offline", "--yes", "--title", "Nuit Blanche"]
    assert main(argv) == 0
    assert Project.open(out).manifest.title == "Nuit Blanche"
    assert "Nuit Blanche" in capsys.readouterr().out
    bad = ["plan", str(brief), "-o", str(tmp_path / "q"), "--offline", "--yes", "--title", " "]
    assert main(bad) == 2
    err = capsys.readouterr().err
    assert "title is empty" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "q").exists()


def test_in_chat_a_spec_change_is_proposed_applied_and_undone(ad: Project) -> None:
    before = snapshot(ad.root)
    s = _session(ad.root)
    turn = s.say("passe en 16:9")
    assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_changes"
    rows = [line for _, line in turn.interrupt["rows"]]
    assert any("9:16 1080x1920 -> 16:9 1920x1080" in line for line in rows)
    for shot in load_shots(ad):
        assert shot.shot_id in turn.interrupt["details"][0]
    turn = s.resume("approve")
    assert Project.open(ad.root).manifest.technical_specs.aspect_ratio == "16:9"
    Project.open(ad.root).undo()
    assert snapshot(ad.root) == before


def test_a_quoted_title_is_one_edit_at_the_terminal() -> None:
    from storycore.agent.cli.render import parse_answer

    answer = parse_answer("edit title='La Nuit du Four' duration=45", ["approve", "edit"])
    assert answer == {"action": "edit", "edits": {"title": "La Nuit du Four", "duration": "45"}}


def test_a_model_the_user_chooses_says_the_crop_it_takes(ad: Project) -> None:
    apply_changes(ad, plan_changes(ad, [_spec(ad, "make it 4:3")]))
    models = ModelRegistry.load(ad.root)
    shot = load_shots(ad)[0]
    cropping = next(
        m
        for m in models.models("video")
        if m.id != shot.model_id and not m.supports_aspect("4:3") and m.reaches_ratio(4, 3)
    )
    parsed = parse_feedback(f"use {cropping.id} for {shot.shot_id}", ad)
    assert parsed.understood, parsed.unparsed
    apply_changes(ad, plan_changes(ad, parsed.modifications))
    chosen = load_shots(ad)[0]
    assert chosen.model_id == cropping.id
    assert "chosen by the user" in (chosen.model_reason or "")
    assert "centre-cropped to 4:3" in (chosen.model_reason or ""), chosen.model_reason
