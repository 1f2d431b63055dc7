"""The Edit form of a confirmation, and the check an edit passes before it is sent.

A confirmation says what ``edit`` may change (``edit_fields``): the brief's duration, frame
rate, aspect ratio and language, or ``modifications`` (typed changes, the same the chat's
feedback and the model's tool calls produce). :func:`edit_form` describes the form the page
builds from that; :func:`check_decision` validates an answer with the deterministic core
before it reaches the graph, because a resume value the graph refuses stays pending in the
thread and breaks every later answer (stack.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storycore.tools.errors import InvalidInput, NotFound, StoryCoreError

#: The brief fields an edit may set at the brief's confirmation, as form inputs.
BRIEF_FIELDS: dict[str, dict[str, Any]] = {
    "duration": {"type": "string", "description": "Total length: 30s, 1:30, 90 secondes"},
    "fps": {
        "type": "enum",
        "choices": ["23.976", "24", "25", "29.97", "30", "50", "59.94", "60"],
        "description": "Frame rate",
    },
    "aspect": {
        "type": "enum",
        "choices": ["16:9", "9:16", "1:1", "4:3", "2.39:1"],
        "description": "Aspect ratio",
    },
    "language": {"type": "string", "description": "Answer language: en, fr, es, de..."},
}


def _value_choices() -> dict[str, list[str]]:
    from storycore.tools.domain import (
        CameraAngle,
        CameraMovement,
        Framing,
        SceneType,
        ShotSize,
        Transition,
    )

    enums: dict[str, Any] = {
        "shot_size": ShotSize,
        "camera_angle": CameraAngle,
        "camera_movement": CameraMovement,
        "framing": Framing,
        "scene_type": SceneType,
        "transition_in": Transition,
    }
    return {name: [str(member.value) for member in enum] for name, enum in enums.items()}


def _field(name: str, schema: dict[str, Any], required: bool) -> dict[str, Any]:
    options = schema.get("anyOf") or [schema]
    types = [o.get("type") for o in options if o.get("type") != "null"]
    enum = next((o["enum"] for o in options if "enum" in o), None)
    kind = "enum" if enum else (types[0] if types else "string")
    if kind == "array":
        kind = "list"
    elif kind in ("integer", "number"):
        kind = "number"
    elif kind == "object":
        kind = "mapping"
    out: dict[str, Any] = {
        "name": name,
        "type": kind,
        "required": required,
        "nullable": any(o.get("type") == "null" for o in options),
        "description": schema.get("description", ""),
    }
    if enum:
        out["choices"] = [str(v) for v in enum]
    if "default" in schema:
        out["default"] = schema["default"]
    return out


def modification_kinds() -> list[dict[str, Any]]:
    """Every kind of modification with its fields (from the core's pydantic models)."""
    from storycore.tools.feedback import MODIFICATION_TYPES

    kinds = []
    for model in MODIFICATION_TYPES:
        schema = model.model_json_schema()
        required = set(schema.get("required", []))
        fields = [
            _field(name, prop, name in required)
            for name, prop in schema.get("properties", {}).items()
            if name != "kind"
        ]
        kind = str(model.model_fields["kind"].default)
        doc = " ".join((model.__doc__ or "").split())
        kinds.append({"kind": kind, "description": doc, "fields": fields})
    return kinds


def edit_form(pending: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the Edit form of the pending confirmation holds, or None if it has no edit."""
    if not pending or "edit" not in (pending.get("actions") or []):
        return None
    fields = list(pending.get("edit_fields") or [])
    if "modifications" in fields:
        current = (pending.get("data") or {}).get("modifications") or []
        return {
            "mode": "modifications",
            "modifications": current,
            "kinds": modification_kinds(),
            "value_choices": _value_choices(),
        }
    return {
        "mode": "fields",
        "fields": [{"name": f, **_brief_field(f, pending.get("language"))} for f in fields],
    }


def _brief_field(name: str, language: str | None) -> dict[str, Any]:
    """A brief field as a form input, its description in the confirmation's language."""
    from storycore.tools.i18n import catalog, t

    field = dict(BRIEF_FIELDS.get(name, {"type": "string"}))
    key = f"form_field.{name}"
    if "description" in field and key in catalog("en"):
        field["description"] = t(key, language)
    return field


def check_edits(root: Path, pending: dict[str, Any], edits: Any) -> dict[str, Any]:
    """Validate an edit against the pending confirmation; return what it would do, or raise
    :class:`InvalidInput` with one sentence."""
    allowed = list(pending.get("edit_fields") or [])
    if "edit" not in (pending.get("actions") or []):
        raise InvalidInput("this confirmation cannot be edited")
    if not isinstance(edits, dict) or not edits:
        raise InvalidInput("an edit changes at least one field")
    unknown = sorted(set(edits) - set(allowed))
    if unknown:
        raise InvalidInput(
            f"cannot edit {', '.join(unknown)} here; editable: {', '.join(allowed) or 'nothing'}"
        )
    if "modifications" in allowed:
        return _check_modifications(root, edits.get("modifications"))
    values = {k: v for k, v in edits.items() if v not in (None, "")}
    if not values:
        raise InvalidInput("an edit changes at least one field")
    from storycore.tools.domain import TechnicalSpecs
    from storycore.tools.specs import apply_overrides

    apply_overrides(TechnicalSpecs(), **{k: str(v) for k, v in values.items()})
    return {"summary": [f"{k}: {v}" for k, v in values.items()], "regenerate": []}


def _check_modifications(root: Path, modifications: Any) -> dict[str, Any]:
    from storycore.tools.feedback import modifications_from_json
    from storycore.tools.project import Project
    from storycore.tools.regeneration import plan_changes

    if not isinstance(modifications, list) or not modifications:
        raise InvalidInput("an edit gives 'modifications': a list of one change or more")
    typed = modifications_from_json(modifications)
    try:
        project = Project.open(root)
        data = plan_changes(project, typed).as_json()
    except NotFound as exc:  # a shot or element the edit names: a bad edit, not a bad URL
        raise InvalidInput(str(exc)) from None
    if not data["summary"] and not data["regenerate"]:
        from storycore.tools.regeneration.plan import nothing_to_change

        raise InvalidInput(nothing_to_change(project, data["warnings"]))
    return {
        "summary": data["summary"],
        "regenerate": data["regenerate"],
        "regenerate_shots": data["regenerate_shots"],
        "warnings": data["warnings"],
    }


def check_decision(root: Path, pending: dict[str, Any] | None, body: Any) -> dict[str, Any]:
    """The answer ``body`` ({action, text?, edits?}) as a decision the graph will accept."""
    from storycore.agent.nodes import normalize_decision

    if pending is None:
        raise InvalidInput("the assistant is not waiting for a confirmation")
    if not isinstance(body, dict):
        raise InvalidInput("send {action, text?, edits?}")
    actions = list(pending.get("actions") or [])
    decision = dict(normalize_decision(body, actions, pending.get("language")))
    if decision["action"] == "feedback" and not str(decision.get("text", "")).strip():
        raise InvalidInput("feedback needs a text: say what should change")
    if decision["action"] == "edit":
        if not decision.get("edits"):
            raise InvalidInput("an edit changes at least one field")
        try:
            check_edits(root, pending, decision["edits"])
        except StoryCoreError:
            raise
        except ValueError as exc:  # a pydantic error from the specs
            raise InvalidInput(" ".join(str(exc).split())) from None
    return decision
