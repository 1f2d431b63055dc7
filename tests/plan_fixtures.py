"""A small but realistic planned project on disk, for tests of the documents and exports.

:func:`build_planned_project` writes, through the real store (``Project.create``, a
transaction, the structure manager), what the planner leaves behind: technical specs, a few
elements (``01_elements/NN_Name/element.json``), three scenes of contiguous shots (including an
inserted ``shot_02a``) with characters, locations, props, dialogue and sound, and two segments.
Shot lengths are given in seconds and turned into frames at the project rate, so the same plan
exists at 24, 25, 23.976 and 29.97 fps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storycore.tools.domain import (
    AssetMetadata,
    DialogueLine,
    ElementType,
    Segment,
    ShotSpec,
    TechnicalSpecs,
)
from storycore.tools.project import Project
from storycore.tools.structure import ELEMENTS, add_element_folder, add_shots, set_segments
from storycore.tools.timecode import seconds_to_frames

#: A description that a careless HTML writer would execute.
HOSTILE_TEXT = '<script>alert("x")</script> & <img src=x onerror=alert(1)> "quoted" | pipe'


@dataclass(frozen=True)
class ElementSeed:
    element_id: str
    type: ElementType
    name: str
    description: str
    attributes: dict[str, str]


ELEMENT_SEEDS: tuple[ElementSeed, ...] = (
    ElementSeed(
        "char_gaby",
        ElementType.CHARACTER,
        "GaBy",
        "A young woman in her twenties, blonde curly hair, red raincoat.",
        {"hair": "blonde curly", "costume": "red raincoat", "eyes": "green"},
    ),
    ElementSeed(
        "char_judas",
        ElementType.CHARACTER,
        "Judas",
        "A tall man in his fifties with a grey beard and a dark overcoat.",
        {"beard": "grey, short", "wardrobe": "dark overcoat"},
    ),
    ElementSeed(
        "loc_old_bridge",
        ElementType.LOCATION,
        "Old Bridge",
        "A stone bridge over a dark river at night, gas lamps.",
        {},
    ),
    ElementSeed(
        "loc_cafe",
        ElementType.LOCATION,
        "Café Lumière",
        "A small Parisian café, warm light, fogged windows.",
        {},
    ),
    ElementSeed(
        "prop_red_umbrella", ElementType.PROP, "Red Umbrella", "A bright red umbrella.", {}
    ),
    ElementSeed("prop_letter", ElementType.PROP, "Letter", "A folded, handwritten letter.", {}),
    ElementSeed("veh_taxi", ElementType.VEHICLE, "Taxi", "A black 1960s Paris taxi.", {}),
)


@dataclass(frozen=True)
class ShotSeed:
    shot_id: str
    scene: str
    seconds: float
    segment_id: str
    fields: dict[str, Any]


SHOT_SEEDS: tuple[ShotSeed, ...] = (
    ShotSeed(
        "shot_01",
        "1",
        6.0,
        "seg_01",
        {
            "title": "Bridge at night",
            "shot_size": "EWS",
            "camera_movement": "crane",
            "camera_angle": "high",
            "lens_mm": 18,
            "scene_type": "establishing",
            "description": "The old bridge in the rain, gas lamps flicker.",
            "location": "loc_old_bridge",
            "weather": "rain",
            "time_of_day": "night",
            "sound_effects": ["rain", "distant thunder"],
            "model_id": "hunyuanvideo_15",
        },
    ),
    ShotSeed(
        "shot_02",
        "1",
        4.0,
        "seg_01",
        {
            "title": "GaBy walks",
            "shot_size": "WS",
            "camera_movement": "tracking",
            "lens_mm": 24,
            "description": "GaBy walks across the bridge under the red umbrella.",
            "characters": ["char_gaby"],
            "location": "loc_old_bridge",
            "props": ["prop_red_umbrella"],
            "weather": "rain",
            "time_of_day": "night",
            "model_id": "kling_25",
        },
    ),
    ShotSeed(
        "shot_02a",
        "1",
        2.5,
        "seg_01",
        {
            "title": "Umbrella detail",
            "shot_size": "ECU",
            "framing": "insert",
            "lens_mm": 100,
            "scene_type": "insert",
            "description": "Raindrops run down the red umbrella.",
            "props": ["prop_red_umbrella"],
            "location": "loc_old_bridge",
            "model_id": "hunyuanvideo_15",
        },
    ),
    ShotSeed(
        "shot_03",
        "2",
        5.0,
        "seg_01",
        {
            "title": "Judas waits",
            "shot_size": "MS",
            "framing": "ots",
            "camera_angle": "low",
            "lens_mm": 50,
            "scene_type": "dialogue",
            "description": "Over GaBy's shoulder: Judas waits at a café table.",
            "characters": ["char_judas", "char_gaby"],
            "location": "loc_cafe",
            "props": ["prop_letter"],
            "dialogue": [DialogueLine(character="JUDAS", text="You came.")],
            "music_cue": "Theme A, piano",
            "model_id": "wan22_14b",
        },
    ),
    ShotSeed(
        "shot_04",
        "2",
        3.0,
        "seg_02",
        {
            "title": "GaBy close",
            "shot_size": "CU",
            "camera_movement": "dolly_in",
            "lens_mm": 85,
            "scene_type": "close_up",
            "description": "GaBy reads the letter; her eyes fill with tears.",
            "characters": ["char_gaby"],
            "location": "loc_cafe",
            "props": ["prop_letter"],
            "model_id": "wan22_14b",
        },
    ),
    ShotSeed(
        "shot_05",
        "2",
        4.5,
        "seg_02",
        {
            "title": "Two at the table",
            "shot_size": "MCU",
            "framing": "two_shot",
            "camera_angle": "dutch",
            "camera_movement": "handheld",
            "lens_mm": 35,
            "scene_type": "dialogue",
            "description": "GaBy and Judas face each other, the letter between them.",
            "characters": ["char_gaby", "char_judas"],
            "location": "loc_cafe",
            "dialogue": [DialogueLine(character="GaBy", text="Why now?")],
            "model_id": "wan22_14b",
        },
    ),
    ShotSeed(
        "shot_06",
        "3",
        3.5,
        "seg_02",
        {
            "title": "Taxi leaves",
            "shot_size": "FS",
            "framing": "pov",
            "camera_movement": "pan",
            "lens_mm": 28,
            "scene_type": "action",
            "description": "From the café door: a taxi pulls away into the rain.",
            "characters": ["char_judas"],
            "props": ["veh_taxi"],
            "weather": "rain",
            "sound_effects": ["engine", "tyres on wet cobbles"],
            "transition_out": "fade_out",
            "model_id": None,
        },
    ),
)


def build_planned_project(
    root: Path,
    *,
    fps: str = "24",
    drop_frame: bool | None = None,
    aspect_ratio: str = "16:9",
    title: str = "The Red Umbrella",
    hostile: bool = False,
    style: str | None = "film noir, rain, a single red accent",
    repeat: int = 1,
) -> Project:
    """Create a planned project in ``root`` and return it.

    ``hostile`` puts HTML/Markdown/CSV-breaking text into the title and a description (to
    test escaping); ``repeat`` repeats the shot list that many times (more scenes and shots,
    same segments structure) for size tests.
    """
    specs = TechnicalSpecs(
        fps=fps,
        drop_frame=drop_frame,
        aspect_ratio=aspect_ratio,
        style=style,
        required_prompt_elements=["cinematic lighting", "no subtitles"],
    )
    full_title = f"{title} {HOSTILE_TEXT}" if hostile else title
    project = Project.create(root, title=full_title, specs=specs)
    rate = specs.rate
    with project.transaction("plan the fixture") as tx:
        for item in ELEMENT_SEEDS:
            ref = add_element_folder(tx, item.element_id, item.type, item.name)
            element = AssetMetadata(
                element_id=item.element_id,
                type=item.type,
                name=item.name,
                canonical_description=item.description,
                attributes=dict(item.attributes),
                shots=[s.shot_id for s in SHOT_SEEDS if item.element_id in _ids(s)],
            )
            tx.write_json(f"{ELEMENTS}/{ref.folder}/element.json", element)

        shots: list[ShotSpec] = []
        segments: dict[str, list[str]] = {}
        frame = 0
        elapsed = 0.0
        for round_ in range(repeat):
            for seed in SHOT_SEEDS:
                # Repeated rounds get shot_NNN ids: unique and within the id pattern.
                shot_id = seed.shot_id if round_ == 0 else f"shot_{len(shots) + 1:03d}"
                fields = {
                    "image_prompt": f"{seed.fields['description']} Keyframe.",
                    "video_prompt": seed.fields["description"],
                    "negative_prompt": "blurry, text, watermark",
                    **seed.fields,
                }
                if hostile and seed.shot_id == "shot_03":
                    fields["description"] = HOSTILE_TEXT
                    fields["video_prompt"] = '=HYPERLINK("http://evil.example")'
                elapsed += seed.seconds
                end = seconds_to_frames(elapsed, rate)
                segment_id = f"seg_{round_ * 2 + int(seed.segment_id[-1]):02d}"
                scene = str(round_ * 3 + int(seed.scene))
                shots.append(
                    ShotSpec(
                        shot_id=shot_id,
                        scene=scene,
                        segment_id=segment_id,
                        start_frame=frame,
                        end_frame=end,
                        **fields,
                    )
                )
                segments.setdefault(segment_id, []).append(shot_id)
                frame = end
        add_shots(tx, shots)
        by_id = {s.shot_id: s for s in shots}
        titles = {"1": "Rain", "0": "The Letter"}
        set_segments(
            tx,
            [
                Segment(
                    segment_id=segment_id,
                    title=titles[str(int(segment_id[-2:]) % 2)],
                    shot_ids=ids,
                    start_frame=by_id[ids[0]].start_frame,
                    end_frame=by_id[ids[-1]].end_frame,
                )
                for segment_id, ids in segments.items()
            ],
        )
    return project


def _ids(seed: ShotSeed) -> list[str]:
    ids = list(seed.fields.get("characters", [])) + list(seed.fields.get("props", []))
    if seed.fields.get("location"):
        ids.append(seed.fields["location"])
    return ids


def count_panel_draws(monkeypatch: Any) -> list[str]:
    """From now on, the id of every shot whose storyboard panel is drawn, in drawing order
    (``storyboard.draw_panel`` wrapped in this process; the real drawing still happens)."""
    from storycore.tools import storyboard as sb

    drawn: list[str] = []
    real = sb.draw_panel

    def counting(shot: ShotSpec, specs: TechnicalSpecs, names: Any = None) -> Any:
        drawn.append(shot.shot_id)
        return real(shot, specs, names)

    monkeypatch.setattr(sb, "draw_panel", counting)
    return drawn
