"""What the studio's JSON API returns: the project, its shots, timeline and elements, and a
conversation's state, read from the project on disk (the source of truth) and from the thread.

Everything here is read-only and computed by the deterministic core (timecodes, the
storyboard document, what a pending change would regenerate); the page only lays it out.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

from storycore.agent.web.labels import labels_for
from storycore.tools.errors import StoryCoreError
from storycore.tools.project import INTERNAL, MANIFEST, Project

#: Ticks the timeline ruler aims for (the step is rounded to a readable length).
RULER_TICKS = 10
_STEPS_SECONDS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
#: A confirmation kind as the page's ``data-kind`` names it.
SHORT_KINDS = {
    "confirm_brief": "brief",
    "confirm_cost": "cost",
    "confirm_storyboard": "storyboard",
    "confirm_changes": "changes",
    "gate_failed": "gate",
    "confirm_production_cost": "production_cost",
    "confirm_segment": "segment",
    "confirm_final": "final",
}


def file_url(rel: str, version: object = None) -> str:
    """The studio URL of a project-relative file (``?v=`` makes a new version reload)."""
    url = "/files/" + quote(rel, safe="/")
    return f"{url}?v={version}" if version is not None else url


def project_stamp(root: Path) -> str:
    """A short fingerprint of the project's state on disk: it changes whenever a transaction
    commits or is undone (the manifest, the storyboard and the undo history are rewritten)."""
    parts: list[str] = []
    for rel in (MANIFEST, "storyboard.json", f"{INTERNAL}/history"):
        try:
            stat = (root / rel).stat()
        except OSError:
            parts.append(f"{rel}:-")
            continue
        parts.append(f"{rel}:{stat.st_mtime_ns}:{stat.st_size}")
    history = root / INTERNAL / "history"
    if history.is_dir():
        parts.append(",".join(sorted(p.name for p in history.iterdir())))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _open(root: Path) -> Project | None:
    """The project, for reading (``None`` when the folder holds none yet). ``Project.open``
    leaves alone the journal of a transaction this server is running (a production segment, an
    applied change) and rolls back only what a crashed process left."""
    if not Project.is_project(root):
        return None
    return Project.open(root)


def project_view(root: Path, *, fallback_language: str, offline: bool, mode: str) -> dict[str, Any]:
    """The project's headline: title, phase, specs, counts, total, language and labels."""
    project = _open(root)
    view: dict[str, Any] = {
        "exists": project is not None,
        "stamp": project_stamp(root),
        "offline": offline,
        "mode": mode,
        "production": True,  # the production view and API (docs/web-studio.md)
    }
    language = fallback_language
    if project is not None:
        manifest = project.manifest
        specs = manifest.technical_specs
        language = specs.language
        from storycore.tools.timecode import format_smpte

        total = 0
        try:
            from storycore.tools.storyboard import load_plan

            plan = load_plan(project)
            total = plan.end_frame - plan.start_frame
        except StoryCoreError:
            plan = None
        view.update(
            {
                "title": manifest.title,
                "phase": manifest.phase.value,
                "specs": {
                    "aspect_ratio": specs.aspect_ratio,
                    "resolution": str(specs.resolution),
                    "frame_rate": specs.fps,
                    "drop_frame": specs.uses_drop_frame,
                    "language": specs.language,
                    "prompt_language": specs.prompt_language,
                    "style": specs.style,
                },
                "counts": {
                    "shots": len(manifest.shots),
                    "segments": len(manifest.segments),
                    "elements": len(manifest.elements),
                },
                "total_frames": total,
                "total": format_smpte(total, specs.rate, drop_frame=specs.uses_drop_frame),
                "planned": plan is not None,
            }
        )
    code, labels = labels_for(language)
    view["language"] = code
    view["labels"] = labels
    return view


def _names(elements: dict[str, Any], ids: list[str]) -> list[dict[str, str]]:
    return [{"id": i, "name": str(elements.get(i, {}).get("name", i))} for i in ids]


def shots_view(root: Path) -> dict[str, Any]:
    """Segments with their shots: every field a shot card shows, and its panel's URL."""
    project = _open(root)
    if project is None:
        return {"segments": [], "shots": 0}
    from storycore.tools.storyboard import load_plan, storyboard_from_plan

    try:
        plan = load_plan(project)
    except StoryCoreError as exc:
        return {"segments": [], "shots": 0, "problem": str(exc)}
    board = storyboard_from_plan(plan)
    specs = {shot.spec.shot_id: shot.spec for shot in plan.shots}
    elements = board["elements"]
    segments = []
    for segment in board["segments"]:
        shots = []
        for entry in segment["shots"]:
            spec = specs[entry["shot_id"]]
            panel = entry["panel"]
            shots.append(
                {
                    **entry,
                    "segment_id": segment["segment_id"],
                    "model_reason": spec.model_reason,
                    "locked": spec.locked,
                    "cast": _names(elements, list(entry["characters"])),
                    "location_name": _names(elements, [entry["location"]])[0]["name"]
                    if entry["location"]
                    else None,
                    "panel_url": file_url(panel, entry["version"])
                    if project.exists(panel)
                    else None,
                }
            )
        segments.append({**segment, "shots": shots})
    return {
        "title": board["title"],
        "frame_rate": board["frame_rate"],
        "drop_frame": board["drop_frame"],
        "total_frames": board["total_frames"],
        "total": board["end"],
        "shots": board["shot_count"],
        "segments": segments,
    }


def _ruler_step(total_seconds: float) -> int:
    for step in _STEPS_SECONDS:
        if total_seconds / step <= RULER_TICKS:
            return step
    return _STEPS_SECONDS[-1]


def timeline_view(root: Path) -> dict[str, Any]:
    """Segments as strips of shots, each placed in percent of the film, with a SMPTE ruler."""
    project = _open(root)
    if project is None:
        return {"segments": [], "ruler": [], "total_frames": 0}
    from storycore.tools.storyboard import load_plan
    from storycore.tools.timecode import format_smpte, seconds_to_frames

    try:
        plan = load_plan(project)
    except StoryCoreError as exc:
        return {"segments": [], "ruler": [], "total_frames": 0, "problem": str(exc)}
    rate, drop = plan.rate, plan.drop_frame
    start, total = plan.start_frame, plan.end_frame - plan.start_frame

    def pct(frames: int) -> float:
        return round(100.0 * frames / total, 4) if total else 0.0

    def smpte(frame: int) -> str:
        return format_smpte(frame, rate, drop_frame=drop)

    segments = []
    for segment in plan.segments:
        shots = [
            {
                "shot_id": s.spec.shot_id,
                "title": s.spec.title,
                "start": smpte(s.spec.start_frame),
                "end": smpte(s.spec.end_frame),
                "duration_frames": s.spec.duration_frames,
                "left": pct(s.spec.start_frame - start),
                "width": pct(s.spec.duration_frames),
                "width_in_segment": round(
                    100.0 * s.spec.duration_frames / (segment.end_frame - segment.start_frame), 4
                ),
                "shot_size": s.spec.shot_size.value,
                "transition_in": s.spec.transition_in.value,
                "transition_out": s.spec.transition_out.value,
                "status": s.spec.status.value,
            }
            for s in segment.shots
        ]
        segments.append(
            {
                "segment_id": segment.segment_id,
                "title": segment.title,
                "start": smpte(segment.start_frame),
                "end": smpte(segment.end_frame),
                "duration_frames": segment.end_frame - segment.start_frame,
                "left": pct(segment.start_frame - start),
                "width": pct(segment.end_frame - segment.start_frame),
                "transition_in": segment.transition_in,
                "transition_out": segment.transition_out,
                "shots": shots,
            }
        )
    step = seconds_to_frames(_ruler_step(float(total / rate)), rate)
    ticks = [
        {"frame": f, "smpte": smpte(start + f), "left": pct(f)}
        for f in range(0, total, step)
        if f == 0 or pct(total - f) >= 18  # no label crowding the end's
    ]
    ticks.append({"frame": total, "smpte": smpte(start + total), "left": 100.0})
    return {
        "frame_rate": plan.specs.fps,
        "drop_frame": drop,
        "total_frames": total,
        "start": smpte(start),
        "end": smpte(start + total),
        "total": smpte(total),
        "total_seconds": round(float(total / rate), 3),
        "ruler": ticks,
        "segments": segments,
    }


def elements_view(root: Path) -> dict[str, Any]:
    """Every element: its look, versions, reference images, card image and shots."""
    project = _open(root)
    if project is None:
        return {"elements": []}
    from storycore.tools.storyboard import load_elements
    from storycore.tools.structure import load_shots

    registry = load_elements(project)
    folders = {ref.element_id: ref.folder for ref in project.manifest.elements}
    used: dict[str, list[str]] = {}
    for shot in load_shots(project):
        for element_id in {
            *shot.characters,
            *shot.props,
            *([shot.location] if shot.location else []),
        }:
            used.setdefault(element_id, []).append(shot.shot_id)
    out = []
    for element_id, element in registry.items():
        folder = f"01_elements/{folders.get(element_id, '')}"
        images = sorted(
            p.name
            for p in (root / folder).glob("element_*.png")
            if p.is_file() and not p.name.endswith("_mini.png")
        )
        card = file_url(f"{folder}/{images[0]}", element.current_version) if images else None
        refs = []
        for ref in element.reference_images:
            rel = f"{folder}/{ref.path}"
            refs.append(
                {
                    "path": rel,
                    "role": ref.role,
                    "url": file_url(rel) if project.exists(rel) else None,
                }
            )
        out.append(
            {
                "element_id": element_id,
                "type": element.type.value,
                "name": element.name,
                "aliases": list(element.aliases),
                "description": element.canonical_description,
                "attributes": dict(element.attributes),
                "status": element.status.value,
                "locked": element.status.value == "locked",
                "version": element.current_version,
                "versions": [
                    {"version": v.version, "note": v.note, "created_at": v.created_at}
                    for v in element.versions
                ],
                "references": refs,
                "image_url": card,
                "shots": used.get(element_id, []),
            }
        )
    return {"elements": out}


def message_view(message: Any) -> dict[str, Any] | None:
    """One message of the thread as the chat shows it (None for what it does not show)."""
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    from storycore.agent.nodes import message_text

    if isinstance(message, HumanMessage):
        return {"role": "user", "text": message_text(message)}
    if isinstance(message, AIMessage):
        calls = [{"name": c.get("name"), "args": c.get("args") or {}} for c in message.tool_calls]
        text = message_text(message)
        if not text and not calls:
            return None
        return {"role": "assistant", "text": text, "tool_calls": calls}
    if isinstance(message, ToolMessage):
        return {"role": "tool", "name": message.name, "text": message_text(message)[:600]}
    return None


def regenerate_view(root: Path, pending: dict[str, Any] | None) -> dict[str, list[str]] | None:
    """What the pending change would regenerate (shots, segments, elements), recomputed from
    its modifications by the core: the state keeps a bounded list, the page wants them all."""
    if not pending or pending.get("kind") != "confirm_changes":
        return None
    modifications = (pending.get("data") or {}).get("modifications")
    project = _open(root)
    if project is None or not isinstance(modifications, list):
        return None
    from storycore.tools.feedback import parse_modifications
    from storycore.tools.regeneration import plan_changes

    try:
        data = plan_changes(project, parse_modifications(modifications)).as_json()
    except StoryCoreError:
        return None
    return {
        "shots": list(data["regenerate_shots"]),
        "segments": list(data["regenerate_segments"]),
        "elements": list(data["regenerate_elements"]),
        "removed_shots": list(data["removed_shots"]),
    }


def usage_view(usage: dict[str, Any]) -> dict[str, Any]:
    """Token counts and estimated cost of the thread, per model and in total."""
    from storycore.agent.usage import UsageTracker

    tracker = UsageTracker.from_dict(usage)
    rows = tracker.rows()
    return {"models": rows[:-1], "total": rows[-1], "calls": bool(tracker.models)}


def thread_view(studio: Any, session: Any) -> dict[str, Any]:
    """A conversation as the page restores it: every message, the pending confirmation (with what
    it would regenerate), phase and usage."""
    values = session.values()
    pending = session.pending()
    # The whole conversation (the thread's transcript): the state keeps the current turn only.
    messages = [m for m in (message_view(x) for x in session.history()) if m]
    return {
        "thread": session.thread_id,
        "started": session.started,
        "running": studio.running == session.thread_id,
        "busy": studio.running is not None,
        "phase": values.get("phase"),
        "messages": messages,
        "pending": pending,
        "pending_kind": SHORT_KINDS.get(str((pending or {}).get("kind"))),
        "regenerate": regenerate_view(studio.project_dir, pending),
        "usage": usage_view(dict(values.get("usage") or {})),
    }


def production_view(root: Path) -> dict[str, Any]:
    """Production as the page shows it: per segment its shots' states (pending, rendering,
    done, failed, stale) with each shot's current clip, the segment's file, the film and the
    money spent; ``planned`` is False (and nothing else) before the project is planned."""
    from storycore.tools.production.records import media_records
    from storycore.tools.production.status import production_status

    project = _open(root)
    status = production_status(project) if project is not None else None
    if project is None or status is None:
        return {"planned": False, "segments": [], "film": None, "counts": {}, "spent_usd": 0.0}
    media = media_records(project)
    segments = []
    for seg in status["segments"]:
        shots = []
        for shot_id, state in seg["shots"].items():
            record = media.get(shot_id)
            clip = record.path if record is not None and state == "done" else None
            shots.append(
                {
                    "shot_id": shot_id,
                    "state": state,
                    "media": clip,
                    "media_url": file_url(clip, record.version) if clip and record else None,
                }
            )
        path = seg["path"]
        segments.append(
            {
                "segment_id": seg["segment_id"],
                "counts": seg["counts"],
                "shots": shots,
                "path": path,
                "url": file_url(path, project_stamp(root)) if path else None,
            }
        )
    film = status["film"]
    return {
        "planned": True,
        "segments": segments,
        "counts": status["counts"],
        "film": film,
        "film_url": file_url(film, project_stamp(root)) if film else None,
        "spent_usd": status["spent_usd"],
    }
