"""The domain model: aliases in, canonical codes out, readable errors, JSON round trips."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from storycore.agent.cli.main import main
from storycore.tools.domain import (
    SCHEMA_MODELS,
    AssetMetadata,
    CameraAngle,
    CameraMovement,
    ElementType,
    Framing,
    ProjectManifest,
    Segment,
    ShotSize,
    ShotSpec,
    TechnicalSpecs,
    Transition,
    format_validation_error,
    parse_aspect_ratio,
)


@pytest.mark.parametrize(
    ("said", "code"),
    [
        ("close-up", "CU"),
        ("CU", "CU"),
        ("gros plan", "CU"),
        ("Close Up", "CU"),
        ("très gros plan", "ECU"),
        ("extreme close-up", "ECU"),
        ("plan américain", "MWS"),
        ("cowboy shot", "MWS"),
        ("wide", "WS"),
        ("plan d'ensemble", "WS"),
        ("ELS", "EWS"),
        ("medium close up", "MCU"),
        ("plan rapproché poitrine", "MCU"),
        ("plan moyen", "FS"),
    ],
)
def test_shot_size_aliases_are_written_as_one_code(said: str, code: str) -> None:
    shot = ShotSpec(shot_id="shot_01", start_frame=0, end_frame=24, shot_size=said)
    assert shot.shot_size is ShotSize(code)
    assert json.loads(shot.model_dump_json())["shot_size"] == code


def test_angle_movement_framing_and_transition_aliases() -> None:
    shot = ShotSpec(
        shot_id="shot_02",
        start_frame=0,
        end_frame=24,
        camera_angle="contre-plongée",
        camera_movement="travelling avant",
        framing="over-the-shoulder",
        transition_in="fondu enchaîné",
    )
    assert shot.camera_angle is CameraAngle.LOW
    assert shot.camera_movement is CameraMovement.DOLLY_IN
    assert shot.framing is Framing.OTS
    assert shot.transition_in is Transition.DISSOLVE
    assert ElementType.parse("personnage") is ElementType.CHARACTER


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"start_frame": 48, "end_frame": 24},
            "shot_03 ends (frame 24) before it starts (frame 48)",
        ),
        ({"start_frame": 24, "end_frame": 24}, "shot_03 has a zero duration"),
        ({"start_frame": 0, "end_frame": 24, "shot_size": "huge"}, "unknown shot size 'huge'"),
        (
            {"start_frame": 0, "end_frame": 24, "camera_movement": "wobble"},
            "unknown camera movement",
        ),
    ],
)
def test_invalid_shots_get_a_sentence_a_person_understands(fields: dict, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ShotSpec(shot_id="shot_03", **fields)
    text = format_validation_error(caught.value, subject="shot_03")
    assert message in text
    assert "\n" not in text and "errors.pydantic.dev" not in text


def test_specs_validate_rates_aspects_and_drop_frame() -> None:
    specs = TechnicalSpecs(fps="29.97", aspect_ratio="vertical", language="français")
    assert (specs.fps, specs.aspect_ratio, specs.language) == ("30000/1001", "9:16", "fr")
    assert specs.uses_drop_frame
    assert TechnicalSpecs(fps="23.976").fps == "24000/1001"
    with pytest.raises(ValidationError, match="drop-frame timecode does not exist at 25"):
        TechnicalSpecs(fps=25, drop_frame=True)
    with pytest.raises(ValidationError, match="unknown frame rate"):
        TechnicalSpecs(fps="31")
    assert parse_aspect_ratio("cinemascope") == "2.39:1"
    assert parse_aspect_ratio("1920x1080") == "16:9"


def test_a_segment_must_end_after_it_starts() -> None:
    with pytest.raises(ValidationError, match="seg_01 ends"):
        Segment(segment_id="seg_01", shot_ids=["shot_01"], start_frame=10, end_frame=10)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        ShotSpec(shot_id="shot_01", start_frame=0, end_frame=1, colour="red")
    assert "colour: unknown field" in format_validation_error(caught.value)


@given(
    start=st.integers(0, 10**6),
    length=st.integers(1, 10**5),
    size=st.sampled_from(list(ShotSize)),
    movement=st.sampled_from(list(CameraMovement)),
    text=st.text(max_size=80),
)
def test_shots_round_trip_through_json(
    start: int, length: int, size: ShotSize, movement: CameraMovement, text: str
) -> None:
    shot = ShotSpec(
        shot_id="shot_04a",
        start_frame=start,
        end_frame=start + length,
        shot_size=size,
        camera_movement=movement,
        description=text,
        characters=["char_gaby"],
    )
    again = ShotSpec.model_validate_json(shot.model_dump_json())
    assert again == shot
    assert again.duration_frames == length


def test_manifest_and_elements_round_trip() -> None:
    element = AssetMetadata(element_id="char_gaby", type="personnage", name="GaBy")
    manifest = ProjectManifest(title="Film", technical_specs=TechnicalSpecs(fps="59.94"))
    assert AssetMetadata.model_validate_json(element.model_dump_json()) == element
    assert ProjectManifest.model_validate_json(manifest.model_dump_json()) == manifest
    assert json.loads(element.model_dump_json())["type"] == "character"


@pytest.mark.parametrize("name", sorted(SCHEMA_MODELS))
def test_schema_command_prints_each_models_json_schema(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", name]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == name
    assert set(SCHEMA_MODELS[name].model_fields) == set(schema["properties"])


def test_schema_command_refuses_an_unknown_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "Storyboard"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown model 'Storyboard'" in err[0]
