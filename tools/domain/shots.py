"""Scenes, shots and segments: the timeline of a plan.

Times are frame counts at the project rate (``start_frame`` inclusive, ``end_frame``
exclusive); :mod:`storycore.tools.timecode` turns them into SMPTE, SRT or seconds.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import Field, model_validator

from storycore.tools.domain.base import _Model
from storycore.tools.domain.values import AspectField, FpsField, Resolution
from storycore.tools.domain.vocabulary import (
    CameraAngle,
    CameraAngleField,
    CameraMovement,
    CameraMovementField,
    Framing,
    FramingField,
    IntExtField,
    SceneType,
    SceneTypeField,
    ShotSize,
    ShotSizeField,
    ShotStatus,
    ShotStatusField,
    Transition,
    TransitionField,
)


class DialogueLine(_Model):
    character: str
    text: str
    parenthetical: str | None = None


class Beat(_Model):
    """One unit of a scene: a line of action or of dialogue, in story order."""

    kind: Literal["action", "dialogue", "transition"]
    text: str
    character: str | None = None
    parenthetical: str | None = None
    extension: str | None = Field(
        None, description="A character cue's extension: V.O., O.S., O.C. (the speaker unseen)."
    )
    dual: bool = Field(False, description="Spoken at the same time as the neighbouring line.")


class Scene(_Model):
    scene_id: str = Field(pattern=r"^sc_\d{2,3}[a-z]?$", description="sc_01, sc_02...")
    number: str = Field(description="The screenplay's scene number ('1', '12A') or its order.")
    heading: str = ""
    location: str | None = Field(None, description="Location name as written.")
    int_ext: IntExtField | None = None
    time_of_day: str | None = None
    description: str = ""
    characters: list[str] = Field(default_factory=list, description="Character names.")
    props: list[str] = Field(default_factory=list, description="Prop names.")
    beats: list[Beat] = Field(default_factory=list)
    target_seconds: float | None = Field(None, gt=0)
    transition_in: TransitionField = Transition.CUT


class ShotSpec(_Model):
    """One shot: timing, framing, content, audio, assets, technical, status."""

    # identity and timing (frames at the project rate; end exclusive)
    shot_id: str = Field(pattern=r"^shot_\d{2,4}[a-z]{0,2}$", description="shot_01, shot_04a")
    title: str = Field("", max_length=200, description="A short name; its folder's name.")
    segment_id: str | None = Field(None, pattern=r"^seg_\d{2,3}$")
    scene: str = Field("1", description="Scene number this shot belongs to.")
    start_frame: int = Field(ge=0)
    end_frame: int = Field(gt=0, description="Exclusive: the next shot's start_frame.")
    # framing
    shot_size: ShotSizeField = ShotSize.MS
    framing: FramingField = Framing.SINGLE
    camera_angle: CameraAngleField = CameraAngle.EYE_LEVEL
    camera_movement: CameraMovementField = CameraMovement.STATIC
    camera_details: str = ""
    lens_mm: float = Field(
        35, gt=4, lt=1200, description="Focal length in mm (full-frame equivalent)."
    )
    scene_type: SceneTypeField = SceneType.ATMOSPHERIC
    # content
    description: str = ""
    action: str = ""
    characters: list[str] = Field(default_factory=list, description="Element ids.")
    location: str | None = Field(None, description="Element id of the location.")
    props: list[str] = Field(default_factory=list, description="Element ids.")
    time_of_day: str | None = None
    weather: str | None = None
    # audio
    music_cue: str | None = None
    vocals_type: Literal["none", "rap", "singing", "growl", "spoken", "instrumental"] | None = None
    lyrics_ref: str | None = None
    dialogue: list[DialogueLine] = Field(default_factory=list)
    narration: str | None = None
    sound_effects: list[str] = Field(default_factory=list)
    # assets
    start_keyframe: str | None = None
    end_keyframe: str | None = None
    reference_images: list[str] = Field(default_factory=list)
    # technical overrides (None: the project's)
    aspect_ratio: AspectField | None = None
    fps: FpsField | None = None
    resolution: Resolution | None = None
    # transitions and continuity
    transition_in: TransitionField = Transition.CUT
    transition_out: TransitionField = Transition.CUT
    continues_from: str | None = Field(
        None, description="Shot whose last frame starts this one (continuity)."
    )
    split_from: str | None = Field(None, description="The planned shot this one was split from.")
    # generation
    model_id: str | None = None
    fallback_models: list[str] = Field(default_factory=list)
    model_reason: str | None = None
    upscaler: str | None = Field(
        None,
        description="Upscaling step after the model (a registry upscaler id) when its native "
        "frame is below the shot's resolution; None: the model reaches it.",
    )
    image_prompt: str = ""
    video_prompt: str = ""
    negative_prompt: str = ""
    generation_notes: str = ""
    generation_hash: str | None = Field(
        None,
        description="shot_generation_hash of the spec its media was generated from; None: "
        "no valid media yet (see storycore.tools.regeneration).",
    )
    # status
    status: ShotStatusField = ShotStatus.PENDING
    version: int = Field(1, ge=1)
    locked: bool = False

    @model_validator(mode="before")
    @classmethod
    def _check_times(cls, data: Any) -> Any:
        # Checked before field validation so the message names the shot and both frames.
        if isinstance(data, dict):
            start, end = data.get("start_frame"), data.get("end_frame")
            if isinstance(start, int) and isinstance(end, int):
                name = data.get("shot_id", "the shot")
                if end == start:
                    raise ValueError(
                        f"{name} has a zero duration (starts and ends at frame {start})"
                    )
                if end < start:
                    raise ValueError(f"{name} ends (frame {end}) before it starts (frame {start})")
        return data

    @property
    def duration_frames(self) -> int:
        return self.end_frame - self.start_frame

    def element_ids(self) -> list[str]:
        """Every element this shot shows: characters, location, props."""
        ids = list(self.characters)
        if self.location:
            ids.append(self.location)
        ids.extend(self.props)
        return ids


class Segment(_Model):
    """A run of consecutive shots produced and reviewed together."""

    segment_id: str = Field(pattern=r"^seg_\d{2,3}$")
    title: str = ""
    shot_ids: list[str] = Field(min_length=1)
    start_frame: int = Field(ge=0)
    end_frame: int = Field(gt=0)
    transition_in: TransitionField = Transition.CUT
    transition_out: TransitionField = Transition.CUT
    depends_on: list[str] = Field(
        default_factory=list,
        description="Segments whose last frame this one continues from (continuity).",
    )
    status: ShotStatusField = ShotStatus.PENDING
    folder: str | None = Field(None, description="Relative, under 05_sequences/.")

    @model_validator(mode="after")
    def _check_times(self) -> Self:
        if self.end_frame <= self.start_frame:
            raise ValueError(
                f"{self.segment_id} ends (frame {self.end_frame}) at or before it starts "
                f"(frame {self.start_frame})"
            )
        return self
