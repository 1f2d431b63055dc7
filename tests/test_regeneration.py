"""The regeneration manager on projects planned by the real planner: the smallest set to
redo, applying in one transaction, undo, locks, and the dry-run contract."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from storycore.tools.domain import ShotStatus
from storycore.tools.errors import ConflictError, InvalidInput, NotFound
from storycore.tools.exports import export
from storycore.tools.feedback import (
    InsertShot,
    Lock,
    Modification,
    RegenerateWithout,
    SetModel,
    SetShotField,
    Unlock,
    UpdateElement,
    parse_feedback,
)
from storycore.tools.model_registry import ModelRegistry, max_clip_frames
from storycore.tools.planner import plan_project
from storycore.tools.project import Project
from storycore.tools.regeneration import (
    ChangePlan,
    apply_changes,
    plan_changes,
    record_generated,
    rewrite_trait,
    shot_generation_hash,
    stale_shots,
)
from storycore.tools.registry import AssetRegistry
from storycore.tools.storyboard import load_plan
from storycore.tools.structure import SHOTS, load_shots, shot_folder, write_shots

from .conftest import files_under, snapshot

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The short film and the ad, planned once; each test works on a copy."""
    base = tmp_path_factory.mktemp("templates")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORYCORE_CONFIG_DIR", str(base / "config"))
        patch.setenv("XDG_CONFIG_HOME", str(base / "config"))
        plan_project(
            (EXAMPLES / "short_film.fountain").read_text(),
            base / "film",
            source_name="short_film.fountain",
        )
        plan_project((EXAMPLES / "ad_brief.md").read_text(), base / "ad", source_name="ad_brief.md")
    yield {"film": base / "film", "ad": base / "ad"}


def _copy(source: Path, target: Path) -> Project:
    shutil.copytree(source, target)
    return Project.open(target)


@pytest.fixture
def film(templates: dict[str, Path], tmp_path: Path) -> Project:
    return _copy(templates["film"], tmp_path / "film")


@pytest.fixture
def ad(templates: dict[str, Path], tmp_path: Path) -> Project:
    return _copy(templates["ad"], tmp_path / "ad")


def planned(project: Project, text: str) -> ChangePlan:
    parsed = parse_feedback(text, project)
    assert parsed.understood, parsed.unparsed
    return plan_changes(project, parsed.modifications)


def shots_by_id(project: Project) -> dict[str, object]:
    return {s.shot_id: s for s in load_shots(project)}


def folder_bytes(project: Project, shot_id: str) -> dict[str, bytes]:
    folder = shot_folder(project, shot_id)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def assert_contiguous(project: Project) -> None:
    """Folders numbered 01..N in timeline order and shots laid end to end from frame 0."""
    refs = project.manifest.shots
    assert [int(r.folder[:2]) for r in refs] == list(range(1, len(refs) + 1))
    on_disk = sorted(p.name for p in project.path(SHOTS).iterdir() if p.is_dir())
    assert on_disk == sorted(r.folder for r in refs)
    shots = load_shots(project)
    assert shots[0].start_frame == 0
    for before, after in pairwise(shots):
        assert after.start_frame == before.end_frame
    load_plan(project)  # the storyboard's own checks: segments cover the timeline in order


# -- an element change -------------------------------------------------------------------


def test_hair_change_regenerates_exactly_the_shots_that_show_gaby(film: Project) -> None:
    shots = load_shots(film)
    with_gaby = [s.shot_id for s in shots if "char_gaby" in s.characters]
    assert with_gaby and len(with_gaby) < len(shots)

    plan = planned(film, "GaBy's hair should be blonde curly")

    assert plan.regenerate_shots == with_gaby
    assert plan.regenerate_elements == ["char_gaby"]
    segments_with = {
        seg.segment_id for seg in film.manifest.segments if set(seg.shot_ids) & set(with_gaby)
    }
    assert plan.regenerate_segments == sorted(segments_with)
    assert plan.summary[0] == f"char_gaby: hair -> blonde curly ({len(with_gaby)} shots)"
    assert plan.removed_shots == plan.inserted_shots == plan.moved_shots == []


def _umbrella_quotes_gaby(film: Project) -> None:
    # A user-written description of a prop that repeats the character's look.
    AssetRegistry(film).update(
        "prop_red_umbrella",
        canonical_description="A red umbrella held by GaBy (20s, soaked, dark curly hair).",
    )
    from storycore.tools.planner import build_prompts

    build_prompts(film)


def test_an_element_that_quotes_the_character_is_restated_too(film: Project) -> None:
    _umbrella_quotes_gaby(film)
    shots = load_shots(film)
    showing = {
        s.shot_id for s in shots if {"char_gaby", "prop_red_umbrella"} & set(s.element_ids())
    }
    plan = planned(film, "GaBy's hair should be blonde curly")
    assert set(plan.regenerate_shots) == showing
    assert plan.regenerate_elements == ["char_gaby", "prop_red_umbrella"]


def test_hair_change_reaches_every_prompt_and_nothing_else(film: Project) -> None:
    shots = load_shots(film)
    untouched = [
        s.shot_id
        for s in shots
        if "char_gaby" not in s.characters and "prop_red_umbrella" not in s.element_ids()
    ]
    before = {shot_id: folder_bytes(film, shot_id) for shot_id in untouched}
    plan = planned(film, "make GaBy's hair blonde and curly")

    applied = apply_changes(film, plan)

    after = shots_by_id(film)
    for shot_id in plan.regenerate_shots:
        shot = after[shot_id]
        for prompt in (shot.image_prompt, shot.video_prompt):  # type: ignore[attr-defined]
            assert "blonde and curly" in prompt, (shot_id, prompt)
            assert "dark curly hair" not in prompt, (shot_id, prompt)
        old = next(s for s in shots if s.shot_id == shot_id)
        assert shot.version == old.version + 1  # type: ignore[attr-defined]
        assert shot.status is ShotStatus.PENDING  # type: ignore[attr-defined]
    for shot_id in untouched:
        assert folder_bytes(film, shot_id) == before[shot_id], shot_id
    gaby = AssetRegistry(film).get("char_gaby")
    assert gaby.attributes == {"hair": "blonde and curly"}
    assert "blonde and curly hair" in gaby.canonical_description
    assert "dark curly hair" not in gaby.canonical_description
    assert gaby.current_version == 2
    assert gaby.versions[-1].note == "feedback: hair -> blonde and curly"
    assert applied.history_entry == film.history()[0].number
    assert applied.regenerated_shots == plan.regenerate_shots


def test_on_a_clean_brief_only_the_characters_shots_are_redone(ad: Project) -> None:
    shots = load_shots(ad)
    with_gaby = [s.shot_id for s in shots if "char_gaby" in s.characters]
    assert 0 < len(with_gaby) < len(shots)
    plan = planned(ad, "GaBy's hair should be blonde curly")
    assert plan.regenerate_shots == with_gaby
    assert plan.regenerate_elements == ["char_gaby"]
    apply_changes(ad, plan)
    gaby = AssetRegistry(ad).get("char_gaby")
    # "straight black bob" is her hair: restated, the rest of her description kept.
    assert "blonde curly hair" in gaby.canonical_description
    assert "black bob" not in gaby.canonical_description
    assert "teal scrubs" in gaby.canonical_description
    for shot in load_shots(ad):
        if shot.shot_id in with_gaby:
            assert "blonde curly hair" in shot.video_prompt
            assert "black bob" not in shot.video_prompt


def test_french_feedback_gives_the_same_look(film: Project) -> None:
    plan = planned(film, "les cheveux de GaBy doivent être blonds et bouclés")
    assert plan.modifications == [
        UpdateElement(element="char_gaby", attributes={"hair": "blonde and curly"})
    ]
    apply_changes(film, plan)
    assert "blonde and curly hair" in AssetRegistry(film).get("char_gaby").canonical_description


def test_replace_mode_and_a_new_description(film: Project) -> None:
    registry = AssetRegistry(film)
    registry.update("char_marc", attributes={"coat": "black", "beard": "short"})
    plan = plan_changes(
        film,
        [
            UpdateElement(
                element="Marc",
                attributes={"coat": "grey trench coat"},
                description="Marc, 30s, tall, a camera bag on his shoulder",
                mode="replace",
            )
        ],
    )
    apply_changes(film, plan)
    marc = AssetRegistry(film).get("char_marc")
    assert marc.attributes == {"coat": "grey trench coat"}
    assert marc.canonical_description == "Marc, 30s, tall, a camera bag on his shoulder"
    with_marc = {s.shot_id for s in load_shots(film) if "char_marc" in s.element_ids()}
    assert set(plan.regenerate_shots) == with_marc


# -- rewriting a trait -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        (
            "GaBy (20s, soaked, dark curly hair) waits.",
            "blonde and curly",
            "GaBy (20s, soaked, blonde and curly hair) waits.",
        ),
        ("a nurse, straight black bob, teal scrubs", "red", "a nurse, red hair, teal scrubs"),
        ("a dark-haired woman", "red", "a red-haired woman"),
        ("she has blue eyes and long dark hair", "short", "she has blue eyes and short hair"),
        ("une femme aux cheveux bruns et raides", "blonds", "une femme aux cheveux blonds"),
        ("blonde and curly hair", "red", "red hair"),
        ("a tall woman in a red coat", "blonde", "a tall woman in a red coat"),
    ],
)
def test_rewrite_trait_in_its_own_description(text: str, value: str, expected: str) -> None:
    assert rewrite_trait(text, "hair", value, subject_names=["GaBy"], whole=True) == expected


def test_rewrite_trait_only_where_the_text_describes_the_subject() -> None:
    text = "GaBy, dark hair, faces Marc, grey hair. Gaby's Kitchen has dark hair dryers."
    out = rewrite_trait(
        text,
        "hair",
        "red",
        subject_names=["GaBy"],
        other_names=["Marc", "GABY'S KITCHEN"],
    )
    assert out == "GaBy, red hair, faces Marc, grey hair. Gaby's Kitchen has dark hair dryers."


# -- timing and order ------------------------------------------------------------------


def test_retime_regenerates_that_shot_only(film: Project) -> None:
    before = load_shots(film)
    plan = planned(film, "shot 5 should last 4 seconds")
    assert plan.regenerate_shots == ["shot_05"]
    assert plan.regenerate_segments == ["seg_01"]
    apply_changes(film, plan)
    after = load_shots(film)
    assert_contiguous(film)
    by_id = {s.shot_id: s for s in after}
    assert by_id["shot_05"].duration_frames == 96
    grew = 96 - next(s for s in before if s.shot_id == "shot_05").duration_frames
    assert after[-1].end_frame == before[-1].end_frame + grew
    for old in before:
        if old.shot_id == "shot_05":
            continue
        new = by_id[old.shot_id]
        # Later shots moved in time; nothing else about them changed.
        moved = {"start_frame", "end_frame"}
        assert new.model_dump(exclude=moved) == old.model_dump(exclude=moved)


def test_a_shot_too_long_for_its_model_is_split(film: Project) -> None:
    veo = ModelRegistry.load(film.root).get("veo3")
    limit = max_clip_frames(veo, 24)
    plan = planned(film, "shot 5 should last 20 seconds")
    assert plan.removed_shots == ["shot_05"]
    assert plan.regenerate_shots == ["shot_05a", "shot_05b", "shot_05c"]
    assert any("shot_05: split into shot_05a, shot_05b, shot_05c" in s for s in plan.summary)
    apply_changes(film, plan)
    assert_contiguous(film)
    parts = [s for s in load_shots(film) if s.shot_id.startswith("shot_05")]
    assert sum(p.duration_frames for p in parts) == 480
    assert all(p.duration_frames <= limit for p in parts)


def test_a_continuing_shot_follows_the_one_it_continues(film: Project) -> None:
    assert shots_by_id(film)["shot_11b"].continues_from == "shot_11a"  # type: ignore[attr-defined]
    plan = planned(film, "shot 11a should last 3 seconds")
    assert plan.regenerate_shots == ["shot_11a", "shot_11b"]


def test_insert_after_a_shot(film: Project) -> None:
    count = len(load_shots(film))
    plan = planned(film, "add a shot of the bridge after shot 2")
    assert plan.inserted_shots == ["shot_02a"]
    assert plan.regenerate_shots == ["shot_02a"]
    assert plan.regenerate_segments == ["seg_01"]
    apply_changes(film, plan)
    assert_contiguous(film)
    shots = load_shots(film)
    assert len(shots) == count + 1
    assert [s.shot_id for s in shots[:4]] == ["shot_01", "shot_02", "shot_02a", "shot_03"]
    new = shots[2]
    assert new.location == "loc_old_bridge" and new.segment_id == "seg_01"
    assert new.model_id and new.image_prompt and "Old Bridge" in new.image_prompt
    assert film.manifest.shots[2].folder.startswith("03_")
    assert "shot_02a" in AssetRegistry(film).get("loc_old_bridge").shots
    assert "shot_02a" in film.manifest.segments[0].shot_ids


def test_inserted_ids_are_never_reused(film: Project) -> None:
    apply_changes(film, planned(film, "add a shot of the bridge after shot 2"))
    second = planned(film, "add a close-up of GaBy after shot 2")
    assert second.inserted_shots == ["shot_02b"]
    # A removed shot whose clip was rendered keeps its id: its media is still on disk.
    apply_changes(film, planned(film, "remove shot 2a"))
    (film.path("03_videos") / "shot_02a_video.mp4").write_bytes(b"clip")
    again = planned(film, "add a shot of the bridge after shot 2")
    assert again.inserted_shots == ["shot_02b"]


def test_insert_at_the_start(film: Project) -> None:
    plan = plan_changes(film, [InsertShot(after=None, description="Black screen, rain sound")])
    assert plan.inserted_shots == ["shot_00"]
    apply_changes(film, plan)
    assert_contiguous(film)
    assert load_shots(film)[0].shot_id == "shot_00"


def test_remove_regenerates_only_the_segment_assembly(film: Project) -> None:
    count = len(load_shots(film))
    plan = planned(film, "remove shot 7")
    assert plan.regenerate_shots == []
    assert plan.regenerate_segments == ["seg_01"]
    assert plan.removed_shots == ["shot_07"]
    apply_changes(film, plan)
    assert_contiguous(film)
    assert len(load_shots(film)) == count - 1
    assert "shot_07" not in AssetRegistry(film).get("char_marc").shots
    assert "shot_07" not in film.manifest.segments[0].shot_ids


def test_move_regenerates_nothing(film: Project) -> None:
    plan = planned(film, "move shot 4 after shot 6")
    assert plan.regenerate_shots == []
    assert plan.moved_shots == ["shot_04"]
    assert plan.regenerate_segments == ["seg_01"]
    apply_changes(film, plan)
    assert_contiguous(film)
    assert [s.shot_id for s in load_shots(film)[:6]] == [
        "shot_01",
        "shot_02",
        "shot_03",
        "shot_05",
        "shot_06",
        "shot_04",
    ]


def test_move_into_another_segment(film: Project) -> None:
    plan = planned(film, "move shot 4 after shot 20")
    assert plan.regenerate_segments == ["seg_01", "seg_02"]
    apply_changes(film, plan)
    assert_contiguous(film)
    assert shots_by_id(film)["shot_04"].segment_id == "seg_02"  # type: ignore[attr-defined]


# -- models ----------------------------------------------------------------------------


def test_switch_every_shot_to_sora(film: Project) -> None:
    not_sora = [s.shot_id for s in load_shots(film) if s.model_id != "sora2"]
    assert not_sora
    plan = planned(film, "switch the model to Sora-2")
    # Sora 2 makes the split kitchen shot in one clip: its parts merge back into shot_11.
    parts = ["shot_11a", "shot_11b"]
    assert set(parts) <= set(not_sora) and set(parts) <= set(plan.removed_shots)
    assert set(plan.regenerate_shots) == (set(not_sora) - set(parts)) | {"shot_11"}
    apply_changes(film, plan)
    assert {s.model_id for s in load_shots(film)} == {"sora2"}
    assert_contiguous(film)


def test_a_model_with_short_clips_splits_the_long_shots(film: Project) -> None:
    wan = ModelRegistry.load(film.root).get("wan22_14b")
    limit = max_clip_frames(wan, 24)
    scene_two = [s for s in load_shots(film) if s.scene == "2"]
    too_long = [s.shot_id for s in scene_two if s.duration_frames > limit]
    assert too_long, "the example should have a kitchen shot longer than Wan's clip"
    plan = planned(film, "use Wan for the kitchen scene")
    assert plan.removed_shots == too_long
    apply_changes(film, plan)
    assert_contiguous(film)
    after = [s for s in load_shots(film) if s.scene == "2"]
    assert {s.model_id for s in after} == {"wan22_14b"}
    assert all(s.duration_frames <= limit for s in after)
    assert sum(s.duration_frames for s in after) == sum(s.duration_frames for s in scene_two)
    others = [s for s in load_shots(film) if s.scene != "2"]
    assert "wan22_14b" not in {s.model_id for s in others}


def test_an_image_model_cannot_make_shots(film: Project) -> None:
    with pytest.raises(InvalidInput, match="image"):
        plan_changes(film, [SetModel(model_id="flux1_dev", shot_ids=["shot_03"])])
    with pytest.raises(NotFound, match="nope"):
        plan_changes(film, [SetShotField(shot_id="shot_03", field="model_id", value="nope")])


# -- audio and plain regeneration ------------------------------------------------------


def test_regenerate_without_narration(film: Project) -> None:
    narrated = [s.shot_id for s in load_shots(film) if s.narration]
    assert narrated
    plan = planned(film, "quality is low, regenerate without narration")
    assert plan.regenerate_shots == narrated
    apply_changes(film, plan)
    assert not any(s.narration for s in load_shots(film))


def test_regenerate_without_for_named_shots_redoes_them(film: Project) -> None:
    plan = plan_changes(film, [RegenerateWithout(aspect="music", shot_ids=["shot_05"])])
    assert plan.regenerate_shots == ["shot_05"]


def test_redo_marks_the_shot(film: Project) -> None:
    record_generated(film, ["shot_04"])
    plan = planned(film, "shot 4 looks bad, redo it")
    assert plan.regenerate_shots == ["shot_04"]
    apply_changes(film, plan)
    shot = shots_by_id(film)["shot_04"]
    assert shot.version == 2 and shot.status is ShotStatus.PENDING  # type: ignore[attr-defined]
    assert shot.generation_hash is None  # type: ignore[attr-defined]


def test_shot_field_change_keeps_lens_and_details_consistent(film: Project) -> None:
    shot = shots_by_id(film)["shot_02"]
    assert (shot.shot_size.value, shot.lens_mm) == ("MS", 40.0)  # type: ignore[attr-defined]
    apply_changes(film, planned(film, "make shot 2 a close-up and shot 2 dolly in"))
    shot = shots_by_id(film)["shot_02"]
    assert shot.lens_mm == 85.0  # type: ignore[attr-defined]
    assert shot.camera_details == "85mm, slow push in"  # type: ignore[attr-defined]
    assert "close-up" in shot.image_prompt  # type: ignore[attr-defined]


# -- locks -----------------------------------------------------------------------------


def test_a_locked_shot_is_refused_until_unlocked(film: Project) -> None:
    apply_changes(film, plan_changes(film, [Lock(target="shot_05")]))
    assert shots_by_id(film)["shot_05"].locked  # type: ignore[attr-defined]
    with pytest.raises(ConflictError, match=r"shot_05 is locked.*unlock shot_05"):
        planned(film, "GaBy's hair should be red")
    with pytest.raises(ConflictError, match="shot_05"):
        planned(film, "remove shot 5")
    plan = planned(film, "unlock shot 5 and make GaBy's hair red")
    assert "shot_05" in plan.regenerate_shots
    apply_changes(film, plan)
    assert not shots_by_id(film)["shot_05"].locked  # type: ignore[attr-defined]


def test_an_approved_shot_is_refused_but_may_move(film: Project) -> None:
    shots = load_shots(film)
    with film.transaction("approve") as tx:
        write_shots(tx, [shots[3].model_copy(update={"status": ShotStatus.APPROVED})])
    with pytest.raises(ConflictError, match="shot_04 is approved"):
        planned(film, "redo shot 4")
    plan = planned(film, "move shot 4 after shot 6")
    apply_changes(film, plan)
    assert shots_by_id(film)["shot_04"].status is ShotStatus.APPROVED  # type: ignore[attr-defined]


def test_a_locked_element_is_refused_until_unlocked(film: Project) -> None:
    AssetRegistry(film).lock("char_gaby")
    with pytest.raises(ConflictError, match=r"char_gaby is locked.*unlock GaBy"):
        planned(film, "GaBy's hair should be red")
    plan = plan_changes(
        film,
        [Unlock(target="GaBy"), UpdateElement(element="char_gaby", attributes={"hair": "red"})],
    )
    apply_changes(film, plan)
    gaby = AssetRegistry(film).get("char_gaby")
    assert gaby.attributes["hair"] == "red" and not gaby.locked


def test_an_approved_element_needs_an_unlock_too(film: Project) -> None:
    AssetRegistry(film).approve("char_marc")
    with pytest.raises(ConflictError, match="char_marc is approved"):
        planned(film, "Marc's coat should be red")
    apply_changes(film, planned(film, "unlock Marc and Marc's coat should be red"))
    assert AssetRegistry(film).get("char_marc").status.value == "draft"


# -- dry run, undo, JSON ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "make GaBy's hair blonde and curly",
        "make shot 3 a wide shot and remove shot 7",
        "add a close-up of GaBy after shot 2. move shot 30 to the start",
        "use Wan for the kitchen scene",
    ],
)
def test_planning_writes_nothing_and_undo_restores_exactly(film: Project, text: str) -> None:
    before, names = snapshot(film.root), files_under(film.root)
    plan = planned(film, text)
    assert files_under(film.root) == names
    assert snapshot(film.root) == before
    apply_changes(film, plan)
    assert snapshot(film.root) != before
    film.undo()
    assert snapshot(film.root) == before


def test_a_stale_plan_that_no_longer_applies_is_refused(film: Project) -> None:
    plan = planned(film, "remove shot 7")
    apply_changes(film, planned(film, "remove shot 7"))
    with pytest.raises(ConflictError, match=r"no longer applies.*plan it again"):
        apply_changes(film, plan)


def test_a_stale_plan_on_other_shots_is_planned_again_and_applied(film: Project) -> None:
    plan = planned(film, "remove shot 7")
    apply_changes(film, planned(film, "remove shot 8"))
    applied = apply_changes(film, plan)
    assert applied.removed_shots == ["shot_07"]
    ids = [ref.shot_id for ref in film.manifest.shots]
    assert "shot_07" not in ids and "shot_08" not in ids


def test_dry_run_json_contract(film: Project) -> None:
    plan = planned(film, "make GaBy's hair blonde and curly and remove shot 7")
    data = plan.as_json()
    json.dumps(data)
    assert data["modifications"][0] == {
        "kind": "update_element",
        "element": "char_gaby",
        "attributes": {"hair": "blonde and curly"},
        "description": None,
        "mode": "merge",
    }
    assert data["modifications"][1] == {"kind": "remove_shot", "shot_id": "shot_07"}
    assert data["regenerate"] == sorted(
        {*data["regenerate_shots"], *data["regenerate_segments"], *data["regenerate_elements"]}
    )
    assert "char_gaby" in data["regenerate"] and "seg_01" in data["regenerate"]
    for key in ("summary", "warnings", "documents", "removed_shots", "inserted_shots"):
        assert isinstance(data[key], list)
    assert "storyboard.json" in data["documents"]


def test_existing_exports_are_rewritten(film: Project) -> None:
    path = export(film, "csv")
    assert "shot_07" in path.read_text(encoding="utf-8-sig")
    plan = planned(film, "remove shot 7")
    assert f"exports/{path.name}" in plan.documents
    apply_changes(film, plan)
    assert "shot_07" not in path.read_text(encoding="utf-8-sig")


def test_nothing_to_do_is_not_an_undo_entry(film: Project) -> None:
    plan = plan_changes(film, [SetShotField(shot_id="shot_03", field="shot_size", value="CU")])
    assert plan.regenerate_shots == [] and plan.warnings
    assert apply_changes(film, plan).history_entry is None


def test_no_modification_is_refused(film: Project) -> None:
    with pytest.raises(InvalidInput, match="no modification"):
        plan_changes(film, [])


def test_modifications_as_json_objects(film: Project) -> None:
    data: list[dict[str, object]] = [{"kind": "retime_shot", "shot_id": "5", "duration_seconds": 3}]
    plan = plan_changes(film, data)
    assert plan.regenerate_shots == ["shot_05"]
    with pytest.raises(InvalidInput):
        plan_changes(film, [{"kind": "retime_shot", "shot_id": "shot_05"}])


# -- hashes and staleness --------------------------------------------------------------


def test_generation_hash_ignores_the_place_in_the_timeline(film: Project) -> None:
    shot = load_shots(film)[4]
    elements = {e.element_id: e for e in AssetRegistry(film).list()}
    base = shot_generation_hash(shot, elements)
    moved = shot.model_copy(update={"start_frame": 1000, "end_frame": 1000 + shot.duration_frames})
    assert shot_generation_hash(moved, elements) == base
    longer = shot.model_copy(update={"end_frame": shot.end_frame + 1})
    assert shot_generation_hash(longer, elements) != base
    gaby = elements["char_gaby"].model_copy(update={"attributes": {"hair": "red"}})
    assert shot_generation_hash(shot, {**elements, "char_gaby": gaby}) != base


def test_stale_shots_follow_what_was_generated(film: Project) -> None:
    every = [s.shot_id for s in load_shots(film)]
    assert stale_shots(film) == every  # planned, never rendered
    record_generated(film, every)
    assert stale_shots(film) == []
    plan = planned(film, "GaBy's hair should be red")
    apply_changes(film, plan)
    assert stale_shots(film) == plan.regenerate_shots


def modification_kinds(plan: ChangePlan) -> list[str]:
    return [m.kind for m in plan.modifications]


def test_normalised_modifications_name_resolved_ids(film: Project) -> None:
    mods: list[Modification] = [
        UpdateElement(element="gaby", attributes={"eyes": "green"}),
        SetShotField(shot_id="3", field="shot_size", value="wide"),
    ]
    plan = plan_changes(film, mods)
    assert plan.modifications == [
        UpdateElement(element="char_gaby", attributes={"eyes": "green"}),
        SetShotField(shot_id="shot_03", field="shot_size", value="WS"),
    ]


def test_an_approved_element_that_quotes_the_character_is_left_alone(film: Project) -> None:
    _umbrella_quotes_gaby(film)
    AssetRegistry(film).approve("prop_red_umbrella")
    plan = planned(film, "make GaBy's hair blonde and curly")
    assert plan.regenerate_elements == ["char_gaby"]
    assert any("prop_red_umbrella is approved" in w for w in plan.warnings)
    with_gaby = [s.shot_id for s in load_shots(film) if "char_gaby" in s.characters]
    assert plan.regenerate_shots == with_gaby


def test_moving_a_continuing_shot_breaks_its_continuity(film: Project) -> None:
    plan = planned(film, "move shot 11b after shot 20")
    assert plan.regenerate_shots == []
    assert any("shot_11b no longer continues from shot_11a" in w for w in plan.warnings)
    apply_changes(film, plan)
    assert shots_by_id(film)["shot_11b"].continues_from is None  # type: ignore[attr-defined]
    assert_contiguous(film)


def test_a_segment_left_without_shots_disappears(film: Project) -> None:
    last = film.manifest.segments[-1]
    first, final = last.shot_ids[0], last.shot_ids[-1]
    plan = planned(film, f"remove shots {first[5:]} to {final[5:]}")
    assert plan.removed_shots == last.shot_ids
    assert f"{last.segment_id}: removed (it has no shots left)" in plan.summary
    apply_changes(film, plan)
    assert last.segment_id not in {s.segment_id for s in film.manifest.segments}
    assert_contiguous(film)


def test_an_empty_weather_clears_it(film: Project) -> None:
    assert shots_by_id(film)["shot_03"].weather == "rain"  # type: ignore[attr-defined]
    plan = plan_changes(film, [SetShotField(shot_id="shot_03", field="weather", value="")])
    assert plan.summary == ["shot_03: weather rain -> none"]
    apply_changes(film, plan)
    shot = shots_by_id(film)["shot_03"]
    assert shot.weather is None and "Weather" not in shot.video_prompt  # type: ignore[attr-defined]
