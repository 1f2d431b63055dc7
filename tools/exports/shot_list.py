"""The shot list: one row per shot (:data:`SHOT_LIST_COLUMNS`), as rows or CSV bytes, and the
camera support each movement is shot with (:data:`EQUIPMENT`)."""

from __future__ import annotations

from storycore.tools.domain import CameraAngle, CameraMovement, ShotSpec
from storycore.tools.exports.common import _csv_text, _unique
from storycore.tools.storyboard import Plan, transition_text
from storycore.tools.timecode import format_seconds

#: The shot list's columns, in order.
SHOT_LIST_COLUMNS: tuple[str, ...] = (
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
    "Segment",
    "Location",
    "Transition",
)

_ANGLE_LABELS = {
    CameraAngle.EYE_LEVEL: "Eye level",
    CameraAngle.HIGH: "High",
    CameraAngle.LOW: "Low",
    CameraAngle.DUTCH: "Dutch",
    CameraAngle.OVERHEAD: "Overhead",
    CameraAngle.BIRDS_EYE: "Bird's eye",
    CameraAngle.WORMS_EYE: "Worm's eye",
}
_MOVEMENT_LABELS = {
    CameraMovement.STATIC: "Static",
    CameraMovement.PAN: "Pan",
    CameraMovement.TILT: "Tilt",
    CameraMovement.DOLLY_IN: "Dolly in",
    CameraMovement.DOLLY_OUT: "Dolly out",
    CameraMovement.TRUCK: "Truck",
    CameraMovement.PEDESTAL: "Pedestal",
    CameraMovement.CRANE: "Crane",
    CameraMovement.ZOOM_IN: "Zoom in",
    CameraMovement.ZOOM_OUT: "Zoom out",
    CameraMovement.HANDHELD: "Handheld",
    CameraMovement.TRACKING: "Tracking",
    CameraMovement.ORBIT: "Orbit",
}
#: The camera support each movement is shot with.
EQUIPMENT: dict[CameraMovement, str] = {
    CameraMovement.STATIC: "Tripod",
    CameraMovement.PAN: "Tripod (fluid head)",
    CameraMovement.TILT: "Tripod (fluid head)",
    CameraMovement.DOLLY_IN: "Dolly and track",
    CameraMovement.DOLLY_OUT: "Dolly and track",
    CameraMovement.TRUCK: "Dolly and track",
    CameraMovement.PEDESTAL: "Pedestal",
    CameraMovement.CRANE: "Crane / jib",
    CameraMovement.ZOOM_IN: "Tripod, zoom lens",
    CameraMovement.ZOOM_OUT: "Tripod, zoom lens",
    CameraMovement.HANDHELD: "Handheld rig",
    CameraMovement.TRACKING: "Steadicam / gimbal",
    CameraMovement.ORBIT: "Dolly and curved track",
}
#: Equipment a breakdown lists as special (anything beyond sticks and a handheld rig).
SPECIAL_EQUIPMENT = {
    CameraMovement.DOLLY_IN,
    CameraMovement.DOLLY_OUT,
    CameraMovement.TRUCK,
    CameraMovement.PEDESTAL,
    CameraMovement.CRANE,
    CameraMovement.TRACKING,
    CameraMovement.ORBIT,
}


def _sound(shot: ShotSpec) -> str:
    parts = []
    speakers = _unique(line.character for line in shot.dialogue)
    if speakers:
        parts.append("Dialogue: " + ", ".join(speakers))
    if shot.narration:
        parts.append("Narration")
    if shot.vocals_type and shot.vocals_type != "none":
        parts.append(f"Vocals: {shot.vocals_type}")
    if shot.music_cue:
        parts.append(f"Music: {shot.music_cue}")
    if shot.sound_effects:
        parts.append("SFX: " + ", ".join(shot.sound_effects))
    return "; ".join(parts)


def _notes(shot: ShotSpec) -> str:
    parts = []
    if shot.framing.value != "single":
        parts.append(f"Framing: {shot.framing.value.replace('_', ' ')}")
    if shot.transition_in.value != "cut":
        parts.append(f"Transition in: {shot.transition_in.value.replace('_', ' ')}")
    if shot.transition_out.value != "cut":
        parts.append(f"Transition out: {shot.transition_out.value.replace('_', ' ')}")
    if shot.continues_from:
        parts.append(f"Continues from {shot.continues_from}")
    if shot.split_from:
        parts.append(f"Split from {shot.split_from}")
    if shot.time_of_day:
        parts.append(f"Time: {shot.time_of_day}")
    if shot.weather:
        parts.append(f"Weather: {shot.weather}")
    if shot.camera_details:
        parts.append(shot.camera_details)
    if shot.generation_notes:
        parts.append(shot.generation_notes)
    if shot.locked:
        parts.append("Locked")
    return "; ".join(" ".join(p.split()) for p in parts)


def shot_list_rows(plan: Plan) -> list[dict[str, str]]:
    """The shot list: one row per shot, keyed by :data:`SHOT_LIST_COLUMNS`."""
    rows = []
    for planned in plan.shots:
        shot = planned.spec
        lens = shot.lens_mm
        rows.append(
            {
                "Scene": shot.scene,
                "Shot": shot.shot_id,
                "Description": shot.description or shot.action,
                "Shot Size": shot.shot_size.value,
                "Angle": _ANGLE_LABELS[shot.camera_angle],
                "Movement": _MOVEMENT_LABELS[shot.camera_movement],
                "Lens": f"{int(lens) if float(lens).is_integer() else lens}mm",
                "Equipment": EQUIPMENT[shot.camera_movement],
                "Cast": ", ".join(plan.element_name(i) for i in shot.characters),
                "Sound": _sound(shot),
                "Estimated Time": f"{format_seconds(shot.duration_frames, plan.rate)} s",
                "Notes": _notes(shot),
                "Start": plan.smpte(shot.start_frame),
                "End": plan.smpte(shot.end_frame),
                "Duration": str(shot.duration_frames),
                "Model": shot.model_id or "",
                "Segment": planned.segment_id,
                "Location": plan.element_name(shot.location) if shot.location else "",
                "Transition": transition_text(shot.transition_in.value, shot.transition_out.value),
            }
        )
    return rows


def shot_list_csv(plan: Plan) -> bytes:
    """The shot list as CSV bytes (UTF-8 with BOM, CRLF rows)."""
    return _csv_text(SHOT_LIST_COLUMNS, shot_list_rows(plan))
