"""The CMX3600 EDL and Final Cut Pro 7 XML writers: the OTIO adapters, with their traps handled
(the EDL's leading hour, its rate at NTSC non-drop-frame, its ``FCM`` line; the XML's
drop-frame display format)."""

from __future__ import annotations

import copy
from fractions import Fraction

import opentimelineio as otio
from anyascii import anyascii

from storycore.tools.errors import InvalidInput
from storycore.tools.exports.timeline import _range, _timeline, timeline_start_frame
from storycore.tools.project import Project
from storycore.tools.rates import is_drop_frame_rate, nominal_fps
from storycore.tools.storyboard import Plan

#: CMX3600 numbers events with three digits.
EDL_MAX_EVENTS = 999


def _max_events() -> int:
    """:data:`EDL_MAX_EVENTS`, looked up through the package at call time, so
    ``storycore.tools.exports.EDL_MAX_EVENTS`` stays the one name to change (the tests lower it
    by patching it there)."""
    from storycore.tools import exports

    return exports.EDL_MAX_EVENTS


def _edl_text(project: Project, plan: Plan) -> str:
    shots = plan.shots
    max_events = _max_events()
    if len(shots) > max_events:
        raise InvalidInput(
            f"a CMX3600 EDL holds at most {max_events} events and this plan has "
            f"{len(shots)} shots; export FCP XML or OTIO instead"
        )
    # The writer labels every NTSC rate drop-frame; non-drop 29.97 counts like 30, so write it
    # at the nominal rate with the same frame numbers.
    ntsc_non_drop = is_drop_frame_rate(plan.rate) and not plan.drop_frame
    rate = Fraction(nominal_fps(plan.rate)) if ntsc_non_drop else plan.rate
    fps = float(rate)
    # A fresh timeline is this function's own copy; deepcopy documents that the writer
    # mutates it.
    timeline = copy.deepcopy(_timeline(project, plan, rate=rate))
    timeline.name = " ".join(anyascii(plan.title).split())[:70] or "STORYCORE"
    tracks = timeline.tracks
    video = tracks[0]
    # The writer ignores global_start_time: a leading gap puts the first record at 01:00:00:00.
    start = timeline_start_frame(plan)
    video.insert(0, otio.schema.Gap(source_range=_range(0, start, fps)))
    text: str = otio.adapters.write_to_string(
        timeline, "cmx_3600", rate=fps, style="avid", reelname_len=8
    )
    fcm = "FCM: DROP FRAME" if plan.drop_frame else "FCM: NON-DROP FRAME"
    lines = text.splitlines()
    if lines and lines[0].startswith("TITLE:"):
        lines.insert(1, fcm)
    else:
        lines.insert(0, fcm)
    return "\n".join(lines).rstrip("\n") + "\n"


def _fcp_text(project: Project, plan: Plan) -> str:
    timeline = _timeline(project, plan, absolute=True)
    # The sequence timecode is written NDF unless told; the writer reads the display format
    # from this metadata.
    timeline.metadata["fcp_xml"] = {
        "timecode": {"displayformat": "DF" if plan.drop_frame else "NDF"}
    }
    text: str = otio.adapters.write_to_string(timeline, "fcp_xml")
    return text if text.endswith("\n") else text + "\n"
